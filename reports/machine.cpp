#include <fmt/chrono.h>
#include <fmt/format.h>
#include <gnu/libc-version.h>
#include <mpfr.h>
#include <sys/utsname.h>

#include <Eigen/Core>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "reports/report.hpp"

namespace actcheck::reports {

nlohmann::json describe_machine() {
  std::string cpu = "unknown";
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.starts_with("model name")) {
      cpu = line.substr(line.find(':') + 2);
      break;
    }
  }
  utsname u{};
  uname(&u);
  return {{"cpu", cpu},
          {"cores", std::thread::hardware_concurrency()},
          {"os", fmt::format("{} {}", u.sysname, u.release)},
          {"compiler", "GCC " __VERSION__},
          {"glibc", gnu_get_libc_version()},
          {"mpfr", mpfr_get_version()},
          {"eigen",
           fmt::format("{}.{}.{}", EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION)}};
}

std::string utc_now() {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(std::chrono::system_clock::now()));
}

void write_file(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary);
    out << text;
    if (!out.flush()) throw std::runtime_error(fmt::format("cannot write {}", temporary));
  }
  std::filesystem::rename(temporary, path);
}

}  // namespace actcheck::reports

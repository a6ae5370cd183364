#include "engine/text.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

namespace actcheck::engine {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

double parse_number(std::string_view text, std::string_view where) {
  const std::string s(trim(text));
  if (s.empty()) throw InputError(fmt::format("{}: expected a number, got nothing", where));
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) {
    throw InputError(
        fmt::format("{}: \"{}\" is not a number (decimal like 0.5 or -1e30, hex "
                    "like 0x1.8p+1, inf, nan)",
                    where, s));
  }
  if (errno == ERANGE && std::abs(v) > 1) {
    throw InputError(fmt::format("{}: \"{}\" is beyond the range of a double", where, s));
  }
  return v;
}

Eigen::VectorXd parse_row(std::string_view text, std::string_view where) {
  std::vector<double> values;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    const std::string_view item = text.substr(start, comma - start);
    values.push_back(parse_number(item, fmt::format("{} (element {})", where, values.size() + 1)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return Eigen::Map<Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(values.size()));
}

}  // namespace actcheck::engine

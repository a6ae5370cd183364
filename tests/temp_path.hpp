// A file's path in a directory of this test process's own, under gtest's TempDir and removed at
// exit. ctest runs test processes side by side, and two runs of the suite (two clones, two CI
// jobs) may share /tmp: with fixed names there, a sweep once resumed the journal of another
// build's run of the same sweep, and its figures were that build's.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace actcheck::testing {

inline std::string temp_path(const std::string& name) {
  struct Directory {
    std::filesystem::path path = std::filesystem::path(::testing::TempDir()) /
                                 ("actcheck-test-" + std::to_string(::getpid()));
    Directory() {
      std::filesystem::remove_all(path);
      std::filesystem::create_directories(path);
    }
    ~Directory() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  };
  static const Directory directory;
  return (directory.path / name).string();
}

}  // namespace actcheck::testing

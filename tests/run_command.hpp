// Runs a program (by default the actcheck binary, ACTCHECK_BINARY) with arguments: its exit status
// and its output.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

struct Outcome {
  int status;
  std::string output;  // stdout and stderr together
};

inline Outcome run_program(const std::string& program, const std::string& args) {
  const std::string command = program + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string output;
  std::array<char, 4096> buffer;
  while (std::size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) {
    output.append(buffer.data(), n);
  }
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

inline Outcome run(const std::string& args) { return run_program(ACTCHECK_BINARY, args); }

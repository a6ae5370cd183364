// The actcheck subcommands. Each returns the process exit status (0 ok, 1 a check failed, 2 bad
// input); bad input is reported by throwing cli::UsageError.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace actcheck::cli {

int run_list(std::ostream& out);

struct EvalOptions {
  std::string function;
  std::string format = "f32";
  std::string x;     // a number, or a comma-separated row for vector entries
  std::string grad;  // vector entries: the upstream gradient of the VJP (default: all ones)
  std::vector<std::string> params;
};
int run_eval(const EvalOptions& options, std::ostream& out);

}  // namespace actcheck::cli

// The actcheck subcommands. Each returns the process exit status (0 ok, 1 a check failed, 2 bad
// input); bad input is reported by throwing cli::UsageError.
#pragma once

#include <cstdint>
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

namespace actcheck::cli {

struct SweepCommand {
  std::string functions;  // "tanh,sigmoid" or "all"
  std::string backends = "actcheck";
  std::string format = "f32";
  std::string pass = "both";
  std::string inputs;  // default: exhaustive for 16-bit formats, sample:1000000 for f32
  std::vector<std::string> params;
  unsigned threads = 0;
  std::string shard = "1/1";
  std::string json;
  double max_ulp = -1;  // < 0: no budget given
  bool mpfr_only = false;
  std::uint64_t seed = 0;  // 0: the default seed
};
int run_sweep_command(const SweepCommand& options, const std::string& command_line,
                      std::ostream& out);

struct ReportCommand {
  std::string out_dir = ".";
  std::string functions = "all";
  std::string backends = "all";
  std::uint64_t f32_sample = 1000000;
  std::uint64_t rows = 200;
  unsigned threads = 0;
  std::string shard = "1/1";
};
int run_report_command(const ReportCommand& options, const std::string& command_line,
                       std::ostream& out);

struct MergeCommand {
  std::vector<std::string> inputs;
  std::string json;
  std::string markdown;
};
int run_merge_command(const MergeCommand& options, std::ostream& out);

}  // namespace actcheck::cli

namespace actcheck::cli {

struct PropertiesCommand {
  std::string backend = "reference";
  std::string format = "f32";
  std::string functions = "all";
  std::uint64_t seed = 20261123;
  int count = 100;
  double budget = 4;  // ULPs, for backends other than actcheck
  std::string json;
  bool gradients = false;  // gradcheck: the gradient checks instead of the properties
};
// actcheck properties, and actcheck gradcheck (the same options, gradient_checks.hpp's checks).
int run_properties_command(const PropertiesCommand& options, const std::string& command_line,
                           std::ostream& out);

}  // namespace actcheck::cli

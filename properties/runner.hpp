// Runs the registry's properties on the reference or a backend: every (property, function) pair
// that applies, through rapidcheck with a given seed and number of cases, shrinking a failure to
// a small counterexample.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "backends/backend.hpp"
#include "catalog/catalog.hpp"

namespace actcheck::properties {

struct RunOptions {
  enum class Checks { kProperties, kGradients };
  Checks checks = Checks::kProperties;  // properties.hpp's registry, or gradient_checks.hpp's
  const backends::Backend* backend = nullptr;  // nullptr: the reference (MPFR)
  Format format = Format::kF32;
  std::vector<Fn> functions;
  std::uint64_t seed = 20261123;
  int count = 100;         // cases per (property, function)
  double budget_ulps = 4;  // for backends other than actcheck (whose budget the catalog has)
};

struct Outcome {
  enum class Status { kPass, kFail, kUnsupported };
  std::string property;
  Fn fn;
  Status status = Status::kPass;
  int cases = 0;       // cases that passed
  double budget = 0;   // ULPs the backend was trusted to (0 for the reference)
  std::string detail;  // for a failure: the shrunk counterexample and the tolerance it broke
};

// One line for people: "PASS monotone tanh (100 cases)", or for a failure
// "FAIL tanh_from_sigmoid tanh x=0x1.2p+3: |lhs - rhs| = 3.1e-07 > tolerance 1.2e-07 (seed 42)".
std::string describe(const Outcome& outcome, std::uint64_t seed);

// Every outcome, in registry order then function order; `on_outcome` sees each as it is decided.
std::vector<Outcome> run_properties(const RunOptions& options,
                                    const std::function<void(const Outcome&)>& on_outcome = {});

}  // namespace actcheck::properties

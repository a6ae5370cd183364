// The properties of properties/ on the reference (where each must hold to the 128-bit
// enclosures, in every format), on actcheck's kernels within the catalog's budgets, and on glibc's
// compositions within their measured budget.
#include "properties/properties.hpp"

#include <gtest/gtest.h>

#include "backends/registry.hpp"
#include "measured_budget.hpp"
#include "properties/runner.hpp"

namespace actcheck::properties {
namespace {

std::vector<Fn> all_functions() {
  std::vector<Fn> fns;
  for (const Activation& a : kCatalog) fns.push_back(a.id);
  return fns;
}

// Every failing line, for the test's message.
std::string failures(const std::vector<Outcome>& outcomes, std::uint64_t seed) {
  std::string text;
  for (const Outcome& o : outcomes) {
    if (o.status == Outcome::Status::kFail) text += describe(o, seed) + "\n";
  }
  return text;
}

bool applies_somewhere(Fn fn) {
  for (const Property& p : all_properties()) {
    if (p.applies(activation(fn), Format::kF32)) return true;
  }
  return false;
}

class OnTheReference : public ::testing::TestWithParam<Format> {};

TEST_P(OnTheReference, EveryPropertyHolds) {
  RunOptions options;
  options.format = GetParam();
  options.functions = all_functions();
  options.count = 300;
  const std::vector<Outcome> outcomes = run_properties(options);
  EXPECT_GT(outcomes.size(), 100u);  // every property applies somewhere
  EXPECT_EQ(failures(outcomes, options.seed), "");
}

TEST_P(OnTheReference, EveryGradientCheckHolds) {
  RunOptions options;
  options.checks = RunOptions::Checks::kGradients;
  options.format = GetParam();
  options.functions = all_functions();
  options.count = 300;
  const std::vector<Outcome> outcomes = run_properties(options);
  EXPECT_GT(outcomes.size(), 25u);
  EXPECT_EQ(failures(outcomes, options.seed), "");
}

INSTANTIATE_TEST_SUITE_P(Formats, OnTheReference,
                         ::testing::Values(Format::kF32, Format::kF16, Format::kBF16),
                         [](const auto& info) { return std::string(spec(info.param).name); });

// actcheck's own kernels at the catalog's budgets: every property and gradient check holds, in
// every format.
class OnActcheck : public ::testing::TestWithParam<Format> {};

TEST_P(OnActcheck, EveryPropertyAndGradientCheckHoldsWithinTheCatalogBudget) {
  RunOptions options;
  options.backend = &backends::actcheck_backend();
  options.format = GetParam();
  options.functions = all_functions();
  options.count = 1000;
  for (const auto checks : {RunOptions::Checks::kProperties, RunOptions::Checks::kGradients}) {
    options.checks = checks;
    const std::vector<Outcome> outcomes = run_properties(options);
    EXPECT_GT(outcomes.size(), 25u);
    EXPECT_EQ(failures(outcomes, options.seed), "");
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, OnActcheck,
                         ::testing::Values(Format::kF32, Format::kF16, Format::kBF16),
                         [](const auto& info) { return std::string(spec(info.param).name); });

// glibc's float compositions (the libm backend), each function trusted to what the engine
// measures on it (measured_budget.hpp): every property and gradient check holds.
TEST(OnLibm, EveryPropertyHoldsWithinTheMeasuredBudget) {
  const backends::Backend& libm = backends::libm_backend();
  for (Fn fn : all_functions()) {
    if (!applies_somewhere(fn)) continue;  // nothing to check; its rows would cost minutes
    RunOptions options;
    options.backend = &libm;
    options.format = Format::kF32;
    options.functions = {fn};
    options.count = 2000;
    options.budget_ulps = testing::measured_budget(libm, fn, Format::kF32);
    for (const auto checks : {RunOptions::Checks::kProperties, RunOptions::Checks::kGradients}) {
      options.checks = checks;
      EXPECT_EQ(failures(run_properties(options), options.seed), "")
          << activation(fn).name << " at a budget of " << options.budget_ulps << " ULP";
    }
  }
}

// The naive log_softmax (log of the unshifted exponentials) overflows at an entry of 89 in float32:
// x − log_softmax(x) is then not one number along the row.
TEST(OnNaive, LogSoftmaxOffsetsCatchTheOverflow) {
  RunOptions options;
  options.backend = &backends::naive_backend();
  options.format = Format::kF32;
  options.functions = {Fn::log_softmax};
  options.count = 2000;
  bool caught = false;
  for (const Outcome& o : run_properties(options)) {
    if (o.property == "log_softmax_is_x_minus_logsumexp") {
      caught = o.status == Outcome::Status::kFail;
      EXPECT_NE(o.detail.find("row=["), std::string::npos) << o.detail;
    }
  }
  EXPECT_TRUE(caught);
}

}  // namespace
}  // namespace actcheck::properties

// Each deliberately broken backend (broken_backends.hpp) is caught by at least one property or
// gradient check, with
// a counterexample line that names the function it breaks. The rest of each broken backend is
// libm's, which passes every property at the same budget (properties_test.cpp), so the failure
// is the bug's.
#include "broken_backends.hpp"

#include <gtest/gtest.h>

#include <iostream>

#include "backends/registry.hpp"
#include "measured_budget.hpp"
#include "properties/runner.hpp"

namespace actcheck::properties {
namespace {

class Broken : public ::testing::TestWithParam<testing::BrokenBackend> {};

TEST_P(Broken, IsCaughtWithACounterexample) {
  const testing::BrokenBackend& broken = GetParam();
  RunOptions options;
  options.backend = broken.backend;
  options.format = Format::kF32;
  options.functions = {broken.fn};
  // The sign flip lives on [0.75, 0.75 + 2^-6]: about one case in 4000 lands there.
  options.count = 40000;
  // What the engine measures on the clean libm backend for this function.
  options.budget_ulps = testing::measured_budget(backends::libm_backend(), broken.fn, Format::kF32);
  int caught = 0;
  for (const auto checks : {RunOptions::Checks::kProperties, RunOptions::Checks::kGradients}) {
    options.checks = checks;
    for (const Outcome& o : run_properties(options)) {
      if (o.status != Outcome::Status::kFail) continue;
      ++caught;
      const std::string line = describe(o, options.seed);
      std::cout << broken.backend->name() << ": " << line << "\n";
      EXPECT_EQ(o.fn, broken.fn);
      EXPECT_NE(line.find(activation(broken.fn).name), std::string::npos) << line;
      // The counterexample first: the input (x=, or x1= x2= for pairs) or the row.
      EXPECT_TRUE(o.detail.starts_with("x") || o.detail.starts_with("row=")) << line;
    }
  }
  EXPECT_GT(caught, 0) << broken.backend->name() << " passed every property";
}

// The one-sided limits check catches, on its own, the elu backward that forgets α: left of the
// kink at 0 its f′ = e^x − 1 tends to 0, not to α = 1.
TEST(OneSidedLimits, CatchesTheEluBackwardThatForgetsAlpha) {
  const testing::BrokenBackend* broken = nullptr;
  for (const testing::BrokenBackend& b : testing::broken_backends()) {
    if (b.backend->name() == "elu_backward_forgets_alpha") broken = &b;
  }
  ASSERT_NE(broken, nullptr);
  RunOptions options;
  options.backend = broken->backend;
  options.checks = RunOptions::Checks::kGradients;
  options.format = Format::kF32;
  options.functions = {Fn::elu};
  options.count = 200;
  bool caught = false;
  for (const Outcome& o : run_properties(options)) {
    if (o.property == "one_sided_limits") caught = o.status == Outcome::Status::kFail;
  }
  EXPECT_TRUE(caught);
}

INSTANTIATE_TEST_SUITE_P(Backends, Broken,
                         ::testing::ValuesIn(testing::broken_backends().begin(),
                                             testing::broken_backends().end()),
                         [](const auto& info) { return std::string(info.param.backend->name()); });

}  // namespace
}  // namespace actcheck::properties

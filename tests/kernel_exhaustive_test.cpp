// The float32 budgets of actcheck's elementwise kernels on all 2^32 inputs, forward and backward:
// about 12 minutes per entry on 2 cores, so opt-in (ctest -L exhaustive).
#include <gtest/gtest.h>

#include <string>

#include "run_command.hpp"
#include "test_support.hpp"

namespace actcheck {
namespace {

class KernelBudgetExhaustive : public ::testing::TestWithParam<Fn> {};

TEST_P(KernelBudgetExhaustive, HoldsOnEveryFloat32Input) {
  const std::string args =
      "sweep --backend actcheck --pass both --format f32 --inputs exhaustive "
      "--function " +
      std::string(activation(GetParam()).name);
  const Outcome outcome = run(args);
  EXPECT_EQ(outcome.status, 0) << args << "\n" << outcome.output;
}

INSTANTIATE_TEST_SUITE_P(Catalog, KernelBudgetExhaustive,
                         ::testing::ValuesIn(testing::elementwise_entries()),
                         [](const auto& info) { return std::string(activation(info.param).name); });

}  // namespace
}  // namespace actcheck

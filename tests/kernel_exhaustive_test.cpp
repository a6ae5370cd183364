// The float32 budgets of actcheck's elementwise kernels on all 2^32 inputs, forward and backward
// (about 12 minutes per entry on 2 cores), and their bits on every instruction set: opt-in
// (ctest -L exhaustive).
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

// Every instruction set of this CPU gives the same bits on all 2^32 inputs (tools/kernel_digest;
// kernels_test compares them on a sample): seconds per pass on AVX-512 and AVX2, up to minutes on
// the portable set, whose float paths emulate the fma.
class KernelBitsExhaustive : public ::testing::TestWithParam<Fn> {};

TEST_P(KernelBitsExhaustive, AreTheSameOnEveryInstructionSet) {
  for (const char* pass : {"forward", "backward"}) {
    const std::string args = std::string(activation(GetParam()).name) + " " + pass + " --isa every";
    const Outcome outcome = run_program(KERNEL_DIGEST_BINARY, args);
    EXPECT_EQ(outcome.status, 0) << "kernel_digest " << args << "\n" << outcome.output;
  }
}

INSTANTIATE_TEST_SUITE_P(Catalog, KernelBitsExhaustive,
                         ::testing::ValuesIn(testing::elementwise_entries()),
                         [](const auto& info) { return std::string(activation(info.param).name); });

}  // namespace
}  // namespace actcheck

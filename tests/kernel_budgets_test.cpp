// ctest enforces the budgets of actcheck's own kernels (the catalog's `.budget`) with the engine:
// every entry, forward and backward, on every float16 and bfloat16 input, on the stratified
// float32 set, and on the special values. `actcheck sweep` exits 1 when a result exceeds the
// budget. The exhaustive float32 sweeps are in kernel_exhaustive_test (ctest label exhaustive).
#include <gtest/gtest.h>

#include <string>

#include "run_command.hpp"
#include "test_support.hpp"

namespace actcheck {
namespace {

std::vector<Fn> all_entries() {
  std::vector<Fn> out;
  for (const Activation& a : kCatalog) out.push_back(a.id);
  return out;
}

std::string sweep(Fn fn, const std::string& format, const std::string& inputs) {
  return "sweep --backend actcheck --pass both --function " + std::string(activation(fn).name) +
         " --format " + format + " --inputs " + inputs;
}

void expect_within_budget(const std::string& args) {
  const Outcome outcome = run(args);
  EXPECT_EQ(outcome.status, 0) << args << "\n" << outcome.output;
  EXPECT_EQ(outcome.output.find("OVER BUDGET"), std::string::npos) << outcome.output;
}

// Rows (vector and gated entries) are measured on the adversarial rows and N random rows.
std::string float32_set(Fn fn) {
  return is_elementwise(activation(fn).kind) ? "sample:1000000" : "sample:2000";
}
std::string narrow_set(Fn fn) {
  return is_elementwise(activation(fn).kind) ? "exhaustive" : "sample:2000";
}

class KernelBudget : public ::testing::TestWithParam<Fn> {};

TEST_P(KernelBudget, HoldsInFloat16) {
  expect_within_budget(sweep(GetParam(), "f16", narrow_set(GetParam())));
}
TEST_P(KernelBudget, HoldsInBFloat16) {
  expect_within_budget(sweep(GetParam(), "bf16", narrow_set(GetParam())));
}
TEST_P(KernelBudget, HoldsInFloat32) {
  expect_within_budget(sweep(GetParam(), "f32", float32_set(GetParam())));
}
TEST_P(KernelBudget, HoldsOnTheSpecialValues) {
  for (const char* format : {"f32", "f16", "bf16"}) {
    expect_within_budget(sweep(GetParam(), format, "special"));
  }
}

INSTANTIATE_TEST_SUITE_P(Catalog, KernelBudget, ::testing::ValuesIn(all_entries()),
                         [](const auto& info) { return std::string(activation(info.param).name); });

}  // namespace
}  // namespace actcheck

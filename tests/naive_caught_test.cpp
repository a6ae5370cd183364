// The engine catches the textbook formulas where they must fail (the seeds' lesson, measured):
// softplus and sigmoid overflow or flush in float32 for large |x|, and softmax without the max
// subtraction gives NaN once an entry reaches 89 (e^89 overflows float32).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "backends/registry.hpp"
#include "engine/sweep.hpp"
#include "temp_path.hpp"

namespace actcheck::engine {
namespace {

Metrics naive(Fn fn, const char* inputs) {
  const Job job{fn, default_params(fn), Format::kF32, Pass::kForward, parse_input_spec(inputs)};
  return measure_job(job, backends::naive_backend(), reference::Tier::kFastThenMpfr, 2);
}

TEST(NaiveCaught, SoftplusOverflowsForLargeX) {
  const Metrics m = naive(Fn::softplus, "special");
  EXPECT_GT(m.non_finite, 0u);
  ASSERT_TRUE(m.non_finite_example.has_value());
  EXPECT_GT(m.non_finite_example->x, 88.0);  // log(1 + e^x) with e^x = inf
  EXPECT_TRUE(std::isinf(m.non_finite_example->y));
}

TEST(NaiveCaught, SigmoidFlushesForLargeNegativeX) {
  // 1/(1 + e^-x) with e^-x = inf gives 0 where σ(x) ≈ e^x is still a float32 (subnormal) value.
  const Metrics m = naive(Fn::sigmoid, "sample:100000");
  EXPECT_GT(m.max_ulp(), 1e5);
  ASSERT_TRUE(m.worst.has_value());
  EXPECT_LT(m.worst->x, -88.0);
  EXPECT_EQ(m.worst->y, 0.0);
}

TEST(NaiveCaught, SoftmaxWithoutMaxSubtractionIsNaN) {
  const Metrics m = naive(Fn::softmax, "special");  // holds [1e30, 0] and [FLT_MAX, −FLT_MAX]
  EXPECT_GT(m.non_finite, 0u);
  ASSERT_TRUE(m.non_finite_example.has_value());
  EXPECT_TRUE(std::isnan(m.non_finite_example->y));
  // The smallest entry that breaks it: a row with 89 in it.
  const std::string file = actcheck::testing::temp_path("rows.txt");
  std::ofstream(file) << "88, 0\n89, 0\n";
  const Metrics rows = naive(Fn::softmax, ("file:" + file).c_str());
  ASSERT_TRUE(rows.non_finite_example.has_value());
  EXPECT_EQ(rows.non_finite_example->input, 1u);   // the first row (88) is fine
  EXPECT_EQ(rows.non_finite_example->element, 0);  // e^89/(e^89 + 1) = inf/inf
  EXPECT_EQ(rows.non_finite, 1u);  // its neighbour, 1/inf = 0 for e^-89 ≈ 2.2e-39, is merely wrong
  EXPECT_GT(rows.max_ulp(), 1e6);
}

}  // namespace
}  // namespace actcheck::engine

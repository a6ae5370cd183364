// The vector entries: special rows give the documented limits; VJPs equal an explicitly built
// Jacobian; glu/swiglu equal their elementwise parts.
#include "reference/vector.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace actcheck::testing {
namespace {

using reference::correctly_rounded_row;

Eigen::VectorXd row(std::initializer_list<double> v) {
  return Eigen::Map<const Eigen::VectorXd>(v.begin(), static_cast<Eigen::Index>(v.size()));
}

Eigen::VectorXd value(Fn fn, const Eigen::VectorXd& x, Format format = Format::kF32) {
  return correctly_rounded_row(fn, Quantity::kValue, x, Eigen::VectorXd(), default_params(fn),
                               format);
}

bool all_nan(const Eigen::VectorXd& v) { return v.array().isNaN().all(); }

TEST(Vector, SoftmaxOfSpecialRows) {
  EXPECT_EQ(value(Fn::softmax, row({1e30, 0})), row({1, 0}));
  EXPECT_EQ(value(Fn::softmax, row({-1e30, 1e30, -1e30})), row({0, 1, 0}));
  EXPECT_EQ(value(Fn::softmax, row({-INFINITY, 0})), row({0, 1}));
  EXPECT_EQ(value(Fn::softmax, row({INFINITY, 0, -INFINITY})), row({1, 0, 0}));
  EXPECT_EQ(value(Fn::softmax, row({5, 5, 5, 5})), row({0.25, 0.25, 0.25, 0.25}));
  EXPECT_TRUE(all_nan(value(Fn::softmax, row({-INFINITY, -INFINITY}))));
  EXPECT_TRUE(all_nan(value(Fn::softmax, row({INFINITY, INFINITY}))));
  EXPECT_TRUE(all_nan(value(Fn::softmax, row({1, NAN, 2}))));
  EXPECT_EQ(value(Fn::log_softmax, row({-INFINITY, 0})), row({-INFINITY, 0}));
  // −log1p(e^-1e30) is a negative number far below every format's range: −0.
  const Eigen::VectorXd ls = value(Fn::log_softmax, row({1e30, 0}));
  EXPECT_EQ(ls, row({0, static_cast<float>(-1e30)}));
  EXPECT_TRUE(std::signbit(ls[0]));
  EXPECT_EQ(value(Fn::softmin, row({-1e30, 0})), row({1, 0}));
}

TEST(Vector, SoftmaxValuesAgainstASecondFormula) {
  // softmax([0, ln 3]) = [1/4, 3/4] in exact arithmetic; ln 3 is not a double, so compare
  // with e^x/(1 + e^x) in mpfr_float_100 instead.
  const Eigen::VectorXd x = row({0.0, 1.5, -2.25});
  const auto s =
      reference::evaluate_row(Fn::softmax, Quantity::kValue, x, Eigen::VectorXd(), Params{}, 256);
  Oracle sum = 0;
  for (double xi : x) sum += exp(Oracle(xi));
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    EXPECT_TRUE(agree_to_bits(s[i], Real(exp(Oracle(x[i])) / sum), 250));
  }
}

// Jᵀv against the explicit Jacobian diag(s) − ssᵀ, built in the independent oracle type.
TEST(Vector, SoftmaxVjpEqualsTheExplicitJacobian) {
  const Eigen::VectorXd x = row({0.5, -1.0, 2.0, 0.0});
  const Eigen::VectorXd v = row({1.0, -2.0, 0.25, 3.0});
  const auto g = reference::evaluate_row(Fn::softmax, Quantity::kDerivative, x, v, Params{}, 256);
  std::vector<Oracle> s(4);
  Oracle sum = 0;
  for (int i = 0; i < 4; ++i) sum += exp(Oracle(x[i]));
  for (int i = 0; i < 4; ++i) s[i] = exp(Oracle(x[i])) / sum;
  for (int i = 0; i < 4; ++i) {
    Oracle gi = 0;
    for (int j = 0; j < 4; ++j) gi += ((i == j ? s[i] : Oracle(0)) - s[i] * s[j]) * v[j];
    EXPECT_TRUE(agree_to_bits(g[i], Real(gi), 240)) << i;
  }
}

TEST(Vector, ExactZeroVjpsTerminate) {
  const Params p;
  // Σv over equal entries: softmax's VJP with v = ones is exactly 0 everywhere.
  EXPECT_EQ(correctly_rounded_row(Fn::softmax, Quantity::kDerivative, row({1e30, 0, -INFINITY}),
                                  row({1, 1, 1}), p, Format::kF32),
            row({0, 0, 0}));
  // Uniform weights and v₁ = mean(v): log_softmax's VJP element 1 is exactly 0.
  EXPECT_EQ(correctly_rounded_row(Fn::log_softmax, Quantity::kDerivative, row({0, 0, 0}),
                                  row({1, 2, 3}), p, Format::kF16),
            row({-1, 0, 1}));
  EXPECT_EQ(correctly_rounded_row(Fn::softmax, Quantity::kDerivative, row({2, 2, 7}),
                                  row({4, 4, 4}), p, Format::kBF16),
            row({0, 0, 0}));
}

TEST(Vector, MaxoutRoutesTheGradientToTheFirstArgmax) {
  const Params p = default_params(Fn::maxout);  // k = 2
  EXPECT_EQ(value(Fn::maxout, row({1, 3, 5, 5})), row({3, 5}));
  EXPECT_EQ(correctly_rounded_row(Fn::maxout, Quantity::kDerivative, row({1, 3, 5, 5}),
                                  row({10, 20}), p, Format::kF32),
            row({0, 10, 20, 0}));
}

TEST(Vector, GatedEntriesAreProductsOfTheirElementwiseParts) {
  const Eigen::VectorXd x = row({0.5, -2.0, 1.25, 3.0});  // a = [0.5, −2], b = [1.25, 3]
  const auto glu =
      reference::evaluate_row(Fn::glu, Quantity::kValue, x, Eigen::VectorXd(), Params{}, 256);
  const auto swiglu =
      reference::evaluate_row(Fn::swiglu, Quantity::kValue, x, Eigen::VectorXd(), Params{}, 256);
  for (int i = 0; i < 2; ++i) {
    const Oracle a(x[i]), b(x[2 + i]);
    EXPECT_TRUE(agree_to_bits(glu[i], Real(a / (1 + exp(-b))), 240));
    EXPECT_TRUE(agree_to_bits(swiglu[i], Real(a / (1 + exp(-a)) * b), 240));
  }
}

TEST(Vector, RowsThatDoNotSuitTheEntryAreRejected) {
  const Params p = default_params(Fn::maxout);
  EXPECT_THROW(reference::output_length(Fn::glu, 3, Params{}), std::invalid_argument);
  EXPECT_THROW(reference::output_length(Fn::maxout, 5, p), std::invalid_argument);
  EXPECT_THROW(reference::output_length(Fn::softmax, 0, Params{}), std::invalid_argument);
  EXPECT_THROW(reference::output_length(Fn::gelu, 4, Params{}), reference::Unsupported);
}

}  // namespace
}  // namespace actcheck::testing

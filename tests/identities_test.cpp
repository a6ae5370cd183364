// Identities the functions satisfy, checked on the reference in MPFR to at least 100 bits, on
// inputs drawn by rapidcheck across binades (sign, exponent and significand drawn separately).
// The reference is evaluated at 400 bits so that the cancellations some identities carry
// (2σ(2x) − 1 near 0, 1 − tanh² for large x) still leave more than 100 correct bits.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "reference/vector.hpp"
#include "test_support.hpp"

namespace actcheck::testing {
namespace {

constexpr unsigned kBits = 400;
constexpr int kAgreeBits = 100;

// x = ±(1 + m)·2^e with e in [min_exp, max_exp]: every binade equally likely.
rc::Gen<double> across_binades(int min_exp, int max_exp) {
  return rc::gen::apply(
      [](bool negative, int e, std::uint64_t m) {
        const double significand = 1 + std::ldexp(static_cast<double>(m >> 11), -53);
        return (negative ? -1 : 1) * std::ldexp(significand, e);
      },
      rc::gen::arbitrary<bool>(), rc::gen::inRange(min_exp, max_exp + 1),
      rc::gen::arbitrary<std::uint64_t>());
}

// A row of 1 to 11 elements drawn across binades.
Eigen::VectorXd random_row(int min_exp, int max_exp) {
  const auto row = *rc::gen::container<std::vector<double>>(*rc::gen::inRange(1, 12),
                                                            across_binades(min_exp, max_exp));
  return Eigen::Map<const Eigen::VectorXd>(row.data(), static_cast<Eigen::Index>(row.size()));
}

reference::RealVector row_value(Fn fn, const Eigen::VectorXd& x) {
  return reference::evaluate_row(fn, Quantity::kValue, x, Eigen::VectorXd(), Params{}, kBits);
}

Real value(Fn fn, double x) { return ref(fn, Quantity::kValue, x, kBits); }
Real derivative(Fn fn, double x) { return ref(fn, Quantity::kDerivative, x, kBits); }

#define ACTCHECK_AGREE(a, b) RC_ASSERT(agree_to_bits((a), (b), kAgreeBits))

RC_GTEST_PROP(Identities, TanhIsTwoSigmoidOfTwiceMinusOne, ()) {
  const double x = *across_binades(-40, 6);
  ACTCHECK_AGREE(value(Fn::tanh, x), 2 * value(Fn::sigmoid, 2 * x) - 1);
}

RC_GTEST_PROP(Identities, SoftplusDerivativeIsSigmoid, ()) {
  const double x = *across_binades(-60, 10);
  ACTCHECK_AGREE(derivative(Fn::softplus, x), value(Fn::sigmoid, x));
}

RC_GTEST_PROP(Identities, SigmoidDerivativeIsSigmoidTimesOneMinusAndAtMostAQuarter, ()) {
  const double x = *across_binades(-60, 6);
  const Real s = value(Fn::sigmoid, x);
  const Real ds = derivative(Fn::sigmoid, x);
  ACTCHECK_AGREE(ds, s * (1 - s));
  RC_ASSERT(ds < Real(0.25));  // x ≠ 0 here: strictly below the maximum
  RC_ASSERT(ds > 0);
}

TEST(Identities, SigmoidDerivativePeaksAtZero) {
  EXPECT_EQ(derivative(Fn::sigmoid, 0.0), Real(0.25));
  EXPECT_LT(derivative(Fn::sigmoid, 0x1p-40), Real(0.25));
  EXPECT_LT(derivative(Fn::sigmoid, -0x1p-40), Real(0.25));
}

RC_GTEST_PROP(Identities, TanhDerivativeIsOneMinusTanhSquared, ()) {
  const double x = *across_binades(-60, 5);
  const Real t = value(Fn::tanh, x);
  ACTCHECK_AGREE(derivative(Fn::tanh, x), 1 - t * t);
}

RC_GTEST_PROP(Identities, SwishDerivativeAtBetaOne, ()) {
  const double x = *across_binades(-30, 5);
  for (Fn fn : {Fn::swish, Fn::silu}) {
    const Real f = value(fn, x);
    const Real s = value(Fn::sigmoid, x);
    // f′ = βf + σ(βx)(1 − βf) at β = 1; its zero near x ≈ −1.278 costs bits, 400 leave > 100.
    ACTCHECK_AGREE(derivative(fn, x), f + s * (1 - f));
  }
}

RC_GTEST_PROP(Identities, EluDerivativeIsValuePlusAlphaOnTheLeft, ()) {
  const double x = -std::fabs(*across_binades(-30, 6));
  const double alpha = default_params(Fn::elu)[0];
  ACTCHECK_AGREE(derivative(Fn::elu, x), value(Fn::elu, x) + alpha);
}

RC_GTEST_PROP(Identities, SoftminIsSoftmaxOfTheNegation, ()) {
  const Eigen::VectorXd x = random_row(-10, 8);
  const auto softmin = row_value(Fn::softmin, x);
  const auto softmax_neg = row_value(Fn::softmax, -x);
  for (Eigen::Index i = 0; i < x.size(); ++i) ACTCHECK_AGREE(softmin[i], softmax_neg[i]);
}

RC_GTEST_PROP(Identities, LogSoftmaxIsLogOfSoftmaxAndSoftmaxSumsToOne, ()) {
  const Eigen::VectorXd x = random_row(-10, 6);
  const auto s = row_value(Fn::softmax, x);
  const auto ls = row_value(Fn::log_softmax, x);
  Real sum = 0;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    sum += s[i];
    if (s[i] > Real("1e-100")) ACTCHECK_AGREE(ls[i], Real(log(s[i])));
  }
  ACTCHECK_AGREE(sum, Real(1));
}

}  // namespace
}  // namespace actcheck::testing

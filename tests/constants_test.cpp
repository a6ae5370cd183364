// The reference against independent values: published constants, and second formulas evaluated
// by a separate MPFR type (mpfr_float_100) that shares no code with reference/.
#include <gtest/gtest.h>

#include <cmath>

#include "reference/formulas.hpp"
#include "test_support.hpp"

namespace actcheck::testing {
namespace {

using boost::multiprecision::abs;

// SELU's constants from their closed forms (Klambauer et al., "Self-Normalizing Neural Networks",
// 2017, eq. 14) agree with the 31 published digits that catalog and reference use.
TEST(Constants, SeluFixedPointClosedForms) {
  const Oracle pi = boost::math::constants::pi<Oracle>();
  const Oracle e = exp(Oracle(1));
  const Oracle c = erfc(1 / sqrt(Oracle(2)));  // erfc(1/√2)
  const Oracle alpha = -sqrt(2 / pi) / (c * sqrt(e) - 1);
  const Oracle lambda = (1 - c * sqrt(e)) * sqrt(2 * pi) /
                        sqrt(2 * erfc(sqrt(Oracle(2))) * e * e + pi * c * c * e -
                             2 * (2 + pi) * c * sqrt(e) + pi + 2);
  EXPECT_LT(abs(alpha - Oracle("1.6732632423543772848170429916717")), Oracle("1e-31"));
  EXPECT_LT(abs(lambda - Oracle("1.0507009873554804934193349852946")), Oracle("1e-31"));
  // selu′ on the left of 0 tends to λα, the reference's product of the published constants.
  const Real left = ref(Fn::selu, Quantity::kDerivative, -0x1p-200, 256);
  EXPECT_LT(abs(Oracle(left) - lambda * alpha), Oracle("1e-30"));
}

// The double tier's Φ carries 1/√2 as two doubles and bounds what they miss by 2^-107.
TEST(Constants, InverseSqrtTwoSplit) {
  using reference::kInvSqrt2Hi;
  using reference::kInvSqrt2Lo;
  const Oracle exact = 1 / sqrt(Oracle(2));
  EXPECT_LT(abs(exact - Oracle(kInvSqrt2Hi)), Oracle(std::ldexp(1.0, -53)));
  EXPECT_LT(abs(exact - Oracle(kInvSqrt2Hi) - Oracle(kInvSqrt2Lo)), Oracle(std::ldexp(1.0, -107)));
}

TEST(Constants, TanhOfOneIsTheRatioOfExponentials) {
  const Oracle e2 = exp(Oracle(2));
  EXPECT_TRUE(agree_to_bits(ref(Fn::tanh, 1.0, 300), Real((e2 - 1) / (e2 + 1)), 290));
}

// σ, softplus and GELU at a few points against a second formula in another precision.
TEST(Constants, SecondFormulas) {
  for (double x : {-20.0, -3.5, -1.0, -0x1p-10, 0.25, 1.0, 2.5, 7.0, 30.0}) {
    const Oracle ox(x);
    const Oracle sigmoid = (1 + tanh(ox / 2)) / 2;                 // σ(x) = (1 + tanh(x/2))/2
    const Oracle softplus = log(1 + exp(ox));                      // the textbook form
    const Oracle gelu = ox / 2 * (1 + erf(ox / sqrt(Oracle(2))));  // the erf form
    EXPECT_TRUE(agree_to_bits(ref(Fn::sigmoid, x, 200), Real(sigmoid), 150)) << x;
    EXPECT_TRUE(agree_to_bits(ref(Fn::softplus, x, 200), Real(softplus), 150)) << x;
    // The oracle's 1 + erf cancels for negative x: Φ(−20) ≈ 2.8e-89 would cost 295 of its 332
    // bits, Φ(−7) ≈ 1.3e-12 costs 40. So it is asked for x ≥ −7 only.
    if (x >= -7) {
      EXPECT_TRUE(agree_to_bits(ref(Fn::gelu, x, 200), Real(gelu), 150)) << x;
    }
  }
  // gelu(3) = 3·Φ(3); Φ(3) = 0.99865010196836990… (standard normal table), checked by mpmath.
  EXPECT_TRUE(agree_to_bits(ref(Fn::gelu, 3.0, 200),
                            Real("2.9959503059051097164200445556972150678665119"), 140));
}

// The largest of a gap between GELU and a tanh approximation, over x in [−6, 6]: a grid of step
// 1/256, then golden-section refinement around the grid's maximum.
struct LargestGap {
  double x;
  double gap;
};
template <class Gap>
LargestGap largest_gap(Gap gap) {
  double best_x = 0, best = 0;
  for (double x = -6; x <= 6; x += 1.0 / 256) {
    if (gap(x) > best) best = gap(x), best_x = x;
  }
  double a = best_x - 1.0 / 256, b = best_x + 1.0 / 256;
  const double r = (std::sqrt(5.0) - 1) / 2;
  for (int i = 0; i < 60; ++i) {
    const double c = b - r * (b - a), d = a + r * (b - a);
    (gap(c) > gap(d) ? b : a) = gap(c) > gap(d) ? d : c;
  }
  return {(a + b) / 2, gap((a + b) / 2)};
}

// The largest gap between GELU and its tanh approximation, near |x| ≈ 2.699: mpmath 1.2.1 (30
// digits, findroot on the gap's derivative) gives 4.7323552068728487711e-4 at x =
// 2.6989413863772703, and so does this reference.
TEST(Constants, MaxGapBetweenGeluAndGeluTanh) {
  const LargestGap largest = largest_gap(
      [](double x) { return double(abs(ref(Fn::gelu, x, 128) - ref(Fn::gelu_tanh, x, 128))); });
  EXPECT_NEAR(largest.gap, 4.7323552068728487e-4, 1e-16);
  EXPECT_NEAR(std::fabs(largest.x), 2.6989413863772703, 1e-6);
  EXPECT_LE(largest.gap, 4.74e-4);  // the bound the catalog's kGeluTanhClose promises
}

// The figure published for that gap, 4.7326e-4, is the gap of the approximation written with
// √(2/π) ≈ 0.797885, its six-digit value: mpmath (as above) gives 4.7326344451185381383e-4 at
// x = 2.6989026150719654 for it. GELU from the reference, the approximation here in the oracle's
// separate MPFR type.
TEST(Constants, PublishedGapIsThatOfTheSixDigitConstant) {
  const LargestGap largest = largest_gap([](double x) {
    const Oracle ox(x);
    const Oracle u = Oracle("0.797885") * (ox + Oracle("0.044715") * ox * ox * ox);
    const Oracle approximation = ox / 2 * (1 + tanh(u));
    return double(abs(Oracle(ref(Fn::gelu, x, 128)) - approximation));
  });
  EXPECT_NEAR(largest.gap, 4.7326344451185381e-4, 1e-16);
  EXPECT_EQ(std::round(largest.gap * 1e8), 47326) << "the published 4.7326e-4, to its 5 digits";
  EXPECT_NEAR(std::fabs(largest.x), 2.6989026150719654, 1e-6);
}

}  // namespace
}  // namespace actcheck::testing

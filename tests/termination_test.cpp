// Every elementwise entry, on every special value and exact case, in every format, returns a
// correctly rounded result (the Ziv loop stops): this suite's ctest timeout bounds the time.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/bits.hpp"
#include "reference/rounding.hpp"
#include "test_support.hpp"

namespace actcheck::testing {
namespace {

std::vector<double> special_values(Fn fn, Format format) {
  const FormatSpec& f = spec(format);
  const double min_sub = std::ldexp(1.0, f.emin - f.precision + 1);
  const double min_normal = std::ldexp(1.0, f.emin);
  const double max_normal = std::ldexp(2 - std::ldexp(1.0, 1 - f.precision), f.emax);
  std::vector<double> xs = {0.0,      -0.0,       INFINITY,    -INFINITY,  NAN,         min_sub,
                            -min_sub, min_normal, -min_normal, max_normal, -max_normal, 1.0,
                            -1.0,     3.0,        0.5,         -3.0,       6.0};
  // Kinks and their neighbours one step away in the format.
  const Params p = default_params(fn);
  for (const Kink& k : activation(fn).kinks) {
    const double at = reference::round_to_format(k.at.eval(p), format);
    const double ulp =
        std::ldexp(1.0, std::max(std::ilogb(at == 0 ? min_normal : at), f.emin) - f.precision + 1);
    for (double x : {at, at - ulp, at + ulp}) xs.push_back(reference::round_to_format(x, format));
  }
  return xs;
}

TEST(Termination, EverySpecialValueOfEveryEntryRounds) {
  for (Fn fn : elementwise_entries()) {
    for (Format format : {Format::kF64, Format::kF32, Format::kF16, Format::kBF16}) {
      for (double x : special_values(fn, format)) {
        for (Quantity q : {Quantity::kValue, Quantity::kDerivative, Quantity::kParamDerivative}) {
          if (!reference::has_quantity(fn, q)) continue;
          const double r = reference::correctly_rounded(fn, q, x, default_params(fn), format);
          EXPECT_EQ(std::isnan(r), std::isnan(x)) << activation(fn).name << " x=" << x;
        }
      }
    }
  }
}

// Exact results must be recognised (a point enclosure), never looped on.
TEST(Termination, ExactCasesRoundAtOnce) {
  struct Case {
    Fn fn;
    Quantity q;
    double x;
    double expected;
  };
  for (const Case& c : {Case{Fn::softsign, Quantity::kValue, 3.0, 0.75},
                        Case{Fn::sigmoid, Quantity::kValue, 0.0, 0.5},
                        Case{Fn::sigmoid, Quantity::kDerivative, 0.0, 0.25},
                        Case{Fn::relu, Quantity::kValue, 2.5, 2.5},
                        Case{Fn::hardswish, Quantity::kValue, 1.0, 2.0 / 3.0},
                        Case{Fn::hardswish, Quantity::kDerivative, 3.0, 1.5},
                        Case{Fn::hardswish, Quantity::kDerivative, -3.0, -0.5},
                        Case{Fn::softshrink, Quantity::kValue, 0x1.000002p+23, 0x1p+23},
                        Case{Fn::tanh, Quantity::kValue, 0.0, 0.0},
                        Case{Fn::mish, Quantity::kDerivative, 0.0, 0.6}}) {
    const double r =
        reference::correctly_rounded(c.fn, c.q, c.x, default_params(c.fn), Format::kF32);
    EXPECT_EQ(r, static_cast<float>(c.expected)) << activation(c.fn).name << " x=" << c.x;
  }
}

TEST(Termination, SignedZerosFollowTheDocumentedRules) {
  const auto f32 = [](Fn fn, double x) {
    return reference::correctly_rounded(fn, Quantity::kValue, x, default_params(fn), Format::kF32);
  };
  EXPECT_TRUE(std::signbit(f32(Fn::tanh, -0.0)));
  EXPECT_TRUE(std::signbit(f32(Fn::silu, -0.0)));
  EXPECT_TRUE(std::signbit(f32(Fn::silu, -200.0)));  // a tiny negative value underflows to −0
  EXPECT_FALSE(std::signbit(f32(Fn::relu, -0.0)));   // the constant-0 branch gives +0
  EXPECT_FALSE(std::signbit(f32(Fn::sigmoid, -200.0)));
  EXPECT_TRUE(std::signbit(f32(Fn::logsigmoid, 200.0)));
}

}  // namespace
}  // namespace actcheck::testing

// The saturation cutoffs and overflow thresholds of catalog/cutoffs.inc, against their definition
// (catalog.hpp, Cutoff), restated here apart from tools/find_cutoffs:
//  - at each row's `at` the property holds, and at the previous value towards zero it does not;
//  - it holds at every value beyond `at`: all of them in f16 and bf16, a seeded sample in f32;
//  - a combination without a row has no value where it holds;
//  - a few cutoffs equal their closed forms, computed in MPFR without the reference.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>

#include "engine/bits.hpp"
#include "reference/rounding.hpp"
#include "test_support.hpp"

namespace actcheck {
inline void PrintTo(Format f, std::ostream* os) { *os << spec(f).name; }
}  // namespace actcheck

namespace actcheck::testing {
namespace {

using reference::same_bits;

constexpr Format kCutoffFormats[] = {Format::kF32, Format::kF16, Format::kBF16};
constexpr Cutoff::Quantity kQuantities[] = {Cutoff::Quantity::kValue,
                                            Cutoff::Quantity::kDerivative};
constexpr Cutoff::Toward kTowards[] = {Cutoff::Toward::kMinusInf, Cutoff::Toward::kPlusInf};
constexpr Cutoff::Kind kKinds[] = {Cutoff::Kind::kSaturation, Cutoff::Kind::kOverflow};

// Cutoffs compare as hex-float strings: exactly, and readably when they differ.
std::string hex(double x) {
  char s[32];
  std::snprintf(s, sizeof s, "%a", x);
  return s;
}

std::string describe(const Cutoff& c) {
  return std::string(activation(c.fn).name) +
         (c.quantity == Cutoff::Quantity::kValue ? " value " : " derivative ") +
         std::string(spec(c.format).name) +
         (c.toward == Cutoff::Toward::kMinusInf ? " -inf " : " +inf ") +
         (c.kind == Cutoff::Kind::kSaturation ? "saturation at " : "overflow at ") + hex(c.at);
}

// The definition. `exact` asks MPFR alone (Ziv) rather than the fast tier first.
bool holds(const Cutoff& c, double x, bool exact = false) {
  const Params p = default_params(c.fn);
  const Quantity q =
      c.quantity == Cutoff::Quantity::kValue ? Quantity::kValue : Quantity::kDerivative;
  const double y = exact ? reference::correctly_rounded(c.fn, q, x, p, c.format)
                         : reference::rounded(c.fn, q, x, p, c.format);
  if (c.kind == Cutoff::Kind::kOverflow) return std::isinf(y);
  const Activation& a = activation(c.fn);
  const Tail& tail = c.toward == Cutoff::Toward::kMinusInf ? a.minus_inf : a.plus_inf;
  const double v = tail.value.eval(p);
  if (c.quantity == Cutoff::Quantity::kDerivative) {
    return tail.kind == TailKind::kConstant ? y == 0
                                            : same_bits(y, reference::round_to_format(v, c.format));
  }
  if (tail.kind == TailKind::kConstant) {
    return same_bits(y, reference::round_to_format(v, c.format));
  }
  const Oracle product = Oracle(v) * Oracle(x);  // exact
  return same_bits(y, reference::round_to_format(product.backend().data(), c.format));
}

// Magnitude patterns of one sign: 0 is ±0, largest_finite the largest finite value.
std::uint64_t sign_bit(const Cutoff& c) {
  return c.toward == Cutoff::Toward::kMinusInf ? engine::pattern_count(c.format) / 2 : 0;
}
std::uint64_t largest_finite(Format format) { return engine::to_bits(INFINITY, format) - 1; }

TEST(CutoffTable, RowsAreWellFormed) {
  std::size_t grouped = 0;
  for (const Activation& a : kCatalog) grouped += cutoffs(a.id).size();
  EXPECT_EQ(grouped, std::size(kCutoffs)) << "rows of one function are not contiguous";
  for (const Cutoff& c : kCutoffs) {
    SCOPED_TRACE(describe(c));
    EXPECT_TRUE(is_elementwise(activation(c.fn).kind));
    EXPECT_NE(c.format, Format::kF64);
    EXPECT_TRUE(std::isfinite(c.at));
    EXPECT_TRUE(same_bits(reference::round_to_format(c.at, c.format), c.at)) << "not in format";
    EXPECT_EQ(std::signbit(c.at), c.toward == Cutoff::Toward::kMinusInf);
    for (const Cutoff& d : cutoffs(c.fn)) {
      if (&d == &c) continue;
      EXPECT_FALSE(d.quantity == c.quantity && d.format == c.format && d.toward == c.toward &&
                   d.kind == c.kind)
          << "duplicate";
    }
  }
}

class Cutoffs : public ::testing::TestWithParam<Fn> {};

TEST_P(Cutoffs, HoldFromTheCutoffOutwardsAndNotJustBefore) {
  for (const Cutoff& c : cutoffs(GetParam())) {
    SCOPED_TRACE(describe(c));
    const std::uint64_t sign = sign_bit(c);
    const std::uint64_t at = engine::to_bits(c.at, c.format) & ~sign;
    const std::uint64_t max = largest_finite(c.format);
    EXPECT_TRUE(holds(c, c.at, /*exact=*/true));
    if (at > 0) {
      const double before = engine::from_bits(sign | (at - 1), c.format);
      EXPECT_FALSE(holds(c, before, /*exact=*/true)) << "holds at " << std::hexfloat << before;
    }
    auto expect_holds = [&](std::uint64_t m) {
      const double x = engine::from_bits(sign | m, c.format);
      const bool ok = holds(c, x);
      EXPECT_TRUE(ok) << "fails beyond the cutoff, at " << std::hexfloat << x;
      return ok;
    };
    if (spec(c.format).storage_bits <= 16) {
      for (std::uint64_t m = at + 1; m <= max; ++m) {
        if (!expect_holds(m)) break;
      }
    } else if (at < max) {
      std::mt19937_64 rng(at);
      std::uniform_int_distribution<std::uint64_t> pick(at + 1, max);
      for (int i = 0; i < 2000; ++i) {
        if (!expect_holds(pick(rng))) break;
      }
    }
  }
}

TEST_P(Cutoffs, CombinationsWithoutARowNeverHold) {
  const Fn fn = GetParam();
  for (Cutoff::Quantity q : kQuantities) {
    for (Format f : kCutoffFormats) {
      for (Cutoff::Toward t : kTowards) {
        for (Cutoff::Kind k : kKinds) {
          const Cutoff c{fn, q, f, t, k, 0.0};
          bool listed = false;
          for (const Cutoff& d : cutoffs(fn)) {
            listed |= d.quantity == q && d.format == f && d.toward == t && d.kind == k;
          }
          if (listed) continue;
          SCOPED_TRACE(describe(c));
          const std::uint64_t max = largest_finite(f);
          // Every value in the 16-bit formats; in f32 the largest, where a tail shows first.
          const std::uint64_t first = spec(f).storage_bits <= 16 ? 0 : max;
          for (std::uint64_t m = first; m <= max; ++m) {
            const double x = engine::from_bits(sign_bit(c) | m, f);
            ASSERT_FALSE(holds(c, x)) << "no row, but holds at " << std::hexfloat << x;
          }
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Catalog, Cutoffs, ::testing::ValuesIn(elementwise_entries()),
                         [](const ::testing::TestParamInfo<Fn>& info) {
                           return std::string(activation(info.param).name);
                         });

// ---- Closed forms ------------------------------------------------------------------------------

// The smallest value at or above x > 0 on the grid of a format with `precision` bits, where x is
// in its normal range.
double first_at_or_above(const Oracle& x, int precision) {
  int e;
  frexp(x, &e);  // x = m·2^e, m in [1/2, 1): the spacing at x is 2^(e − precision)
  const Oracle spacing = ldexp(Oracle(1), e - precision);
  return static_cast<double>(Oracle(ceil(x / spacing) * spacing));
}

// The row's `at` as a hex float, or "none".
std::string listed(Fn fn, Cutoff::Quantity q, Format f, Cutoff::Toward t, Cutoff::Kind k) {
  for (const Cutoff& c : cutoffs(fn)) {
    if (c.quantity == q && c.format == f && c.toward == t && c.kind == k) return hex(c.at);
  }
  return "none";
}

std::string saturation(Fn fn, Format f, Cutoff::Toward t) {
  return listed(fn, Cutoff::Quantity::kValue, f, t, Cutoff::Kind::kSaturation);
}

Oracle pow2(int k) { return ldexp(Oracle(1), k); }

class CutoffClosedForm : public ::testing::TestWithParam<Format> {
 protected:
  const int p = spec(GetParam()).precision;
};

// Rounding to nearest-even sends 1 − 2^-(p+1), halfway between 1 − 2^-p and 1, to 1: a function
// approaching 1 from below rounds to 1 exactly when 1 − f ≤ 2^-(p+1). Likewise −1 + u rounds to
// −1 when u ≤ 2^-(p+1), and a positive value to +0 when it is at most half the smallest subnormal,
// 2^(emin − p).

TEST_P(CutoffClosedForm, Sigmoid) {
  // 1 − σ(x) = 1/(1 + e^x) ≤ 2^-(p+1)  ⇔  x ≥ ln(2^(p+1) − 1).
  EXPECT_EQ(saturation(Fn::sigmoid, GetParam(), Cutoff::Toward::kPlusInf),
            hex(first_at_or_above(log(pow2(p + 1) - 1), p)));
  // σ(x) = 1/(1 + e^−x) ≤ 2^-k, k = p − emin  ⇔  −x ≥ ln(2^k − 1).
  const int k = p - spec(GetParam()).emin;
  EXPECT_EQ(saturation(Fn::sigmoid, GetParam(), Cutoff::Toward::kMinusInf),
            hex(-first_at_or_above(log(pow2(k) - 1), p)));
}

TEST_P(CutoffClosedForm, Tanh) {
  // 1 − tanh x = 2/(e^(2x) + 1) ≤ 2^-(p+1)  ⇔  x ≥ ln(2^(p+2) − 1)/2; tanh is odd.
  const double t = first_at_or_above(log(pow2(p + 2) - 1) / 2, p);
  EXPECT_EQ(saturation(Fn::tanh, GetParam(), Cutoff::Toward::kPlusInf), hex(t));
  EXPECT_EQ(saturation(Fn::tanh, GetParam(), Cutoff::Toward::kMinusInf), hex(-t));
}

TEST_P(CutoffClosedForm, Softsign) {
  // 1 − x/(1 + x) = 1/(1 + x) ≤ 2^-(p+1)  ⇔  x ≥ 2^(p+1) − 1; softsign is odd.
  const double t = first_at_or_above(pow2(p + 1) - 1, p);
  EXPECT_EQ(saturation(Fn::softsign, GetParam(), Cutoff::Toward::kPlusInf), hex(t));
  EXPECT_EQ(saturation(Fn::softsign, GetParam(), Cutoff::Toward::kMinusInf), hex(-t));
}

TEST_P(CutoffClosedForm, Elu) {
  // elu(x) = −1 + e^x for x ≤ 0 (α = 1): −1 once e^x ≤ 2^-(p+1)  ⇔  −x ≥ (p+1)·ln 2.
  EXPECT_EQ(saturation(Fn::elu, GetParam(), Cutoff::Toward::kMinusInf),
            hex(-first_at_or_above((p + 1) * log(Oracle(2)), p)));
}

TEST_P(CutoffClosedForm, SeluOverflow) {
  // λx rounds to +inf from the midpoint between the largest finite value and 2^(emax+1) on (a tie
  // goes to the even 2^(emax+1)): λx ≥ 2^(emax+1)·(1 − 2^-(p+1)).
  const Oracle lambda("1.0507009873554804934193349852946");
  const int emax = spec(GetParam()).emax;
  EXPECT_EQ(listed(Fn::selu, Cutoff::Quantity::kValue, GetParam(), Cutoff::Toward::kPlusInf,
                   Cutoff::Kind::kOverflow),
            hex(first_at_or_above(pow2(emax + 1) * (1 - pow2(-(p + 1))) / lambda, p)));
}

INSTANTIATE_TEST_SUITE_P(Formats, CutoffClosedForm, ::testing::ValuesIn(kCutoffFormats),
                         [](const ::testing::TestParamInfo<Format>& info) {
                           return std::string(spec(info.param).name);
                         });

}  // namespace
}  // namespace actcheck::testing

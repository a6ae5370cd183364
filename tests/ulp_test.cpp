// The ULP measure and the exact sum, on hand-made cases whose answers follow from the definitions
// (design: Numbers), not from the code.
#include "engine/ulp.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "engine/exact_sum.hpp"
#include "reference/reference.hpp"
#include "reference/rounding.hpp"

namespace actcheck::engine {
namespace {

using reference::Exact;

// An exact value that is itself a value of the format (so it is its own rounding).
Exact exactly(double v) { return {v, v}; }

TEST(Ulp, SpacingFollowsTheDefinition) {
  EXPECT_EQ(ulp(1.0, Format::kF32), 0x1p-23);
  EXPECT_EQ(ulp(1.5, Format::kF32), 0x1p-23);
  EXPECT_EQ(ulp(0.99, Format::kF32), 0x1p-24);  // the binade below 1
  EXPECT_EQ(ulp(1.0, Format::kF16), 0x1p-10);
  EXPECT_EQ(ulp(1.0, Format::kBF16), 0x1p-7);
  EXPECT_EQ(ulp(0.0, Format::kF32), 0x1p-149);  // the smallest subnormal
  EXPECT_EQ(ulp(0x1p-140, Format::kF32), 0x1p-149);
  EXPECT_EQ(ulp(0x1p-20, Format::kF16), 0x1p-24);
  EXPECT_EQ(ulp(-65504.0, Format::kF16), 32.0);
}

TEST(Ulp, NextValueIsOneStep) {
  for (Format f : {Format::kF32, Format::kF16, Format::kBF16}) {
    for (double v : {1.0, -1.0, 0x1p-20, 3.0, -0x1.8p+5}) {
      const double up = next_up(v, f);
      const UlpError e = measure(up, exactly(v), f);
      EXPECT_EQ(e.steps, 1u) << v;
      EXPECT_EQ(e.ulps, (up - v) / ulp(v, f)) << v;
      EXPECT_EQ(e.mismatch, Mismatch::kNone);
    }
  }
  // Across a binade boundary: 1 − 2^-24 is one float32 step below 1, half an ulp of 1.
  const UlpError below_one = measure(1.0 - 0x1p-24, exactly(1.0), Format::kF32);
  EXPECT_EQ(below_one.steps, 1u);
  EXPECT_EQ(below_one.ulps, 0.5);
}

TEST(Ulp, FractionalErrorAgainstAnInexactValue) {
  // v = 1 + 0.3 ulp rounds to 1; returning 1 + ulp is 0.7 ulp off and one step away. The engine
  // measures against v on the 40-bit grid: within 2^-16 ulp in float32, as documented.
  const double u = 0x1p-23;
  const Exact v{1.0,
                reference::round_to_format(1.0 + 0.3 * u, reference::measuring_grid(Format::kF32))};
  EXPECT_EQ(measure(1.0, v, Format::kF32).steps, 0u);
  EXPECT_NEAR(measure(1.0, v, Format::kF32).ulps, 0.3, 0x1p-16);
  EXPECT_NEAR(measure(1.0 + u, v, Format::kF32).ulps, 0.7, 0x1p-16);
  EXPECT_EQ(measure(1.0 + u, v, Format::kF32).steps, 1u);
}

TEST(Ulp, SubnormalsAndZeroes) {
  const Format f = Format::kF16;
  const double tiny = 0x1p-24;
  EXPECT_EQ(measure(tiny, exactly(0.0), f).steps, 1u);
  EXPECT_EQ(measure(tiny, exactly(0.0), f).ulps, 1.0);
  EXPECT_EQ(measure(-tiny, exactly(tiny), f).steps, 2u);  // −tiny, ±0, +tiny
  EXPECT_EQ(measure(3 * tiny, exactly(tiny), f).steps, 2u);
  const UlpError zeros = measure(-0.0, exactly(0.0), f);
  EXPECT_EQ(zeros.mismatch, Mismatch::kSignedZero);
  EXPECT_EQ(zeros.steps, 0u);
  EXPECT_EQ(zeros.ulps, 0.0);
  EXPECT_EQ(measure(0.0, exactly(0.0), f).mismatch, Mismatch::kNone);
  // The largest subnormal and the smallest normal are neighbours.
  EXPECT_EQ(measure(0x1p-14, exactly(0x1p-14 - tiny), f).steps, 1u);
}

TEST(Ulp, NonFiniteValues) {
  const Format f = Format::kF32;
  EXPECT_EQ(measure(NAN, exactly(NAN), f).mismatch, Mismatch::kNone);
  EXPECT_EQ(measure(NAN, exactly(NAN), f).ulps, 0.0);
  EXPECT_EQ(measure(INFINITY, exactly(INFINITY), f).mismatch, Mismatch::kNone);
  EXPECT_EQ(measure(-INFINITY, exactly(INFINITY), f).mismatch, Mismatch::kNonFinite);
  EXPECT_EQ(measure(NAN, exactly(1.0), f).mismatch, Mismatch::kNonFinite);
  EXPECT_EQ(measure(1.0, exactly(NAN), f).mismatch, Mismatch::kNonFinite);
  EXPECT_EQ(measure(INFINITY, exactly(3.0), f).mismatch, Mismatch::kNonFinite);
  // An exact value beyond the largest float rounds to inf: the largest float is a mismatch.
  const double max = 0x1.fffffep+127;
  EXPECT_EQ(measure(max, {INFINITY, 0x1p+129}, f).mismatch, Mismatch::kNonFinite);
  EXPECT_EQ(measure(INFINITY, {INFINITY, 0x1p+129}, f).mismatch, Mismatch::kNone);
}

// measure_plain, each version the CPU runs, against measure on one batch per format: results
// correctly rounded, misrounded by a step or more, of the other sign, ±0 against each other,
// subnormal, the largest finite, ±inf and NaN, each measured against an exact value between its
// grid neighbours. A result is plain exactly where measure finds it finite and correctly rounded,
// and then its ulps are measure's, bit for bit.
TEST(Ulp, MeasurePlainIsMeasuresCommonCaseInEveryLaneWidth) {
  struct Version {
    const char* name;
    detail::MeasurePlain f;
    bool runs;
  };
  __builtin_cpu_init();
  const Version versions[] = {
      {"avx512", detail::kMeasurePlainAvx512, __builtin_cpu_supports("x86-64-v4") != 0},
      {"avx2", detail::kMeasurePlainAvx2, __builtin_cpu_supports("x86-64-v3") != 0},
      {"baseline", detail::kMeasurePlainBaseline, true}};
  std::mt19937_64 rng(20261207);
  for (Format format : {Format::kF32, Format::kF16, Format::kBF16}) {
    const reference::NearestRounding round(spec(format));
    const reference::NearestRounding to_grid(reference::measuring_grid(format));
    std::vector<double> y;
    std::vector<Exact> exact;
    for (int i = 0; i < 4000; ++i) {
      // Every binade of the format, from below its subnormals to beyond its overflow threshold.
      const FormatSpec& f = spec(format);
      const int span = f.emax - f.emin + f.precision + 3;
      const int e = static_cast<int>(rng() % span) + f.emin - f.precision - 1;
      const double v =
          (rng() & 1 ? -1 : 1) * std::ldexp(1 + static_cast<double>(rng() >> 12) * 0x1p-52, e);
      const Exact x{round(v), to_grid(v)};
      const double candidates[] = {x.rounded,
                                   next_up(x.rounded, format),
                                   next_down(next_down(x.rounded, format), format),
                                   -x.rounded,
                                   INFINITY,
                                   NAN};
      y.push_back(candidates[rng() % 4 == 0 ? rng() % 6 : 0]);
      exact.push_back(x);
    }
    const double max = from_ordinal(ordinal(INFINITY, format) - 1, format);
    for (auto [result, value] :
         std::initializer_list<std::pair<double, double>>{{0.0, -0.0},
                                                          {-0.0, -0.0},
                                                          {0.0, 0.0},
                                                          {max, max},
                                                          {INFINITY, INFINITY},
                                                          {-INFINITY, INFINITY},
                                                          {NAN, NAN},
                                                          {1.0, NAN},
                                                          {ulp(0.0, format), 0.0}}) {
      y.push_back(result);
      exact.push_back({value, value});
    }
    for (const Version& version : versions) {
      if (!version.runs) continue;
      std::vector<double> ulps(y.size());
      std::vector<std::uint8_t> plain(y.size());
      version.f(y.data(), exact.data(), y.size(), spec(format), ulps.data(), plain.data());
      std::size_t plain_count = 0;
      for (std::size_t i = 0; i < y.size(); ++i) {
        const UlpError e = measure(y[i], exact[i], format);
        const bool common = std::isfinite(y[i]) && std::isfinite(exact[i].rounded) &&
                            e.steps == 0 && e.mismatch == Mismatch::kNone;
        const bool last_few = i >= y.size() / 8 * 8;  // a width may leave them to measure
        if (!last_few) {
          ASSERT_EQ(plain[i] != 0, common) << version.name << " " << std::hexfloat << y[i];
        }
        if (plain[i]) {
          ASSERT_TRUE(reference::same_bits(ulps[i], e.ulps))
              << version.name << " " << std::hexfloat << y[i] << " " << ulps[i] << " " << e.ulps;
          ++plain_count;
        }
      }
      EXPECT_GT(plain_count, y.size() / 2) << version.name;  // the common case was exercised
      EXPECT_LT(plain_count, y.size()) << version.name;      // and so was the other
    }
  }
}

TEST(Ulp, OrdinalsAreTheBitLinearOrder) {
  const Format f = Format::kBF16;
  EXPECT_EQ(ordinal(0.0, f), 0);
  EXPECT_EQ(ordinal(-0.0, f), -1);
  EXPECT_EQ(ordinal(INFINITY, f), 0x7f80);
  double v = -INFINITY;
  std::int64_t expected = ordinal(v, f);
  while (v != INFINITY) {  // every value once, in increasing order
    const double next = from_ordinal(ordinal(v, f) + 1, f);
    ASSERT_TRUE(next > v || (next == 0 && v == 0 && !std::signbit(next))) << v;
    ASSERT_EQ(ordinal(next, f), ++expected);
    v = next;
  }
}

TEST(ExactSum, OrderDoesNotMatter) {
  std::mt19937_64 rng(7);
  std::vector<double> terms;
  for (int i = 0; i < 10000; ++i) {
    terms.push_back(std::ldexp(std::uniform_real_distribution<double>(0, 1)(rng),
                               std::uniform_int_distribution<int>(-1070, 60)(rng)));
  }
  terms.push_back(0x1p-1074);
  terms.push_back(0x1.fffffffffffffp+1000);
  ExactSum forward, backward, left, right;
  for (double t : terms) forward.add(t);
  for (auto it = terms.rbegin(); it != terms.rend(); ++it) backward.add(*it);
  for (std::size_t i = 0; i < terms.size(); ++i) (i % 3 ? left : right).add(terms[i]);
  left.merge(right);
  EXPECT_TRUE(forward == backward);
  EXPECT_TRUE(forward == left);
  EXPECT_EQ(forward.value(), backward.value());
  EXPECT_TRUE(ExactSum::from_hex(forward.to_hex()) == forward);
}

TEST(ExactSum, ValueIsTheSum) {
  // 2^53 + 1 + 1: left-to-right double sums lose both ones (each sum is a tie, to even 2^53).
  ExactSum s;
  for (double t : {0x1p53, 1.0, 1.0}) s.add(t);
  EXPECT_EQ(s.value(), 0x1p53 + 2);
  // 1000 × double(0.1) = 100 + 1000·(0.1d − 0.1) = 100 + 5.55e-15, below half an ulp of 100.
  ExactSum tenths;
  for (int i = 0; i < 1000; ++i) tenths.add(0.1);
  EXPECT_EQ(tenths.value(), 100.0);
  ExactSum small;
  small.add(0x1p-1074);
  small.add(0x1p-1074);
  EXPECT_EQ(small.value(), 0x1p-1073);
  EXPECT_THROW(ExactSum::from_hex("12g"), std::invalid_argument);
}

}  // namespace
}  // namespace actcheck::engine

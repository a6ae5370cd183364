// Nearest rounding into a format, against independent roundings: the hardware's double→float
// conversion, GCC's double→_Float16, and the two implementations (MPFR, double) against each other.
#include "reference/rounding.hpp"

#include <gtest/gtest.h>
#include <mpfr.h>

#include <cmath>
#include <cstring>
#include <random>

#include "reference/reference.hpp"  // measuring_grid

namespace actcheck::reference {
namespace {

double via_mpfr(double v, Format format) {
  mpfr_t m;
  mpfr_init2(m, 53);
  mpfr_set_d(m, v, MPFR_RNDN);
  const double r = round_to_format(m, format);
  mpfr_clear(m);
  return r;
}

// Doubles spread over every binade of the carrier, both signs, with random significands.
std::vector<double> random_doubles(std::size_t n) {
  std::mt19937_64 rng(20261123);
  std::vector<double> out;
  for (std::size_t i = 0; i < n; ++i) {
    const int e = static_cast<int>(rng() % 2098) - 1074;
    const double significand = 1 + std::ldexp(static_cast<double>(rng() >> 11), -53);
    out.push_back((rng() & 1 ? -1 : 1) * std::ldexp(significand, e));
  }
  return out;
}

TEST(Rounding, Float32AgreesWithTheHardwareConversion) {
  for (double v : random_doubles(200000)) {
    ASSERT_TRUE(same_bits(round_to_format(v, Format::kF32), static_cast<float>(v))) << v;
    ASSERT_TRUE(same_bits(via_mpfr(v, Format::kF32), static_cast<float>(v))) << v;
  }
}

TEST(Rounding, Float16AgreesWithGccsFloat16Conversion) {
  for (double v : random_doubles(200000)) {
    const auto h = static_cast<double>(static_cast<_Float16>(v));
    ASSERT_TRUE(same_bits(round_to_format(v, Format::kF16), h)) << v;
    ASSERT_TRUE(same_bits(via_mpfr(v, Format::kF16), h)) << v;
  }
}

TEST(Rounding, BFloat16MpfrAndDoubleImplementationsAgree) {
  for (double v : random_doubles(200000)) {
    ASSERT_TRUE(same_bits(round_to_format(v, Format::kBF16), via_mpfr(v, Format::kBF16))) << v;
  }
}

// NearestRounding::is_value is round_to_format's fixed points, for random doubles (rarely values of
// a narrower format) and for their roundings (always values), in every format and in a 40-bit grid.
TEST(Rounding, IsValueOfHoldsExactlyForWhatRoundingLeavesUnchanged) {
  const FormatSpec& grid = measuring_grid(Format::kF32);
  const FormatSpec* formats[] = {&spec(Format::kF64), &spec(Format::kF32), &spec(Format::kF16),
                                 &spec(Format::kBF16), &grid};
  std::vector<double> values = random_doubles(100000);
  for (double v : {0.0, -0.0, double{INFINITY}, double{-INFINITY}, double{NAN}, 0x1p-1074, 0x1p200,
                   0x1.8p-149, 0x1p-149, 0x1.ffffffp127, 0x1.fffffep127}) {
    values.push_back(v);
  }
  std::size_t values_of_f32 = 0;
  for (const FormatSpec* f : formats) {
    for (double v : values) {
      for (double w : {v, round_to_format(v, *f)}) {
        const bool unchanged = same_bits(round_to_format(w, *f), w);
        ASSERT_EQ(NearestRounding(*f).is_value(w), unchanged)
            << f->name << " " << std::hexfloat << w;
        if (f == formats[1] && w == v && unchanged) ++values_of_f32;
      }
    }
  }
  EXPECT_LT(values_of_f32, 1000u);  // the random doubles did exercise the negative answer
}

// The double is_midpoint against MPFR's, on random doubles (never ties) and on the ties next to
// their roundings (always ties, the overflow threshold among them), in every format.
TEST(Rounding, DoubleAndMpfrMidpointTestsAgree) {
  const FormatSpec& grid = measuring_grid(Format::kF32);
  const FormatSpec* formats[] = {&spec(Format::kF32), &spec(Format::kF16), &spec(Format::kBF16),
                                 &grid};
  std::vector<double> values = random_doubles(100000);
  for (double v : {0x1p-150, 0x1.fffffep127 + 0x1p103, 0x1p-25, 65520.0}) values.push_back(v);
  mpfr_t m;
  mpfr_init2(m, 53);
  std::size_t ties = 0;
  for (const FormatSpec* f : formats) {
    for (double v : values) {
      const double r = round_to_format(v, *f);
      if (r == 0 || !std::isfinite(r)) continue;
      const double half_step = std::ldexp(1.0, std::max(std::ilogb(r), f->emin) - f->precision);
      for (double w : {v, r + half_step, r - half_step}) {
        if (!std::isfinite(w)) continue;
        mpfr_set_d(m, w, MPFR_RNDN);
        ASSERT_EQ(is_midpoint(w, *f), is_midpoint(m, *f)) << f->name << " " << std::hexfloat << w;
        ties += is_midpoint(w, *f);
      }
    }
  }
  mpfr_clear(m);
  EXPECT_GT(ties, 100000u);  // the probes found ties: the positive answer was exercised
}

// The fast tier rounds enclosures in lanes (reference/lanes.hpp) with the template that rounds one
// double, which the tests above hold against the hardware, GCC and MPFR: every lane of 2, 4 and 8
// must give that double's rounding and tie test, on random doubles, their ties and the specials.
template <std::size_t kWidth>
void expect_lanes_agree_with_one_double(const NearestRounding& round, std::vector<double> values) {
  using Doubles = typename lanes::Lanes<kWidth>::Doubles;
  values.resize((values.size() + kWidth - 1) / kWidth * kWidth, 1.0);
  for (std::size_t first = 0; first < values.size(); first += kWidth) {
    Doubles v;
    std::memcpy(&v, &values[first], sizeof v);
    const Doubles rounded = round(v);
    const auto ties = round.is_midpoint(v);
    for (std::size_t lane = 0; lane < kWidth; ++lane) {
      const double w = values[first + lane];
      ASSERT_TRUE(same_bits(rounded[lane], round(w)))
          << round.format().name << " width " << kWidth << " " << std::hexfloat << w;
      ASSERT_EQ(ties[lane] != 0, round.is_midpoint(w))
          << round.format().name << " width " << kWidth << " " << std::hexfloat << w;
    }
  }
}

TEST(Rounding, LanesRoundAndFindTiesAsOneDoubleDoes) {
  const FormatSpec& grid = measuring_grid(Format::kF32);
  const FormatSpec* formats[] = {&spec(Format::kF64), &spec(Format::kF32), &spec(Format::kF16),
                                 &spec(Format::kBF16), &grid};
  for (const FormatSpec* f : formats) {
    const NearestRounding round(*f);
    std::vector<double> values;
    for (double v : random_doubles(20000)) {
      const double r = round(v);
      const double half_step =
          r == 0 || !std::isfinite(r)
              ? 0.0
              : std::ldexp(1.0, std::max(std::ilogb(r), f->emin) - f->precision);
      for (double w : {v, r, r + half_step, r - half_step}) values.push_back(w);
    }
    for (double v : {0.0, -0.0, double{INFINITY}, double{-INFINITY}, double{NAN}, -double{NAN},
                     0x1p-1074, 0x1p-150, 0x1.8p-149, 0x1.fffffep127 + 0x1p103, 65520.0}) {
      values.push_back(v);
    }
    expect_lanes_agree_with_one_double<2>(round, values);
    expect_lanes_agree_with_one_double<4>(round, values);
    expect_lanes_agree_with_one_double<8>(round, values);
  }
}

TEST(Rounding, HandMadeCases) {
  const double min_sub16 = std::ldexp(1.0, -24);
  // Ties go to even: halfway between 1 and the next float16 (1 + 2^-10) goes down to 1.
  EXPECT_EQ(round_to_format(1 + std::ldexp(1.0, -11), Format::kF16), 1.0);
  EXPECT_EQ(round_to_format(1 + 3 * std::ldexp(1.0, -11), Format::kF16), 1 + std::ldexp(1, -9));
  // Gradual underflow: half the smallest subnormal is a tie to 0; just above rounds up.
  EXPECT_EQ(round_to_format(min_sub16 / 2, Format::kF16), 0.0);
  EXPECT_EQ(via_mpfr(min_sub16 / 2, Format::kF16), 0.0);
  EXPECT_EQ(round_to_format(min_sub16 * 0.5000001, Format::kF16), min_sub16);
  EXPECT_EQ(via_mpfr(min_sub16 * 0.5000001, Format::kF16), min_sub16);
  EXPECT_TRUE(std::signbit(via_mpfr(-min_sub16 / 4, Format::kF16)));
  // Overflow: 65520 = 65504 + half an ulp is a tie that rounds to even, which is infinity.
  EXPECT_EQ(round_to_format(65519.99, Format::kF16), 65504.0);
  EXPECT_EQ(round_to_format(65520.0, Format::kF16), INFINITY);
  EXPECT_EQ(via_mpfr(65520.0, Format::kF16), INFINITY);
  EXPECT_EQ(via_mpfr(-1e300, Format::kBF16), -INFINITY);
  // bfloat16 has float32's range and 8 bits: 1 + 2^-8 is a tie to 1, 1 + 3·2^-8 goes up.
  EXPECT_EQ(round_to_format(1 + std::ldexp(1.0, -8), Format::kBF16), 1.0);
  EXPECT_EQ(round_to_format(1 + 3 * std::ldexp(1.0, -8), Format::kBF16), 1 + std::ldexp(1, -6));
  EXPECT_TRUE(std::isnan(round_to_format(NAN, Format::kF32)));
}

}  // namespace
}  // namespace actcheck::reference

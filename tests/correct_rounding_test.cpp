// Correct rounding, for every elementwise entry, value, derivative and parameter gradient:
//  - on all 65,536 float16 and all 65,536 bfloat16 inputs, and on 10^5 seeded float32 inputs;
//  - the Ziv result equals the rounding of a 256-bit evaluation wherever that evaluation decides
//    the rounding, and lies between the roundings of its ends where it does not (cancellation
//    can cost more than 256 bits: tanhshrink near 0);
//  - every answer the fast double tier decides equals the Ziv result, and the engine's Exact (the
//    correctly rounded value and the 40-bit measuring value) is the same from both tiers.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "engine/bits.hpp"
#include "reference/rounding.hpp"
#include "test_support.hpp"

namespace actcheck::testing {
namespace {

using reference::same_bits;

struct Tally {
  std::size_t checked = 0;
  std::size_t fast_decided = 0;
  std::size_t beyond_256_bits = 0;
};

void check_input(Fn fn, Format format, double x, Tally& tally) {
  const Params p = default_params(fn);
  for (Quantity q : {Quantity::kValue, Quantity::kDerivative, Quantity::kParamDerivative}) {
    if (!reference::has_quantity(fn, q)) continue;
    const reference::Exact mpfr = reference::exact(fn, q, x, p, format, reference::Tier::kMpfrOnly);
    const reference::Exact both = reference::exact(fn, q, x, p, format);
    ASSERT_TRUE(same_bits(mpfr.rounded, both.rounded) && same_bits(mpfr.approx, both.approx))
        << activation(fn).name << " " << to_string(q) << " x=" << std::hexfloat << x;
    const double r = mpfr.rounded;
    const reference::MpfrInterval e = reference::enclose(fn, q, x, p, 256);
    if (std::optional<double> d = reference::decide_rounding(e, format)) {
      ASSERT_TRUE(same_bits(r, *d))
          << activation(fn).name << " " << to_string(q) << " x=" << std::hexfloat << x
          << " ziv=" << r << " 256-bit=" << *d;
    } else {
      const double lo = reference::round_to_format(e.lo(), format);
      const double hi = reference::round_to_format(e.hi(), format);
      ASSERT_TRUE(lo <= r && r <= hi) << activation(fn).name << " x=" << std::hexfloat << x;
      ++tally.beyond_256_bits;
    }
    if (std::optional<double> fast = reference::fast_rounded(fn, q, x, p, format)) {
      ASSERT_TRUE(same_bits(*fast, r))
          << activation(fn).name << " " << to_string(q) << " x=" << std::hexfloat << x
          << " fast=" << *fast << " exact=" << r;
      ++tally.fast_decided;
    }
    ++tally.checked;
  }
}

class CorrectRounding : public ::testing::TestWithParam<Fn> {
 protected:
  void Report(const Tally& t) {
    RecordProperty("checked", std::to_string(t.checked));
    RecordProperty("fast_decided", std::to_string(t.fast_decided));
    std::printf("%s: %zu results, %.2f%% decided by the fast tier, %zu needed > 256 bits\n",
                activation(GetParam()).name.data(), t.checked,
                100.0 * static_cast<double>(t.fast_decided) / static_cast<double>(t.checked),
                t.beyond_256_bits);
  }
  void Exhaustive(Format format) {
    Tally tally;
    for (std::uint64_t bits = 0; bits < engine::pattern_count(format); ++bits) {
      check_input(GetParam(), format, engine::from_bits(bits, format), tally);
      if (HasFatalFailure()) return;
    }
    Report(tally);
  }
};

TEST_P(CorrectRounding, AllFloat16Inputs) { Exhaustive(Format::kF16); }
TEST_P(CorrectRounding, AllBFloat16Inputs) { Exhaustive(Format::kBF16); }

TEST_P(CorrectRounding, SeededFloat32Sample) {
  std::mt19937 rng(static_cast<unsigned>(GetParam()) + 2026);
  Tally tally;
  for (int i = 0; i < 100000; ++i) {
    check_input(GetParam(), Format::kF32, engine::from_bits(rng(), Format::kF32), tally);
    if (HasFatalFailure()) return;
  }
  Report(tally);
}

// The double tier's form of swish near 0 depends on the sign of β (x/2 plus or minus a little):
// β other than the default 1, on the float32 values whose x/2 are ties and their neighbours.
TEST(CorrectRounding, SwishNearZeroForEverySignOfBeta) {
  std::mt19937 rng(2026);
  std::size_t fast = 0;
  for (double beta : {-2.0, -0.5, 0.5, 3.0}) {
    const Params p{{beta}};
    for (int i = 0; i < 4000; ++i) {
      const std::uint64_t bits = (rng() & 0x80000000u) | (rng() % 3 << 23) | (rng() & 0x7fffff);
      const double x = engine::from_bits(bits, Format::kF32);
      const reference::Exact mpfr = reference::exact(Fn::swish, Quantity::kValue, x, p,
                                                     Format::kF32, reference::Tier::kMpfrOnly);
      const reference::Exact both =
          reference::exact(Fn::swish, Quantity::kValue, x, p, Format::kF32);
      ASSERT_TRUE(same_bits(mpfr.rounded, both.rounded) && same_bits(mpfr.approx, both.approx))
          << "beta=" << beta << " x=" << std::hexfloat << x;
      fast += reference::fast_rounded(Fn::swish, Quantity::kValue, x, p, Format::kF32).has_value();
    }
  }
  EXPECT_GT(fast, 15000u);  // the fast tier decided them, ties included
}

INSTANTIATE_TEST_SUITE_P(Catalog, CorrectRounding, ::testing::ValuesIn(elementwise_entries()),
                         [](const ::testing::TestParamInfo<Fn>& info) {
                           return std::string(activation(info.param).name);
                         });

}  // namespace
}  // namespace actcheck::testing

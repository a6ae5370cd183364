// Input sets: what each promises (every value once; every binade with the same count; specials with
// their neighbours; files read exactly, with errors that say where).
#include "engine/input_set.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <vector>

#include "engine/bits.hpp"
#include "engine/text.hpp"
#include "engine/ulp.hpp"
#include "reference/rounding.hpp"
#include "temp_path.hpp"

namespace actcheck::engine {
namespace {

InputSpec spec_of(const char* text) { return parse_input_spec(text); }

TEST(InputSets, ExhaustiveHoldsEveryValueOnce) {
  for (Format f : {Format::kF16, Format::kBF16}) {
    ElementInputs set(spec_of("exhaustive"), Fn::tanh, {}, f);
    std::set<std::uint64_t> patterns;
    int nans = 0;
    for (std::uint64_t i = 0; i < set.size(); ++i) {
      const double v = set.at(i);
      if (std::isnan(v)) {
        ++nans;
      } else {
        patterns.insert(to_bits(v, f));
      }
    }
    EXPECT_EQ(nans, 1);
    // Every pattern but the NaNs: 2^16 minus 2·(2^(mantissa bits) − 1).
    const std::uint64_t mantissa = std::uint64_t{1} << (spec(f).precision - 1);
    EXPECT_EQ(patterns.size(), pattern_count(f) - 2 * (mantissa - 1));
    EXPECT_EQ(set.size(), patterns.size() + 1);
  }
}

TEST(InputSets, StratifiedTakesTheSameCountFromEveryBinade) {
  const Format f = Format::kF32;
  ElementInputs set(spec_of("sample:51000"), Fn::tanh, {}, f);
  ASSERT_EQ(set.size(), 510u * 100);  // 2 signs × 255 exponent fields, 100 each
  std::map<std::pair<bool, int>, std::set<double>> strata;
  for (std::uint64_t i = 0; i < set.size(); ++i) {
    const double v = set.at(i);
    ASSERT_FALSE(std::isnan(v) || std::isinf(v));
    const int field = static_cast<int>((to_bits(v, f) >> 23) & 0xff);
    strata[{std::signbit(v), field}].insert(v);
  }
  EXPECT_EQ(strata.size(), 510u);
  for (const auto& [key, values] : strata) EXPECT_EQ(values.size(), 100u);  // no repeats
  // Seeded and deterministic: the same set twice; another seed, another set.
  ElementInputs again(spec_of("sample:51000"), Fn::tanh, {}, f);
  InputSpec other_seed = spec_of("sample:51000");
  other_seed.seed = 1;
  ElementInputs other(other_seed, Fn::tanh, {}, f);
  int differ = 0;
  for (std::uint64_t i = 0; i < set.size(); i += 97) {
    ASSERT_TRUE(reference::same_bits(set.at(i), again.at(i)));
    differ += !reference::same_bits(set.at(i), other.at(i));
  }
  EXPECT_GT(differ, 0);
}

// Sweeps fill ranges of inputs (float32 samples in lanes), `at` one at a time (one input takes no
// lanes): both give every input the same value, from any start.
TEST(InputSets, FillingARangeGivesWhatEachInputGivesAlone) {
  for (Format f : {Format::kF32, Format::kF16}) {
    ElementInputs set(spec_of("sample:51000"), Fn::tanh, {}, f);
    for (std::uint64_t first : {std::uint64_t{0}, std::uint64_t{37}, set.size() - 1000}) {
      std::vector<double> range(set.size() - first);
      set.fill(first, range);
      for (std::uint64_t i = 0; i < range.size(); ++i) {
        ASSERT_TRUE(reference::same_bits(range[i], set.at(first + i)))
            << spec(f).name << " input " << first + i;
      }
    }
  }
}

// The exhaustive float32 set, filled in ranges (in lanes): the positive patterns in order from +0
// to +inf, one NaN, then the negative ones from −0, at its start, across the NaN and at its end.
TEST(InputSets, ExhaustiveFloat32RangesFollowThePatternOrder) {
  ElementInputs set(spec_of("exhaustive"), Fn::tanh, {}, Format::kF32);
  const std::uint64_t positives = 0x7f800001;  // +0 … +inf
  ASSERT_EQ(set.size(), 2 * positives + 1);
  const auto expected = [&](std::uint64_t i) {
    if (i < positives) return from_bits(i, Format::kF32);
    return i == positives ? NAN : from_bits((i - positives - 1) | 0x80000000, Format::kF32);
  };
  for (std::uint64_t first :
       {std::uint64_t{0}, positives - 700, positives + 1, set.size() - 1000}) {
    std::vector<double> range(1000);
    set.fill(first, range);
    for (std::uint64_t i = 0; i < range.size(); ++i) {
      ASSERT_TRUE(reference::same_bits(range[i], expected(first + i))) << "input " << first + i;
    }
  }
}

TEST(InputSets, StratifiedTakesSmallBinadesWhole) {
  ElementInputs set(spec_of("sample:100000000"), Fn::tanh, {}, Format::kBF16);
  EXPECT_EQ(set.size(), 2u * 255 * 128);  // every finite bfloat16 value
}

TEST(InputSets, SpecialValuesHoldKinksExtremesAndNeighbours) {
  const std::vector<double> v = special_values(Fn::relu6, default_params(Fn::relu6), Format::kF16);
  auto has = [&](double x) {
    return std::any_of(v.begin(), v.end(), [x](double y) { return reference::same_bits(x, y); });
  };
  for (double x :
       {0.0, -0.0, 6.0, next_up(6.0, Format::kF16), next_down(6.0, Format::kF16), 65504.0, -65504.0,
        double{INFINITY}, double{-INFINITY}, 0x1p-24, 0x1p-14, std::log(65504.0)}) {
    EXPECT_TRUE(has(reference::round_to_format(x, Format::kF16))) << x;
  }
  EXPECT_TRUE(std::isnan(v.back()));
  for (std::size_t i = 1; i + 1 < v.size(); ++i) {
    EXPECT_LT(ordinal(v[i - 1], Format::kF16), ordinal(v[i], Format::kF16));  // sorted, unique
  }
}

std::string write_temp(const char* name, const std::string& text) {
  const std::string path = actcheck::testing::temp_path(name);
  std::ofstream(path) << text;
  return path;
}

TEST(InputSets, FilesAreReadExactlyAndErrorsSayWhere) {
  const std::string good =
      write_temp("good.txt", "# hard cases\n0x1.8p+1\n\n-0.5  # a comment\ninf\n");
  ElementInputs set(parse_input_spec("file:" + good), Fn::tanh, {}, Format::kF16);
  ASSERT_EQ(set.size(), 3u);
  EXPECT_EQ(set.at(0), 3.0);
  EXPECT_EQ(set.at(1), -0.5);
  EXPECT_EQ(set.at(2), INFINITY);

  const std::string bad = write_temp("bad.txt", "1\n0.1\n");
  try {
    ElementInputs(parse_input_spec("file:" + bad), Fn::tanh, {}, Format::kF16);
    FAIL() << "0.1 is no float16 value";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.txt:2"), std::string::npos) << e.what();
  }
  const std::string junk = write_temp("junk.txt", "1\n2\nabc\n");
  EXPECT_THROW(ElementInputs(parse_input_spec("file:" + junk), Fn::tanh, {}, Format::kF32),
               InputError);
  EXPECT_THROW(ElementInputs(parse_input_spec("file:/nonexistent"), Fn::tanh, {}, Format::kF32),
               InputError);
}

TEST(InputSets, SpecsParseOrSayWhy) {
  EXPECT_EQ(parse_input_spec("sample:12").count, 12u);
  EXPECT_EQ(parse_input_spec("exhaustive").kind, InputKind::kExhaustive);
  for (const char* bad : {"sample:", "sample:0", "sample:-3", "sample:1x", "everything", "file:"}) {
    EXPECT_THROW(parse_input_spec(bad), InputError) << bad;
  }
}

TEST(InputSets, RowsFitTheirFunction) {
  const Params p = default_params(Fn::glu);
  RowInputs rows(spec_of("sample:50"), Fn::glu, p, Format::kF32);
  EXPECT_GT(rows.size(), 50u);  // the adversarial rows come first
  for (std::uint64_t i = 0; i < rows.size(); ++i) {
    const RowInput r = rows.at(i);
    EXPECT_EQ(r.x.size() % 2, 0) << i;
    EXPECT_EQ(r.dy.size(), r.x.size() / 2) << i;
    EXPECT_LE(r.x.size(), 4096 + 1);
  }
  EXPECT_THROW(RowInputs(spec_of("exhaustive"), Fn::softmax, {}, Format::kF16), InputError);
}

}  // namespace
}  // namespace actcheck::engine

// Bit patterns ⇄ values, checked against the hardware's float and the published encodings.
#include "engine/bits.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>

#include "reference/rounding.hpp"

namespace actcheck::engine {
namespace {

TEST(Bits, Float32MatchesTheHardwareOnEveryExponentAndSomeMantissas) {
  for (std::uint64_t e = 0; e < 256; ++e) {
    for (std::uint64_t m : {0ull, 1ull, 0x400000ull, 0x7fffffull, 0x123457ull}) {
      for (std::uint64_t s : {0ull, 1ull}) {
        const std::uint64_t pattern = (s << 31) | (e << 23) | m;
        const float f = std::bit_cast<float>(static_cast<std::uint32_t>(pattern));
        const double v = from_bits(pattern, Format::kF32);
        if (std::isnan(f)) {
          EXPECT_TRUE(std::isnan(v));
          continue;
        }
        EXPECT_TRUE(reference::same_bits(v, static_cast<double>(f))) << std::hex << pattern;
        EXPECT_EQ(to_bits(v, Format::kF32), pattern) << std::hex << pattern;
      }
    }
  }
}

TEST(Bits, Float16PublishedEncodings) {
  // IEEE 754 binary16: 0x3c00 = 1, 0x7bff = 65504, 0x0001 = 2^-24, 0x0400 = 2^-14, 0xc000 = -2.
  EXPECT_EQ(from_bits(0x3c00, Format::kF16), 1.0);
  EXPECT_EQ(from_bits(0x7bff, Format::kF16), 65504.0);
  EXPECT_EQ(from_bits(0x0001, Format::kF16), std::ldexp(1.0, -24));
  EXPECT_EQ(from_bits(0x0400, Format::kF16), std::ldexp(1.0, -14));
  EXPECT_EQ(from_bits(0xc000, Format::kF16), -2.0);
  EXPECT_EQ(from_bits(0x7c00, Format::kF16), INFINITY);
  EXPECT_TRUE(std::isnan(from_bits(0x7e00, Format::kF16)));
  EXPECT_TRUE(std::signbit(from_bits(0x8000, Format::kF16)));
}

TEST(Bits, BFloat16IsTheTopHalfOfFloat32) {
  for (std::uint64_t pattern = 0; pattern < pattern_count(Format::kBF16); ++pattern) {
    const float f = std::bit_cast<float>(static_cast<std::uint32_t>(pattern << 16));
    const double v = from_bits(pattern, Format::kBF16);
    if (std::isnan(f)) {
      ASSERT_TRUE(std::isnan(v));
      continue;
    }
    ASSERT_TRUE(reference::same_bits(v, static_cast<double>(f))) << std::hex << pattern;
  }
}

TEST(Bits, EveryNonNanPatternRoundTripsAndIsRepresentable) {
  for (Format format : {Format::kF16, Format::kBF16}) {
    for (std::uint64_t pattern = 0; pattern < pattern_count(format); ++pattern) {
      const double v = from_bits(pattern, format);
      if (std::isnan(v)) continue;
      ASSERT_EQ(to_bits(v, format), pattern) << spec(format).name << " " << std::hex << pattern;
      ASSERT_TRUE(reference::same_bits(reference::round_to_format(v, format), v));
    }
  }
}

}  // namespace
}  // namespace actcheck::engine

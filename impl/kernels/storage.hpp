// Conversions between the storage formats and the double the kernels compute in: widen() is exact,
// narrow<T>() rounds once to nearest even with gradual underflow and overflow to ±inf, and keeps
// NaN a quiet NaN. Written with integer and double operations only, so that the loops vectorise
// without F16C and every instruction set gives the same bits. Compiled per instruction set, like
// math.hpp.
#pragma once

#include "impl/kernels/math.hpp"
#include "impl/storage.hpp"

namespace actcheck::impl::ACTCHECK_ISA {

ACTCHECK_ALWAYS_INLINE double pow2(std::int64_t n) {
  return from_bits(static_cast<std::uint64_t>(n + 1023) << 52);
}

ACTCHECK_ALWAYS_INLINE double widen(float x) { return x; }

ACTCHECK_ALWAYS_INLINE double widen(BFloat16 x) {
  return std::bit_cast<float>(static_cast<std::uint32_t>(x.bits) << 16);
}

// sign·(m + 1024·[e > 0])·2^(max(e, 1) − 25), and ±inf or NaN for e = 31. Flags as integers and
// the sign as a bit, so that the loops stay free of branches.
ACTCHECK_ALWAYS_INLINE double widen(Float16 x) {
  const std::uint32_t h = std::bit_cast<std::uint16_t>(x);
  const std::int32_t e = (h >> 10) & 31;  // 32-bit: AVX2 converts int32 to double, not int64
  const std::int32_t m = h & 1023;
  const std::int32_t normal = e != 0;
  const double magnitude = static_cast<double>(m + (normal << 10)) * pow2(e + 1 - normal - 25);
  const double special = m == 0 ? HUGE_VAL : std::numeric_limits<double>::quiet_NaN();
  const double value = e == 31 ? special : magnitude;
  return from_bits(bits(value) | (static_cast<std::uint64_t>(h & 0x8000) << 48));
}

// |x| rounded to nearest even onto the grid of a format with `precision` significant bits and
// least normal exponent `emin`: the spacing there is u = 2^(max(E, emin) − precision + 1) for
// |x| ∈ [2^E, 2^(E+1)), and adding 1.5·2^52·u rounds |x| to a multiple of u in one IEEE addition
// (ties to even, as the low bit of the sum is the low bit of the multiple). Exact: subtracting it
// back. Gives 2^(emax+1) or more where the format overflows; the caller turns that into ±inf.
template <int precision, int emin>
ACTCHECK_ALWAYS_INLINE double round_magnitude_to_grid(double magnitude) {
  const std::int64_t exponent = static_cast<std::int64_t>(bits(magnitude) >> 52) - 1023;
  const std::int64_t grid_exponent = (exponent > emin ? exponent : emin) - (precision - 1);
  const double shift = 1.5 * pow2(grid_exponent + 52);
  return (magnitude + shift) - shift;
}

template <class T>
T narrow(double x);

template <>
ACTCHECK_ALWAYS_INLINE float narrow<float>(double x) {
  return static_cast<float>(x);  // one IEEE conversion: cvtsd2ss and its vector forms alike
}

// Rounds to float16's grid, then encodes the (exactly representable) result: the exponent and
// the top 10 fraction bits of a normal double, or m = |r|·2^24 for a subnormal.
template <>
ACTCHECK_ALWAYS_INLINE Float16 narrow<Float16>(double x) {
  const double magnitude = abs(x);
  const double r = round_magnitude_to_grid<11, -14>(min(magnitude, 0x1p17));
  const std::uint64_t rb = bits(r);
  const std::uint64_t normal = (((rb >> 52) - 1023 + 15) << 10) | ((rb >> 42) & 1023);
  const std::uint64_t subnormal = bits(r * 0x1p24 + 0x1p52) & 0x3ff;  // the integer r·2^24 < 1024
  std::uint64_t h = r < 0x1p-14 ? subnormal : normal;
  h = r >= 0x1p16 ? 0x7c00 : h;
  h = x != x ? 0x7e00 : h;
  h |= (bits(x) >> 48) & 0x8000;
  return std::bit_cast<Float16>(static_cast<std::uint16_t>(h));
}

// Rounds to bfloat16's grid; the result converts to float exactly (or to ±inf where bfloat16
// overflows, since its grid there is float32's), and its top half is the bfloat16.
template <>
ACTCHECK_ALWAYS_INLINE BFloat16 narrow<BFloat16>(double x) {
  const double r = round_magnitude_to_grid<8, -126>(min(abs(x), 0x1p129));
  std::uint32_t b = std::bit_cast<std::uint32_t>(static_cast<float>(r)) >> 16;
  b = x != x ? 0x7fc0 : b;
  b |= static_cast<std::uint32_t>(bits(x) >> 48) & 0x8000;
  return BFloat16{static_cast<std::uint16_t>(b)};
}

}  // namespace actcheck::impl::ACTCHECK_ISA

// Storage formats of the kernels: float32, float16 (_Float16) and bfloat16 (the top half of a
// float32).
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "catalog/format.hpp"

namespace actcheck::impl {

using Float16 = _Float16;

// bfloat16 as stored: the sign, exponent and top 7 fraction bits of a float32.
struct BFloat16 {
  std::uint16_t bits = 0;
};

// Round to nearest even; NaN stays a (quiet) NaN, overflow goes to ±inf.
inline BFloat16 to_bfloat16(float x) {
  std::uint32_t u = std::bit_cast<std::uint32_t>(x);
  if (std::isnan(x)) return {static_cast<std::uint16_t>((u >> 16) | 0x40)};
  u += 0x7fff + ((u >> 16) & 1);
  return {static_cast<std::uint16_t>(u >> 16)};
}

inline float to_float(BFloat16 x) { return std::bit_cast<float>(std::uint32_t{x.bits} << 16); }

// Host-side conversions between the storage types and float/double (the kernels have their own,
// compiled per instruction set): to_double is exact; from_float rounds to nearest even, exactly
// when x is a value of T.
inline double to_double(float x) { return x; }
inline double to_double(Float16 x) { return static_cast<double>(x); }
inline double to_double(BFloat16 x) { return to_float(x); }
template <class T>
T from_float(float x) {
  if constexpr (std::is_same_v<T, BFloat16>) {
    return to_bfloat16(x);
  } else {
    return static_cast<T>(x);
  }
}

// x rounded to nearest even into `format` (f32 and f64 leave it as it is): how the float32
// backends (libm, sleef) store their results in the narrow formats.
inline float round_to_storage(float x, Format format) {
  switch (format) {
    case Format::kF16:
      return static_cast<float>(to_double(from_float<Float16>(x)));
    case Format::kBF16:
      return static_cast<float>(to_double(from_float<BFloat16>(x)));
    default:
      return x;
  }
}

}  // namespace actcheck::impl

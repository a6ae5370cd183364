// The carrier double at the bit level: exponent extraction and powers of two without libm calls.
// The engine rounds, encodes and measures billions of values per exhaustive sweep; ldexp, ilogb
// and frexp are out-of-line calls that cost more than the arithmetic around them.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

namespace actcheck::carrier {

inline constexpr std::uint64_t kSignBit = std::uint64_t{1} << 63;
inline constexpr int kMantissaBits = 52;
inline constexpr int kBias = 1023;
inline constexpr std::uint64_t kMantissaMask = (std::uint64_t{1} << kMantissaBits) - 1;

// 2^e, exactly; e must lie in the normal range [−1022, 1023].
constexpr double pow2(int e) {
  return std::bit_cast<double>(static_cast<std::uint64_t>(e + kBias) << kMantissaBits);
}

// x·2^e, exactly when the result is representable: ldexp without the call where 2^e is normal.
inline double scale(double x, int e) {
  return e >= -1022 && e <= 1023 ? x * pow2(e) : std::ldexp(x, e);
}

// The biased exponent field of |v| (0 for zeros and subnormals, 2047 for inf and NaN).
constexpr int exponent_field(double v) {
  return static_cast<int>((std::bit_cast<std::uint64_t>(v) >> kMantissaBits) & 0x7ff);
}

// ⌊log2 |v|⌋ for finite non-zero v: ilogb without the call.
inline int binade(double v) {
  const int field = exponent_field(v);
  return field != 0 ? field - kBias : std::ilogb(v);  // subnormal doubles are rare: ask libm
}

}  // namespace actcheck::carrier

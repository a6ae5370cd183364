// Float vectors of the instruction set's width, for the float32 paths (float_math.hpp): GCC vector
// extensions, so that the arithmetic reads as scalar code, plus the few operations the extensions
// do not give: the fused multiply-add, a 16-entry table lookup (one vpermps on AVX-512) and a
// test of a lane mask. The portable build uses 4 lanes and per-lane std::fma: slow, but the same
// bits, since every operation is correctly rounded on every set.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

#include "impl/kernels/math.hpp"

namespace actcheck::impl::ACTCHECK_ISA::simd {

#if defined(__AVX512F__)
inline constexpr std::size_t kLanes = 16;
#elif defined(__AVX2__)
inline constexpr std::size_t kLanes = 8;
#else
inline constexpr std::size_t kLanes = 4;
#endif

using Floats = float __attribute__((vector_size(kLanes * sizeof(float))));
using Ints = std::int32_t __attribute__((vector_size(kLanes * sizeof(float))));  // masks: −1 or 0

ACTCHECK_ALWAYS_INLINE Ints as_ints(Floats v) { return reinterpret_cast<Ints>(v); }
ACTCHECK_ALWAYS_INLINE Floats as_floats(Ints v) { return reinterpret_cast<Floats>(v); }

// c in every lane, −0 included (Floats{} + c would give +0 for c = −0).
ACTCHECK_ALWAYS_INLINE Floats splat(float c) { return c - Floats{}; }

ACTCHECK_ALWAYS_INLINE Floats fma(Floats a, Floats b, Floats c) {
#if defined(__AVX512F__)
  return _mm512_fmadd_ps(a, b, c);
#elif defined(__FMA__)
  return _mm256_fmadd_ps(a, b, c);
#else
  Floats r;
  for (std::size_t i = 0; i < kLanes; ++i) r[i] = std::fma(a[i], b[i], c[i]);
  return r;
#endif
}

// b < a ? b : a and b > a ? b : a, lane by lane: a where either is NaN, and a where a and b are
// zeros of opposite signs. These are vminps(b, a) and vmaxps(b, a) exactly; GCC compiles the
// extensions' selects to a compare and a blend instead (two instructions).
ACTCHECK_ALWAYS_INLINE Floats min(Floats a, Floats b) {
#if defined(__AVX512F__)
  return _mm512_maskz_min_ps(0xffff, b, a);  // _mm512_min_ps warns in GCC 12
#elif defined(__AVX2__)
  return _mm256_min_ps(b, a);
#else
  return b < a ? b : a;
#endif
}
ACTCHECK_ALWAYS_INLINE Floats max(Floats a, Floats b) {
#if defined(__AVX512F__)
  return _mm512_maskz_max_ps(0xffff, b, a);
#elif defined(__AVX2__)
  return _mm256_max_ps(b, a);
#else
  return b > a ? b : a;
#endif
}

// c − a·b, rounded once: fma(−a, b, c) in one instruction (GCC does not fold the negation into
// the intrinsic).
ACTCHECK_ALWAYS_INLINE Floats fnma(Floats a, Floats b, Floats c) {
#if defined(__AVX512F__)
  return _mm512_fnmadd_ps(a, b, c);
#elif defined(__FMA__)
  return _mm256_fnmadd_ps(a, b, c);
#else
  return fma(-a, b, c);
#endif
}

// table[j mod 16] in each lane: the low 4 bits of j, as vpermps and the extensions' shuffle read
// it, so that a lane whose j is out of range (one whose result is not used) reads an entry too.
ACTCHECK_ALWAYS_INLINE Floats lookup16(const float (&table)[16], Ints j) {
  if constexpr (kLanes == 16) {
    Floats t;
    std::memcpy(&t, table, sizeof t);
    return __builtin_shuffle(t, j);
  } else if constexpr (kLanes == 8) {
    Floats low, high;
    std::memcpy(&low, table, sizeof low);
    std::memcpy(&high, table + 8, sizeof high);
    return __builtin_shuffle(low, high, j);
  } else {
    Floats r;
    for (std::size_t i = 0; i < kLanes; ++i) r[i] = table[j[i] & 15];
    return r;
  }
}

// The mask's lanes as the low bits of an integer, lane i in bit i; kEveryLaneBits when all are
// set.
inline constexpr std::uint32_t kEveryLaneBits = (std::uint32_t{1} << kLanes) - 1;
ACTCHECK_ALWAYS_INLINE std::uint32_t lane_bits(Ints mask) {
#if defined(__AVX512DQ__)
  return _mm512_movepi32_mask(reinterpret_cast<__m512i>(mask));
#elif defined(__AVX2__)
  return static_cast<std::uint32_t>(_mm256_movemask_ps(reinterpret_cast<__m256>(mask)));
#else
  std::uint32_t bits = 0;
  for (std::size_t i = 0; i < kLanes; ++i) bits |= std::uint32_t{mask[i] != 0} << i;
  return bits;
#endif
}

// The first `count` ≤ kLanes floats at p, the other lanes 0; and the way back.
ACTCHECK_ALWAYS_INLINE Floats load(const float* p, std::size_t count) {
  Floats v{};
  std::memcpy(&v, p, count * sizeof(float));
  return v;
}
ACTCHECK_ALWAYS_INLINE void store(float* p, Floats v, std::size_t count) {
  std::memcpy(p, &v, count * sizeof(float));
}

}  // namespace actcheck::impl::ACTCHECK_ISA::simd

// float16 and bfloat16 elements in registers of floats, so that the float32 paths serve them too.
// widen_lanes is exact. narrow_lanes rounds a float path's result to nearest even in the storage
// format and says where that rounding is certain: the float paths are within 1 ULP of float32 of
// the exact value (measured: the kernels' doc blocks), so where the result lies more than
// kFloatPathUlps ULP from every midpoint of the storage grid, the exact value rounds the same way.
// float16's grid is 2^13 times coarser than float32's, bfloat16's 2^16 times, so about one result
// in 2^10 (float16) or 2^13 (bfloat16) is not certain; loops.hpp computes those by the double path,
// as it does NaN. Correct rounding makes the result the same on every instruction set, whichever
// path a lane takes.
#pragma once

#include <bit>
#include <cstring>

#include "impl/kernels/float_math.hpp"
#include "impl/storage.hpp"

namespace actcheck::impl::ACTCHECK_ISA {

// Whether float16 and bfloat16 take the float paths. Not on the portable set: without a hardware
// fma its float paths run slower than the double path (sigmoid: 0.05 against 0.5 G elements/s).
// Both give the correctly rounded result, so the instruction sets still agree bit for bit, and
// kernels_test's InstructionSets tests compare the two paths on every float16 and bfloat16 input.
#if defined(__FMA__) && (defined(__AVX512F__) || defined(__F16C__))
inline constexpr bool kStorageTakesFloatPaths = true;
#else
inline constexpr bool kStorageTakesFloatPaths = false;
#endif

// The margin, in ULP of float32, that a float path's result keeps from a midpoint of the storage
// grid for its rounding to count as certain: 4, against the 1 the float paths are measured within.
inline constexpr int kFloatPathUlps = 4;

// Whether a float lies more than kFloatPathUlps of its ULP from every midpoint of a grid whose
// spacing is 2^dropped of them, given its significand (24 bits, the leading 1 included; only the
// low `dropped` bits are read, so the bit pattern serves while they lie below the exponent): the
// bits that narrowing drops, against the midpoint's pattern 100…0. A midpoint lies inside a binade
// or at its bottom, and the exact value lies within 1 ULP of the float: so where this holds, both
// round alike.
ACTCHECK_ALWAYS_INLINE Ints clear_of_midpoints(Ints significand, Ints dropped) {
  const Ints midpoint = (Ints{} + 1) << (dropped - 1);
  const Ints from_midpoint = (significand & (midpoint + midpoint - 1)) - midpoint;
  return (from_midpoint > kFloatPathUlps) | (from_midpoint < -kFloatPathUlps);
}

using Halves = std::uint16_t __attribute__((vector_size(simd::kLanes * sizeof(std::uint16_t))));

// The bit patterns of a register's worth of elements of T.
template <class T>
using Codes = std::conditional_t<std::is_same_v<T, float>, Floats, Halves>;

// A float path's result in T: bit patterns, and where their rounding is certain.
template <class T>
struct NarrowedLanes {
  Codes<T> codes;
  Ints certain;
};

// float16 to float and back by the IEEE conversions of AVX-512F and F16C (vcvtph2ps, vcvtps2ph,
// rounding to nearest even). The portable set has neither (nor an fma): there float16 and bfloat16
// keep the double path.
#if defined(__AVX512F__)
// The masked forms: GCC 12 warns that the unmasked ones read an uninitialised register.
inline constexpr __mmask16 kEveryLane = 0xffff;
ACTCHECK_ALWAYS_INLINE Floats float16_to_float(Halves h) {
  return reinterpret_cast<Floats>(_mm512_maskz_cvtph_ps(kEveryLane, reinterpret_cast<__m256i>(h)));
}
ACTCHECK_ALWAYS_INLINE Halves float_to_float16(Floats v) {
  __m256i h = _mm512_maskz_cvtps_ph(kEveryLane, reinterpret_cast<__m512>(v),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  // In a register: GCC would fold the store that follows into vcvtps2ph's memory form, which is
  // slow on AMD's cores (float16 relu: 3.9 against 5.2 G elements/s on this EPYC).
  asm("" : "+v"(h));
  return reinterpret_cast<Halves>(h);
}
#elif defined(__F16C__)
ACTCHECK_ALWAYS_INLINE Floats float16_to_float(Halves h) {
  return reinterpret_cast<Floats>(_mm256_cvtph_ps(reinterpret_cast<__m128i>(h)));
}
ACTCHECK_ALWAYS_INLINE Halves float_to_float16(Floats v) {
  return reinterpret_cast<Halves>(
      _mm256_cvtps_ph(reinterpret_cast<__m256>(v), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}
#endif

#if defined(__AVX512F__) || defined(__F16C__)
ACTCHECK_ALWAYS_INLINE Floats widen_lanes(Halves h, Float16) { return float16_to_float(h); }

// float16's grid is float32's with 13 bits dropped from 2^-14 (its smallest normal) to 2^16, and
// more below, where its spacing stays 2^-24: 126 − E for a biased exponent E, up to 30 (below
// 2^-30 everything rounds to 0, far from the least midpoint 2^-25). From 2^16 on (the midpoint
// 65520 lies below) the float and the exact value both round to ∞. NaN is never certain.
ACTCHECK_ALWAYS_INLINE NarrowedLanes<Float16> narrow_lanes(Floats v, Float16) {
  const Ints bits = simd::as_ints(v);
  const Ints by_exponent = 126 - ((bits >> 23) & 0xff);
  const Ints dropped =
      by_exponent < 13 ? Ints{} + 13 : (by_exponent > 30 ? Ints{} + 30 : by_exponent);
  const Ints significand = (bits & 0x7fffff) | 0x800000;
  const Ints certain = (clear_of_midpoints(significand, dropped) & (v == v)) | (abs(v) >= 0x1p16f);
  return {float_to_float16(v), certain};
}
#endif

ACTCHECK_ALWAYS_INLINE Floats widen_lanes(Halves h, BFloat16) {
  return simd::as_floats(__builtin_convertvector(h, Ints) << 16);
}

// bfloat16 is float32's top half: rounding the bit pattern's low half to nearest even rounds the
// value (and carries into the exponent, up to ∞, as it should). Results below 2^-118, where
// bfloat16's spacing nears float32's subnormals, are left to the double path unless they are 0.
// ±∞ (low half 0) count as certain; NaN does not.
ACTCHECK_ALWAYS_INLINE NarrowedLanes<BFloat16> narrow_lanes(Floats v, BFloat16) {
  const Ints bits = simd::as_ints(v);
  const Ints magnitude_bits = bits & 0x7fffffff;
  const Ints rounded = (magnitude_bits + 0x7fff + ((magnitude_bits >> 16) & 1)) >> 16;
  const Floats magnitude = simd::as_floats(magnitude_bits);
  const Ints certain =
      ((magnitude >= 0x1p-118f) & clear_of_midpoints(bits, Ints{} + 16)) | (magnitude == 0.0f);
  return {__builtin_convertvector(rounded | ((bits >> 16) & 0x8000), Halves), certain};
}

// float32 itself: the float path's result as it is.
ACTCHECK_ALWAYS_INLINE NarrowedLanes<float> narrow_lanes(Floats v, float) {
  return {v, Ints{} - 1};
}

// The first `count` ≤ kLanes elements at p as floats (exactly), the other lanes 0.
template <class T>
ACTCHECK_ALWAYS_INLINE Floats load_lanes(const T* p, std::size_t count) {
  if constexpr (std::is_same_v<T, float>) {
    return simd::load(p, count);
  } else {
    Halves h{};
    std::memcpy(&h, p, count * sizeof(T));
    return widen_lanes(h, T{});
  }
}

template <class T>
ACTCHECK_ALWAYS_INLINE void store_lanes(T* p, Codes<T> codes, std::size_t count) {
  if constexpr (std::is_same_v<T, float>) {
    simd::store(p, codes, count);
  } else {
    std::memcpy(static_cast<void*>(p), &codes, count * sizeof(T));
  }
}

}  // namespace actcheck::impl::ACTCHECK_ISA

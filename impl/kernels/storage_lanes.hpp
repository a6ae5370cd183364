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

#include <array>
#include <bit>
#include <cstring>

#include "impl/kernels/float_math.hpp"
#include "impl/storage.hpp"

namespace actcheck::impl::ACTCHECK_KERNEL_ISA {

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
inline constexpr float kFloatPathUlps = 4;

using Halves = std::uint16_t __attribute__((vector_size(simd::kLanes * sizeof(std::uint16_t))));

// The bit patterns of a register's worth of elements of T.
template <class T>
using Codes = std::conditional_t<std::is_same_v<T, float>, Floats, Halves>;

// Elements of T as floats, and the bit patterns they came from, from which the double path gets
// them back.
template <class T>
struct StorageLanes {
  Floats values;
  Codes<T> codes;
};

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
  return reinterpret_cast<Halves>(_mm512_maskz_cvtps_ph(
      kEveryLane, reinterpret_cast<__m512>(v), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
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

// The certainty of float16's rounding: how far |v| lies from the nearest midpoint, half the grid
// spacing 2^(E−10), E = max(exponent of |v|, −14), less its distance from the rounded value r. Past
// the largest float16, r = ∞ counts as 2^16, the next power of 2, so that the midpoint 65520 is
// found too; from 2^16 on, v and the exact value both round to ∞.
ACTCHECK_ALWAYS_INLINE NarrowedLanes<Float16> narrow_lanes(Floats v, Float16) {
  const Halves codes = float_to_float16(v);
  const Floats magnitude = min(abs(v), splat(0x1p17f));
  const Floats r = min(abs(float16_to_float(codes)), splat(0x1p16f));
  const Ints biased = simd::as_ints(magnitude) >> 23;
  const Ints grid_binade = biased < 127 - 14 ? Ints{} + (127 - 14) : biased;
  const Floats half_spacing = simd::as_floats((grid_binade - 11) << 23);
  // |v| − r is exact (they lie within a spacing of each other), and so is the margin but for a
  // rounding far below kFloatPathUlps.
  const Floats margin = half_spacing - abs(magnitude - r);
  const Ints certain = (margin > magnitude * (kFloatPathUlps * 0x1p-23f)) | (magnitude >= 0x1p16f);
  return {codes, certain & (v == v)};
}
#endif

ACTCHECK_ALWAYS_INLINE Floats widen_lanes(Halves h, BFloat16) {
  return simd::as_floats(__builtin_convertvector(h, Ints) << 16);
}

// bfloat16 is float32's top half: rounding the bit pattern's low half to nearest even rounds the
// value (and carries into the exponent, up to ∞, as it should). Results below 2^-118, where
// bfloat16's spacing nears float32's subnormals, are left to the double path unless they are 0.
ACTCHECK_ALWAYS_INLINE NarrowedLanes<BFloat16> narrow_lanes(Floats v, BFloat16) {
  const Ints bits = simd::as_ints(v);
  const Ints magnitude_bits = bits & 0x7fffffff;
  const Ints rounded = (magnitude_bits + 0x7fff + ((magnitude_bits >> 16) & 1)) >> 16;
  const Floats magnitude = simd::as_floats(magnitude_bits);
  const Floats r = simd::as_floats(rounded << 16);
  const Floats half_spacing = simd::as_floats((magnitude_bits & 0x7f800000) - (8 << 23));
  // NaN where |v| is ∞ or NaN, −∞ where v rounds up to ∞: both left to the double path (but ±∞).
  const Floats margin = half_spacing - abs(magnitude - r);
  const Ints normal_enough =
      (magnitude >= 0x1p-118f) & (margin > magnitude * (kFloatPathUlps * 0x1p-23f));
  const Ints certain = normal_enough | (magnitude == 0.0f) | (magnitude == splat(INFINITY));
  return {__builtin_convertvector(rounded | ((bits >> 16) & 0x8000), Halves), certain};
}

// float32 itself: the float path's result as it is.
ACTCHECK_ALWAYS_INLINE NarrowedLanes<float> narrow_lanes(Floats v, float) {
  return {v, Ints{} - 1};
}

template <class T>
ACTCHECK_ALWAYS_INLINE StorageLanes<T> load_lanes(const T* p, std::size_t count) {
  if constexpr (std::is_same_v<T, float>) {
    const Floats v = simd::load(p, count);
    return {v, v};
  } else {
    // The first `count` ≤ kLanes elements, the other lanes 0.
    Halves h{};
    std::memcpy(&h, p, count * sizeof(T));
    return {widen_lanes(h, T{}), h};
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

// A register loaded by load_lanes, as the elements it came from.
template <class T>
using Lanes = std::array<T, simd::kLanes>;
template <class T>
ACTCHECK_ALWAYS_INLINE Lanes<T> elements_of(const StorageLanes<T>& lanes) {
  return std::bit_cast<Lanes<T>>(lanes.codes);
}

}  // namespace actcheck::impl::ACTCHECK_KERNEL_ISA

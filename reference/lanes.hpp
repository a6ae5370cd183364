// Doubles in lanes: the fast tier rounds a piece of enclosures several at a time. GCC vector
// extensions, so that arithmetic, comparisons and `mask ? a : b` read as they do on one double, and
// one template (NearestRounding's rounding and tie test) serves a double and a vector alike. A
// function compiled for an instruction set takes the lanes of its registers: 8 for AVX-512, 4 for
// AVX2, 2 for SSE2; wider vectors than the registers make GCC go lane by lane.
#pragma once

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace actcheck::reference::lanes {

// Doubles, their bit patterns, and those as signed integers, kWidth at a time (1: scalars); and
// as many 32-bit words and floats, in half the bytes. One specialisation per width: GCC 12 ignores
// vector_size when its argument depends on a template parameter.
template <std::size_t kWidth>
struct Lanes;
template <>
struct Lanes<1> {
  using Doubles = double;
  using Bits = std::uint64_t;
  using SignedBits = std::int64_t;
  using Words = std::uint32_t;
  using Floats = float;
};
template <>
struct Lanes<2> {
  using Doubles = double __attribute__((vector_size(16)));
  using Bits = std::uint64_t __attribute__((vector_size(16)));
  using SignedBits = std::int64_t __attribute__((vector_size(16)));
  using Words = std::uint32_t __attribute__((vector_size(8)));
  using Floats = float __attribute__((vector_size(8)));
};
template <>
struct Lanes<4> {
  using Doubles = double __attribute__((vector_size(32)));
  using Bits = std::uint64_t __attribute__((vector_size(32)));
  using SignedBits = std::int64_t __attribute__((vector_size(32)));
  using Words = std::uint32_t __attribute__((vector_size(16)));
  using Floats = float __attribute__((vector_size(16)));
};
template <>
struct Lanes<8> {
  using Doubles = double __attribute__((vector_size(64)));
  using Bits = std::uint64_t __attribute__((vector_size(64)));
  using SignedBits = std::int64_t __attribute__((vector_size(64)));
  using Words = std::uint32_t __attribute__((vector_size(32)));
  using Floats = float __attribute__((vector_size(32)));
};

// The bit pattern's type of a double (std::uint64_t) or of a vector of them.
template <class D>
using BitsOf = typename Lanes<sizeof(D) / sizeof(double)>::Bits;

// The same as signed integers.
template <class D>
using SignedBitsOf = typename Lanes<sizeof(D) / sizeof(double)>::SignedBits;

// What a comparison of two D gives: bool, or a vector of lane masks (−1 or 0).
template <class D>
using MaskOf = decltype(D{} == D{});

// Bit patterns as signed integers, for comparisons of magnitudes (below 2^63): AVX2 compares signed
// 64-bit lanes in one instruction, unsigned ones not at all (GCC then goes lane by lane).
template <class Bits>
auto as_signed(Bits bits) {
  return std::bit_cast<typename Lanes<sizeof(Bits) / sizeof(double)>::SignedBits>(bits);
}

// |v|, lane by lane: the sign bit cleared.
template <class D>
[[gnu::always_inline]] inline D magnitude(D v) {
  return std::bit_cast<D>(std::bit_cast<BitsOf<D>>(v) & ~(std::uint64_t{1} << 63));
}

// std::min and std::max, lane by lane (a NaN in a gives a, one in b gives a as well).
template <class D>
[[gnu::always_inline]] inline D lesser(D a, D b) {
  return b < a ? b : a;
}
template <class D>
[[gnu::always_inline]] inline D greater(D a, D b) {
  return a < b ? b : a;
}

// a·b + c rounded once, lane by lane.
template <class D>
[[gnu::always_inline]] inline D fused_multiply_add(D a, D b, D c) {
  if constexpr (std::is_same_v<D, double>) {
    return std::fma(a, b, c);
  } else {
    D r;
    for (std::size_t i = 0; i < sizeof(D) / sizeof(double); ++i) r[i] = std::fma(a[i], b[i], c[i]);
    return r;
  }
}

// The width of the instruction set a file is compiled for: 8 doubles for AVX-512, 4 for AVX2, 2
// for the baseline (the in_lanes.cpp files, compiled once per set). Not inline: each file has its
// own.
#if defined(__AVX512F__)
constexpr std::size_t kCompiledWidth = 8;
#elif defined(__AVX2__)
constexpr std::size_t kCompiledWidth = 4;
#else
constexpr std::size_t kCompiledWidth = 2;
#endif

// Of a function's three versions (lane widths 8, 4 and 2, in the in_lanes.cpp files compiled for
// AVX-512, AVX2 and the baseline), the one this CPU runs. Callers keep the choice in a static:
// `static const auto f = lanes::for_this_cpu(&avx512::f, &avx2::f, &portable::f);`.
template <class Function>
Function for_this_cpu(Function avx512, Function avx2, Function baseline) {
  __builtin_cpu_init();  // a static's initialiser may run before the constructor that calls it
  if (__builtin_cpu_supports("x86-64-v4")) return avx512;
  if (__builtin_cpu_supports("x86-64-v3")) return avx2;
  return baseline;
}

}  // namespace actcheck::reference::lanes

// The elementwise kernels' shape. Kernel<fn> is built from the call's parameters and computes, in
// double, the value f(x) and the derivative f′(x) of one element; some also offer f′ from the
// output y, as PyTorch's backward of sigmoid, tanh and elu does. loops.hpp turns these into the
// float32, float16 and bfloat16 loops, rounding once per element. NaN never reaches them: the
// loops pass it through.
//
// The doc block on each kernel gives its algorithm and the error actcheck's engine measured on it,
// at the default parameters, forward and backward (dy = 1). "Correctly rounded" means 0 of the
// inputs misrounded, max 0.5 ULP, on all 65,536 float16 and bfloat16 inputs and on the 1,000,110
// float32 inputs of the stratified set (1,961 from each binade of both signs, seed 20261123);
// "f32 exhaustive" figures are over all 2^32 inputs; "f32 stratified" over the stratified set.
// Commands (2026-11-23; the float32 paths' figures 2026-12-06; 2-core AMD EPYC):
//   actcheck sweep --backend actcheck --function F --format f16|bf16 --inputs exhaustive
//   actcheck sweep --backend actcheck --function F --format f32 --inputs sample:1000000
//   actcheck sweep --backend actcheck --function F --format f32 --inputs exhaustive
// ctest enforces the catalog's budgets with the first two (tests/kernel_budgets_test.cpp) and,
// under the label exhaustive, the third.
#pragma once

#include "catalog/catalog.hpp"
#include "impl/kernels/float_math.hpp"
#include "impl/kernels/math.hpp"

namespace actcheck::impl::ACTCHECK_ISA {

template <Fn fn>
struct Kernel;

// hi + error (hi the rounded result of an exact operation, error its rounding error) rounded to
// odd at double precision: a double with at least two bits more than the storage formats, so that
// rounding it once more to float32, float16 or bfloat16 gives the correctly rounded result of the
// exact operation (Boldo and Melquiond's round-to-odd), ties included: where the error is not 0
// and hi is even, hi moves one step towards the exact value.
ACTCHECK_ALWAYS_INLINE double round_to_odd(double hi, double error) {
  // Integer arithmetic on the flags rather than branches, so that the loops stay vectorisable.
  const std::uint64_t b = bits(hi);
  const std::uint64_t move = std::uint64_t{error != 0} & std::uint64_t{abs(hi) < HUGE_VAL} & ~b & 1;
  const std::uint64_t away = ((bits(error) ^ b) >> 63) ^ 1;  // the exact value exceeds |hi|
  return from_bits(b + move * (2 * away - 1));
}

// a·b rounded to odd (the fma gives the product's rounding error).
ACTCHECK_ALWAYS_INLINE double product_to_odd(double a, double b) {
  const double p = a * b;
  return round_to_odd(p, std::fma(a, b, -p));
}

// a + b rounded to odd, for |a| ≥ |b| or a = 0 (Fast2Sum gives the sum's rounding error).
ACTCHECK_ALWAYS_INLINE double sum_to_odd(double a, double b) {
  const double s = a + b;
  return round_to_odd(s, b - (s - a));
}

// f(x) = x/2 + c2·x² + O(x³) for |x| < 2^-40, as silu, swish, gelu, gelu_tanh and hardswish are
// there: x/2 is exact, and the x² term, far below an ulp of it, decides the rounding where x/2 is
// a midpoint of the storage format (x an odd subnormal of float32 or bfloat16), which a double
// evaluation of the formula rounds away. ±0 stays ±0; `formula` elsewhere.
ACTCHECK_ALWAYS_INLINE double half_x_near_zero(double x, double c2, double formula) {
  const double series = x == 0 ? x : sum_to_odd(0.5 * x, c2 * x * x);
  return abs(x) < 0x1p-40 ? series : formula;
}

// f(t) = 1/2 + c1·t + c3·t³ + O(t⁵) for |t| < 2^-12, as σ (c1 = 1/4, c3 = −1/48) and silu′
// (1/2, −1/12) are there: 1/2 + c1·t is exact in double wherever it can be a float32 tie
// (|t| ≥ 2^-27), and the t³ term, which a double evaluation of the formula rounds away below
// |t| ≈ 2^-16, decides it; the omitted t⁵ term is below 2^-68. `formula` elsewhere.
ACTCHECK_ALWAYS_INLINE double half_plus_near_zero(double t, double c1, double c3, double formula) {
  const double series = sum_to_odd(0.5 + c1 * t, c3 * t * t * t);
  return abs(t) < 0x1p-12 ? series : formula;
}

}  // namespace actcheck::impl::ACTCHECK_ISA

// The kernels built on tanh: tanh, tanhshrink and mish.
//
// Algorithm: tanh|x| = −m/(2 + m) with m = e^(−2|x|) − 1 ∈ (−1, 0] (math.hpp's expm1: k·ln 2
// reduction and a degree-12 Taylor polynomial), which neither overflows nor cancels anywhere, the
// sign copied from x; sech² = 4e/(1 + e)² with e = e^(−2|x|). tanhshrink = x − tanh(x) from its
// series below |x| = 1/4, where the difference cancels. mish's tanh(softplus(x)) as a rational
// function of e = e^(−|x|) (no logarithm, no overflow); near the negative zero of mish′ its
// Taylor expansion. Error of the double result below 2^-45 relative.
#pragma once

#include "impl/kernels/kernel.hpp"

namespace actcheck::impl::ACTCHECK_ISA {

ACTCHECK_ALWAYS_INLINE double tanh_of(double x) {
  const double m = expm1(-2.0 * abs(x));
  return copysign(-m / (2.0 + m), x);
}

// tanh(a) for a ≥ 0 (or NaN) as the sum of two floats, the second below a quarter of the first:
// below 1/4, a and a³·P(a²); beyond, c and P_j(a − m) from a table of 11 intervals of [1/4, 12),
// two per binade (float_math.hpp's table_terms), a clamped to 10, where tanh rounds to 1. No
// division and no exponential: the sum's one rounding costs half an ulp, and the second term's own
// roundings a fraction of one, since it is small against the first.
ACTCHECK_ALWAYS_INLINE FloatPair tanh_terms(Floats a) {
  const FloatPair beyond =
      table_terms(table_interval<1>(min(a, splat(10.0f)), kTanhSmallF), kTanhTableF);
  const Floats a2 = a * a;
  const Ints small = a < kTanhSmallF;
  return {small ? a : beyond.hi, small ? a * a2 * horner(a2, kTanhPolyF) : beyond.lo};
}

// tanh(x); tanh′ = sech²(x). PyTorch's backward from the output: 1 − y².
// float16, bfloat16: correctly rounded (measured). float32 has its own path, in float vectors
// (float_math.hpp), within 1 ULP:
//  - forward: tanh_terms's sum for |x|, the sign copied from x (−0 stays −0, NaN stays NaN):
//    below 1/4 x + x³·P(x²) (coefficients.inc, tools/kernel_coefficients.py: within 2^-30.5),
//    beyond a polynomial of degree 7 about the midpoint of one of 11 intervals (within 0.093 ulp);
//  - backward: 4·dy·e/(1 + e)² with e = e^(−2|x|), one division of pairs
//    (times_logistic_derivative), for |x| ≤ 20 (beyond, sech² times a small dy could be subnormal)
//    and dy 0 or within [2^-60, 2^60] in magnitude;
//  - from the output: (1 − y)(1 + y), both exact pairs, for |y| ≤ 1 and the same dy.
// Lanes outside these domains take the double path. Measured, f32 exhaustive: forward max
// 0.6442 ULP at 0x1.041e66p-1, where the polynomial is largest against the result (99.9451%
// correctly rounded; 2026-12-07); backward 0.5435 (99.988%).
template <>
struct Kernel<Fn::tanh> {
  explicit Kernel(const Params&) {}
  double value(double x) const { return tanh_of(x); }
  double derivative(double x) const {
    const double e = exp(-2.0 * abs(x));
    const double d = 1.0 + e;
    return 4.0 * e / (d * d);
  }
  double derivative_from_output(double y) const { return std::fma(-y, y, 1.0); }

  Floats value_f32(Floats x) const {
    const FloatPair t = tanh_terms(abs(x));
    return with_sign_of(t.hi + t.lo, x);
  }
  Floats backward_f32(Floats x, Floats dy) const {
    return times_logistic_derivative(dy, x + x) * 4.0f;
  }
  Ints backward_domain(Floats x, Floats dy) const {
    return (abs(x) <= 20.0f) & gradient_in_domain(dy);
  }
  Floats backward_from_output_f32(Floats y, Floats dy) const {
    const Floats one = splat(1.0f);
    return times(dy, times(fast_two_sum(one, -y), fast_two_sum(one, y)));
  }
  Ints backward_from_output_domain(Floats y, Floats dy) const {
    return (abs(y) <= 1.0f) & gradient_in_domain(dy);
  }
};

// tanhshrink(x) = x − tanh(x): x³·P(x²) below |x| = 1/4 (coefficients.inc), where the
// subtraction would lose up to 2^-52·x/(x − tanh x); beyond, sign(x)·((|x| − 1) + 2e/(1 + e)),
// e = e^(−2|x|), with |x| − 1 exact and the sum rounded to odd: for large |x| the result is
// |x| − 1 plus a tail far below an ulp, which decides the tie when |x| − 1 is a midpoint of the
// storage format (2049 in float16). Loss to cancellation below 2^-46 at |x| = 1/4.
// tanhshrink′ = tanh². Measured: correctly rounded.
// float32 (float_math.hpp), computed for |x| and the sign copied from x:
//  - forward: below |x| = 1/2, |x|³·(1/3 − 2x²/15 + x⁴·R(x²)) (coefficients.inc, within 2^-33.2)
//    with |x|³, 1/3 and 2x²/15 as pairs; up to 8, c + P_j(|x| − m) from a table of 16 intervals,
//    four per binade (table_terms; within 0.041 ulp), where P_j is at most 0.39 of the result, so
//    that its rounding costs a quarter of an ulp; from 8 on |x| − 1, exact and correctly rounded
//    (the rest, 2e^(−2|x|)/(1 + e^(−2|x|)), stays below half an ulp of it); for |x| in
//    [2^-40, 2^23] (beyond, |x| − 1 is not exact; ±0 gives +0 by the double path);
//  - backward: tanh(|x|)² from tanh_terms, made a pair by Fast2Sum and squared as one, for
//    |x| ≥ 2^-30 or 0 and dy 0 or within [2^-60, 2^60] in magnitude.
// Measured, f32 exhaustive (2026-12-07): forward max 0.7898 ULP at 0x1.002d18p+0, where the
// table's polynomial is largest against the result (99.925% correctly rounded); backward 0.7662
// ULP at 0x1.115b52p-1, where tanh's polynomial is largest against tanh (99.927%).
template <>
struct Kernel<Fn::tanhshrink> {
  explicit Kernel(const Params&) {}
  Floats value_f32(Floats x) const {
    const Floats a = abs(x);
    const FloatPair square = {a * a, simd::fma(a, a, -(a * a))};
    const FloatPair linear = times(split(-2.0 / 15), square);
    const FloatPair third = split(1.0 / 3);
    const FloatPair head = fast_two_sum(third.hi, linear.hi);
    const Floats rest = square.hi * square.hi * horner(square.hi, kTanhshrinkPolyF);
    const FloatPair inner = {head.hi, head.lo + (third.lo + linear.lo) + rest};
    const FloatPair series = times(times_pair(a, square), inner);
    const FloatPair table = table_terms(table_interval<2>(a, kTanhshrinkSmallF), kTanhshrinkTableF);
    const Floats beyond = a < 8.0f ? table.hi + table.lo : a - 1.0f;
    return with_sign_of(a < kTanhshrinkSmallF ? series.hi + series.lo : beyond, x);
  }
  Ints forward_domain(Floats x) const {
    const Floats a = abs(x);
    return (a >= 0x1p-40f) & (a <= 0x1p23f);
  }
  Floats backward_f32(Floats x, Floats dy) const {
    const FloatPair terms = tanh_terms(abs(x));
    const FloatPair t = fast_two_sum(terms.hi, terms.lo);
    return times(dy, times(t, t));
  }
  Ints backward_domain(Floats x, Floats dy) const {
    return zero_or_magnitude_within(x, 0x1p-30f, std::numeric_limits<float>::max()) &
           gradient_in_domain(dy);
  }
  double value(double x) const {
    const double x2 = x * x;
    const double series = x * x2 * horner(x2, kTanhshrinkSeries);
    const double e = max(exp(-2.0 * abs(x)), 0x1p-1000);  // > 0 where it underflows: a tie-breaker
    const double tail = copysign(sum_to_odd(abs(x) - 1.0, 2.0 * e / (1.0 + e)), x);
    return x == 0 ? 0.0 : (abs(x) < 0.25 ? series : tail);  // +0 at ±0, as x − tanh(x) gives
  }
  // Below |x| = 2^-20, x²·(1 − 2x²/3) summed to odd: x² is exact, and where it is a midpoint of
  // the storage format the −2x⁴/3 that double rounds away decides.
  double derivative(double x) const {
    const double t = tanh_of(x);
    const double x2 = x * x;
    return abs(x) < 0x1p-20 ? sum_to_odd(x2, -2.0 / 3 * x2 * x2) : t * t;
  }
};

// mish(x) = x·tanh(softplus(x)). With e = e^(−|x|):
//   x ≥ 0: tanh(sp) = (1 + 2e)/(1 + 2e + 2e²),  x·sech²(sp)·σ(x) = x·4e²(1 + e)/(1 + 2e + 2e²)²;
//   x < 0: tanh(sp) = e(e + 2)/(e(e + 2) + 2),  x·sech²(sp)·σ(x) = x·4e(1 + e)/(e(e + 2) + 2)²;
// mish′ = tanh(sp) + x·sech²(sp)·σ(x), within 2^-9 of its root (x ≈ −1.1924) the Taylor
// expansion. Measured: correctly rounded, but for one float32 input of the forward, a near-tie
// (f32 exhaustive: 0.5 ULP at 0x1.94c198p-27).
template <>
struct Kernel<Fn::mish> {
  explicit Kernel(const Params&) {}
  struct Parts {
    double tanh_sp;  // tanh(softplus(x))
    double slope;    // sech²(softplus(x))·σ(x), to be multiplied by x
  };
  static Parts parts(double x) {
    const double e = exp(-abs(x));
    const double right_d = 1.0 + 2.0 * e + 2.0 * e * e;
    const double left_n = e * (e + 2.0);
    const double left_d = left_n + 2.0;
    return x >= 0 ? Parts{(1.0 + 2.0 * e) / right_d, 4.0 * e * e * (1.0 + e) / (right_d * right_d)}
                  : Parts{left_n / left_d, 4.0 * e * (1.0 + e) / (left_d * left_d)};
  }
  double value(double x) const { return times_decaying(x, parts(x).tanh_sp); }
  double derivative(double x) const {
    const Parts p = parts(x);
    const double formula = negative_zero_tail(p.tanh_sp + times_decaying(x, p.slope), x);
    return with_root(kMishDerivativeRoot, root_delta(kMishDerivativeRoot, x), formula);
  }
};

}  // namespace actcheck::impl::ACTCHECK_ISA

// The kernels built on the logistic function: sigmoid, silu, swish, softplus, logsigmoid and
// gelu_tanh.
//
// Algorithm: σ(t) and σ(−t) from e^(−|t|) (math.hpp's logistic: exp by k·ln 2 reduction and a
// degree-12 Taylor polynomial, then one division each), so that nothing overflows and the small
// one of the pair is never 1 − σ; softplus as max(t, 0) + log1p(e^(−|t|)). Products x·σ go through
// times_decaying, which gives the signed zero at ±∞ instead of ∞·0. Near the negative zero of
// silu′ (= swish′ at β = 1), where σ(x)·(1 + x·σ(−x)) loses everything to cancellation, the
// derivative comes from its Taylor expansion about the root (coefficients.inc, made by
// tools/kernel_coefficients.py). Error of the double result below 2^-46 relative.
#pragma once

#include <limits>

#include "impl/kernels/kernel.hpp"

namespace actcheck::impl::ACTCHECK_ISA {

// σ(t) from its series 1/2 + t/4 − t³/48 below |t| = 2^-12 (half_plus_near_zero: float32 ties
// at 1/2 + t/4 decided by the t³ term); `formula` = logistic(t).p elsewhere.
ACTCHECK_ALWAYS_INLINE double sigma_near_zero(double t, double formula) {
  return half_plus_near_zero(t, 0.25, -1.0 / 48, formula);
}

// σ(x) = 1/(1 + e^(−x)); σ′ = σ(x)·σ(−x). PyTorch's backward from the output: y·(1 − y).
// float16, bfloat16: correctly rounded (measured). float32 has its own path (float_math.hpp):
// quotients of pairs, within 1 ULP: forward 1/(1 + e) or e/(1 + e) with e = e^(−|x|), backward
// dy·e/(1 + e)² (times_logistic_derivative); its domain x ≥ −80 forward, |x| ≤ 40 backward, y
// (from the output) 0 or within [2^-60, 1], and dy 0 or within [2^-60, 2^60] in magnitude, so
// that nothing is subnormal; the double path elsewhere. Measured, f32 exhaustive: forward max
// 0.5446 ULP (99.986% correctly rounded), backward 0.5435 (99.988%).
template <>
struct Kernel<Fn::sigmoid> {
  explicit Kernel(const Params&) {}
  double value(double x) const { return sigma_near_zero(x, logistic(x).p); }
  double derivative(double x) const {
    const Logistic s = logistic(x);
    return s.p * s.q;
  }
  double derivative_from_output(double y) const { return y * (1.0 - y); }

  Floats value_f32(Floats x) const { return rounded(logistic_quotient(x)); }
  Ints forward_domain(Floats x) const { return x >= -80.0f; }
  Floats backward_f32(Floats x, Floats dy) const { return times_logistic_derivative(dy, x); }
  Ints backward_domain(Floats x, Floats dy) const {
    return (abs(x) <= 40.0f) & gradient_in_domain(dy);
  }
  Floats backward_from_output_f32(Floats y, Floats dy) const {
    return times(dy, times({y, Floats{}}, fast_two_sum(splat(1.0f), -y)));
  }
  Ints backward_from_output_domain(Floats y, Floats dy) const {
    return zero_or_magnitude_within(y, 0x1p-60f, 1.0f) & gradient_in_domain(dy);
  }
};

// swish′ as a function of t = βx: σ(t)·(1 + t·σ(−t)), written σ(t) + t·σ(t)σ(−t) so that t = ±∞
// gives the limits; within 2^-9 of its root (t ≈ −1.2785) the Taylor expansion. t = t_hi + t_lo
// exactly, so that β ≠ 1 moves no root.
ACTCHECK_ALWAYS_INLINE double swish_derivative(double t_hi, double t_lo) {
  const Logistic s = logistic(t_hi);
  const double formula = negative_zero_tail(s.p + times_decaying(t_hi, s.p * s.q), t_hi);
  const double near_zero = half_plus_near_zero(t_hi, 0.5, -1.0 / 12, formula);  // 1/2 + t/2 − t³/12
  return with_root(kSiluDerivativeRoot, root_delta(kSiluDerivativeRoot, t_hi, t_lo), near_zero);
}

// silu′(x) = σ(x)·(1 + x·σ(−x)) in float32 (silu, swish at β = 1): the pairs σ(±x) from one
// division, 1 + x·σ(−x) by 2Sum, the products in pairs, rounded once. 1 + x·σ(−x) vanishes at
// the root r ≈ −1.2785 and carries σ's absolute error (about 2^-33), so lanes within 2^-5 of r take
// the double path (with 2^-9, 1.18 ULP was measured at r + 0.0026; with 2^-5, f32 exhaustive: max
// 0.6899 ULP at −0x1.3e762ep+0, 99.987% correctly rounded); so do x < −40 and dy outside 0 ∪
// ±[2^-60, 2^60] (a subnormal product), x > 2^64 (σ(−x) is clamped at x = 80, harmless while
// x·σ(−80) stays below 2^-51), and NaN.
struct FloatSiluDerivative {
  static constexpr float kRoot = static_cast<float>(kSiluDerivativeRoot.root_hi);
  Floats backward_f32(Floats x, Floats dy) const {
    const LogisticPair s = logistic_pair(x);
    const Ints positive = x > 0.0f;
    const FloatPair of_x = select(positive, s.big, s.small);
    const FloatPair x_times = times({x, Floats{}}, select(positive, s.small, s.big));
    const FloatPair sum = two_sum(splat(1.0f), x_times.hi);
    return times(dy, times(of_x, {sum.hi, sum.lo + x_times.lo}));
  }
  Ints backward_domain(Floats x, Floats dy) const {
    return (x >= -40.0f) & (x <= 0x1p64f) & (abs(x - kRoot) >= 0x1p-5f) & gradient_in_domain(dy);
  }
};

// v·σ(t) in float32, rounded once: dy·σ(±x) for softplus′ (β = 1) and logsigmoid′, where
// t ≥ −40 (σ(t) ≥ 2^-57.7) and dy 0 or within [2^-60, 2^60] in magnitude keep the product normal;
// x·σ(x) for silu.
template <class Argument>  // Floats, or a FloatPair
ACTCHECK_ALWAYS_INLINE Floats times_logistic(Floats v, Argument t, Ints scale_exponent = Ints{}) {
  return times(v, pair(logistic_quotient(t, scale_exponent)));
}
ACTCHECK_ALWAYS_INLINE Ints logistic_product_domain(Floats t, Floats dy) {
  return (t >= -40.0f) & gradient_in_domain(dy);
}

// x·σ(x) in float32 (silu, swish at β = 1): x times the pair σ(x), rounded once (f32 exhaustive:
// max 0.5555 ULP, 99.986% correctly rounded); for x in [−80, ∞) (below, σ is clamped and the
// result would near the subnormals; at ∞, x·σ's tail would make ∞ − ∞) and, but for ±0,
// |x| ≥ 2^-100, so that the result is not subnormal.
struct FloatSilu {
  Floats value_f32(Floats x) const { return times_logistic(x, x); }
  Ints forward_domain(Floats x) const {
    return (x >= -80.0f) &
           zero_or_magnitude_within(x, 0x1p-100f, std::numeric_limits<float>::max());
  }
};

// silu(x) = x·σ(x). Measured: correctly rounded (float32: FloatSilu, FloatSiluDerivative, within
// 1 ULP).
template <>
struct Kernel<Fn::silu> : FloatSilu, FloatSiluDerivative {
  explicit Kernel(const Params&) {}
  double value(double x) const {
    return half_x_near_zero(x, 0.25, times_decaying(x, logistic(x).p));
  }
  double derivative(double x) const { return swish_derivative(x, 0.0); }
};

// swish(x; β) = x·σ(βx); swish′ = silu′(βx), with βx carried as a double-double.
// Measured: correctly rounded (β = 1; float32 at β = 1: FloatSilu, FloatSiluDerivative, within
// 1 ULP).
template <>
struct Kernel<Fn::swish> : FloatSilu, FloatSiluDerivative {
  double beta;
  explicit Kernel(const Params& p) : beta(p[0]) {}
  bool float_path_applies() const { return beta == 1.0; }
  double value(double x) const {
    return half_x_near_zero(x, 0.25 * beta, times_decaying(x, logistic(beta * x).p));
  }
  double derivative(double x) const {
    const double t = beta * x;
    const double t_lo = abs(t) < HUGE_VAL ? std::fma(beta, x, -t) : 0.0;
    return swish_derivative(t, t_lo);
  }
};

// log(1 + e^t) = max(t, 0) + log1p(e^(−|t|)).
ACTCHECK_ALWAYS_INLINE double softplus_of(double t) {
  return max(t, 0.0) + log1p_unit(exp(-abs(t)));
}

// softplus(x; β) = log(1 + e^(βx))/β (PyTorch's linear switch beyond βx = 20 is not taken: the
// exact value is computed everywhere); softplus′ = σ(βx). Measured: correctly rounded in float16
// and bfloat16; f32 exhaustive, forward (double path) all but one input, a near-tie (0.5 ULP at
// 0x1.105b62p-24), backward at β = 1 (times_logistic) max 0.5443 ULP, 99.987% correctly rounded.
template <>
struct Kernel<Fn::softplus> {
  double beta;
  explicit Kernel(const Params& p) : beta(p[0]) {}
  bool float_path_applies() const { return beta == 1.0; }
  Floats backward_f32(Floats x, Floats dy) const { return times_logistic(dy, x); }
  Ints backward_domain(Floats x, Floats dy) const { return logistic_product_domain(x, dy); }
  double value(double x) const { return softplus_of(beta * x) / beta; }
  double derivative(double x) const {
    const double t = beta * x;
    return sigma_near_zero(t, logistic(t).p);
  }
};

// logsigmoid(x) = −softplus(−x) (−0 for x → +∞); logsigmoid′ = σ(−x).
// Measured: correctly rounded in float16 and bfloat16; f32 exhaustive, forward (double path) all
// but one input, a near-tie (0.5 ULP at 0x1.df454p-25), backward (times_logistic) max 0.5443 ULP.
template <>
struct Kernel<Fn::logsigmoid> {
  explicit Kernel(const Params&) {}
  Floats backward_f32(Floats x, Floats dy) const { return times_logistic(dy, -x); }
  Ints backward_domain(Floats x, Floats dy) const { return logistic_product_domain(-x, dy); }
  double value(double x) const { return -softplus_of(-x); }
  double derivative(double x) const { return sigma_near_zero(-x, logistic(x).q); }
};

// gelu_tanh(x) = x/2·(1 + tanh(u)) = x·σ(2u), u = √(2/π)·(x + 0.044715·x³): the sigmoid form has
// no 1 + tanh to cancel. gelu_tanh′ = σ(2u) + 2x·u′·σ(2u)σ(−2u), u′ = √(2/π)·(1 + 3·0.044715·x²);
// within 2^-9 of its negative root the Taylor expansion. Measured: correctly rounded.
// float32 (float_math.hpp): t = 2u = x·(c1 + c3·x²), c1 = 2√(2/π), c3 = 0.044715·c1, carried as a
// pair (x² exact, the constants as pairs, the sums by 2Sum: about 2^-44 relative), since σ(t) ≈ e^t
// turns an absolute error of t into a relative one and |t| reaches 87 here.
//  - forward: x·σ(t) as silu's x·σ(x), for x in [−9.98, 2^20] (below, t < −87 and the result nears
//    the subnormals; above, x³ nears overflow), |x| ≥ 2^-100 but for ±0;
//  - backward: σ(t)·(1 + x·t′·σ(−t)), t′ = c1 + 3c3·x², in pairs as silu′, σ(t) scaled as in the
//    forward, for x in [−9.98, 2^20] but not within 2^-5 of the root (where 1 + x·t′·σ(−t)
//    cancels), and dy 0 or within [2^-60, 2^60] in magnitude; beyond x = 10, f′ rounds to 1.
//    In the far left dy·f′ may be subnormal: its one rounding, or the rounding of the product and
//    of its scaling back (the first to 2^-24 relative, below half the subnormal spacing there),
//    keeps it within 1 ULP.
// Measured, f32 exhaustive: forward max 0.5566 ULP at −0x1.d3954cp+2 (99.987% correctly rounded),
// backward 0.6271 at −0x1.672a52p-1, near the root's window (99.987%).
template <>
struct Kernel<Fn::gelu_tanh> {
  static constexpr double kSqrt2OverPi = 0x1.9884533d43651p-1;
  static constexpr double kCubic = 0.044715;
  static constexpr double kLinear = 2.0 * kSqrt2OverPi;  // c1
  static constexpr float kRoot = static_cast<float>(kGeluTanhDerivativeRoot.root_hi);
  explicit Kernel(const Params&) {}

  // c1 + c·x² as a pair, for a constant c and the exact square of x.
  static FloatPair linear_plus_cubic(double c, FloatPair square) {
    const FloatPair cubic = times(split(c), square);
    const FloatPair linear = split(kLinear);
    const FloatPair sum = two_sum(linear.hi, cubic.hi);
    return {sum.hi, sum.lo + (linear.lo + cubic.lo)};
  }
  static FloatPair square_of(Floats x) { return {x * x, simd::fma(x, x, -(x * x))}; }

  Floats value_f32(Floats x) const {
    const FloatPair t = times_pair(x, linear_plus_cubic(kLinear * kCubic, square_of(x)));
    // Below x = −8.5, σ(t) < 2^-82 and the pairs' tails and the quotient's remainders would
    // reach the subnormals (inexact, and slow): there σ is taken 2^32 times larger (e^t < 2^-50
    // even so, so that 1 + e stays 1 to 2^-50), and the product scaled back, exactly.
    const Ints far_left = x < -8.5f;
    const Floats product = times_logistic(x, t, far_left & 32);
    return far_left ? product * 0x1p-32f : product;
  }
  Ints forward_domain(Floats x) const {
    return (x >= -9.98f) & zero_or_magnitude_within(x, 0x1p-100f, 0x1p20f);
  }
  Floats backward_f32(Floats x, Floats dy) const {
    const FloatPair square = square_of(x);
    const FloatPair t = times_pair(x, linear_plus_cubic(kLinear * kCubic, square));
    const FloatPair slope = linear_plus_cubic(3.0 * kLinear * kCubic, square);  // t′
    const Ints far_left = x < -8.5f;  // as in the forward: σ(t) 2^32 times larger there
    const LogisticPair s = logistic_pair(t, far_left & 32);
    const Ints positive = x > 0.0f;
    const FloatPair x_slope_tail = times(times_pair(x, slope), select(positive, s.small, s.big));
    const FloatPair sum = two_sum(splat(1.0f), x_slope_tail.hi);
    const Floats result =
        times(dy, times(select(positive, s.big, s.small), {sum.hi, sum.lo + x_slope_tail.lo}));
    return x > 10.0f ? dy : (far_left ? result * 0x1p-32f : result);
  }
  Ints backward_domain(Floats x, Floats dy) const {
    return (x >= -9.98f) & (x <= 0x1p20f) & (abs(x - kRoot) >= 0x1p-5f) & gradient_in_domain(dy);
  }
  static double two_u(double x) { return 2.0 * kSqrt2OverPi * (x + kCubic * x * x * x); }
  double value(double x) const {
    return half_x_near_zero(x, kInvSqrt2Pi, times_decaying(x, logistic(two_u(x)).p));
  }
  double derivative(double x) const {
    const Logistic s = logistic(two_u(x));
    const double du = kSqrt2OverPi * (1.0 + 3.0 * kCubic * x * x);
    const double formula = negative_zero_tail(s.p + times_decaying(2.0 * x * du, s.p * s.q), x);
    return with_root(kGeluTanhDerivativeRoot, root_delta(kGeluTanhDerivativeRoot, x), formula);
  }
};

}  // namespace actcheck::impl::ACTCHECK_ISA

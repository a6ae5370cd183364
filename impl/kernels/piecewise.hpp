// The piecewise linear and rational kernels: step, linear, relu, leaky_relu, prelu, threshold,
// thresholded_relu, hardtanh, relu6, hardsigmoid, hardswish, softshrink, hardshrink, softsign.
//
// Algorithm: the definitions, each piece evaluated in double so that one rounding into the
// storage format remains: products with a parameter are rounded to odd (product_to_odd), sums of
// an input and a parameter are exact in double, and the few divisions (by 6, by 1 + |x|) round
// once more, 2^-53 away from any decision. Kinks compare x with the parameter in double (exact)
// and take PyTorch autograd's side, as the catalog's rows say.
// float32 paths (float_math.hpp's vectors): for the entries whose float evaluation is exact or one
// IEEE operation, where their parameters are floats, the same correctly rounded results as the
// double path, without widening and narrowing; NaN is passed through by nan_where_nan where a
// select would lose it. hardsigmoid, hardswish (forward) and softsign divide in float pairs:
// within 1 ULP, not correctly rounded (their doc comments say where).
// Measured: every entry here correctly rounded but for those three in float32 (kernel.hpp says on
// which inputs; the README gives the float32 figures).
#pragma once

#include "impl/kernels/kernel.hpp"

namespace actcheck::impl::ACTCHECK_ISA {

// 1 where the mask is set, else 0.
ACTCHECK_ALWAYS_INLINE Floats one_where(Ints mask) { return mask ? splat(1.0f) : Floats{}; }

// dy where the mask is set, else dy·0 (a signed zero, or NaN for an infinite dy); NaN where x is:
// the backward of the entries whose derivative is 1 or 0.
ACTCHECK_ALWAYS_INLINE Floats gated(Floats x, Floats dy, Ints mask) {
  return nan_where_nan(x, dy * one_where(mask));
}

// Whether every parameter is a float, so that the float path computes what the double path does.
template <std::size_t N>
bool all_floats(const double (&values)[N]) {
  for (double v : values) {
    if (static_cast<double>(static_cast<float>(v)) != v) return false;
  }
  return true;
}

template <>
struct Kernel<Fn::step> {
  explicit Kernel(const Params&) {}
  static constexpr bool kForwardInStorage = true, kBackwardInStorage = true;  // 0 or 1; dy·0
  double value(double x) const { return x > 0 ? 1.0 : 0.0; }
  double derivative(double) const { return 0.0; }
  Floats value_f32(Floats x) const { return nan_where_nan(x, one_where(x > 0.0f)); }
  Floats backward_f32(Floats x, Floats dy) const { return nan_where_nan(x, dy * 0.0f); }
};

template <>
struct Kernel<Fn::linear> {
  double c;
  explicit Kernel(const Params& p) : c(p[0]) {}
  double value(double x) const { return product_to_odd(c, x); }
  double derivative(double) const { return c; }
  bool float_path_applies() const { return all_floats({c}); }
  Floats value_f32(Floats x) const { return x * static_cast<float>(c); }
  Floats backward_f32(Floats x, Floats dy) const {
    return nan_where_nan(x, dy * static_cast<float>(c));
  }
};

template <>
struct Kernel<Fn::relu> {
  explicit Kernel(const Params&) {}
  static constexpr bool kForwardInStorage = true, kBackwardInStorage = true;  // x or 0; gated
  double value(double x) const { return x > 0 ? x : 0.0; }
  double derivative(double x) const { return x > 0 ? 1.0 : 0.0; }
  Floats value_f32(Floats x) const { return x <= 0.0f ? Floats{} : x; }  // NaN is not <= 0
  Floats backward_f32(Floats x, Floats dy) const { return gated(x, dy, x > 0.0f); }
};

// leaky_relu and prelu: x for x > 0, slope·x otherwise (−0 stays −0).
struct SlopedRelu {
  double slope;
  explicit SlopedRelu(const Params& p) : slope(p[0]) {}
  double value(double x) const { return x > 0 ? x : product_to_odd(slope, x); }
  double derivative(double x) const { return x > 0 ? 1.0 : slope; }
  bool float_path_applies() const { return all_floats({slope}); }
  Floats value_f32(Floats x) const { return x > 0.0f ? x : x * static_cast<float>(slope); }
  Floats backward_f32(Floats x, Floats dy) const {
    return nan_where_nan(x, x > 0.0f ? dy : dy * static_cast<float>(slope));
  }
};
template <>
struct Kernel<Fn::leaky_relu> : SlopedRelu {
  using SlopedRelu::SlopedRelu;
};
template <>
struct Kernel<Fn::prelu> : SlopedRelu {
  using SlopedRelu::SlopedRelu;
};

template <>
struct Kernel<Fn::threshold> {
  double threshold, replacement;
  explicit Kernel(const Params& p) : threshold(p[0]), replacement(p[1]) {}
  static constexpr bool kBackwardInStorage = true;  // gated
  double value(double x) const { return x > threshold ? x : replacement; }
  double derivative(double x) const { return x > threshold ? 1.0 : 0.0; }
  bool float_path_applies() const { return all_floats({threshold, replacement}); }
  Floats value_f32(Floats x) const {
    return nan_where_nan(
        x, x > static_cast<float>(threshold) ? x : splat(static_cast<float>(replacement)));
  }
  Floats backward_f32(Floats x, Floats dy) const {
    return gated(x, dy, x > static_cast<float>(threshold));
  }
};

template <>
struct Kernel<Fn::thresholded_relu> {
  double theta;
  explicit Kernel(const Params& p) : theta(p[0]) {}
  static constexpr bool kForwardInStorage = true, kBackwardInStorage = true;  // x or 0; gated
  double value(double x) const { return x > theta ? x : 0.0; }
  double derivative(double x) const { return x > theta ? 1.0 : 0.0; }
  bool float_path_applies() const { return all_floats({theta}); }
  Floats value_f32(Floats x) const {
    return nan_where_nan(x, x > static_cast<float>(theta) ? x : Floats{});
  }
  Floats backward_f32(Floats x, Floats dy) const {
    return gated(x, dy, x > static_cast<float>(theta));
  }
};

// hardtanh and relu6: x clamped to [lo, hi], derivative 1 strictly inside.
struct Clamp {
  double lo, hi;
  static constexpr bool kBackwardInStorage = true;  // gated
  double value(double x) const { return x < lo ? lo : (x > hi ? hi : x); }
  double derivative(double x) const { return x > lo && x < hi ? 1.0 : 0.0; }
  bool float_path_applies() const { return all_floats({lo, hi}); }
  Floats value_f32(Floats x) const {
    const float low = static_cast<float>(lo), high = static_cast<float>(hi);
    return nan_where_nan(x, x < low ? splat(low) : (x > high ? splat(high) : x));
  }
  Floats backward_f32(Floats x, Floats dy) const {
    const float low = static_cast<float>(lo), high = static_cast<float>(hi);
    return gated(x, dy, (x > low) & (x < high));
  }
};
template <>
struct Kernel<Fn::hardtanh> : Clamp {
  explicit Kernel(const Params& p) : Clamp{p[0], p[1]} {}
};
template <>
struct Kernel<Fn::relu6> : Clamp {
  explicit Kernel(const Params&) : Clamp{0.0, 6.0} {}
  static constexpr bool kForwardInStorage = true;  // x, 0 or 6
  // max(0, x) first: relu6(−0) = 0, as relu's.
  double value(double x) const { return Clamp::value(x > 0 ? x : 0.0); }
  Floats value_f32(Floats x) const {
    return nan_where_nan(x, Clamp::value_f32(x > 0.0f ? x : Floats{}));
  }
};

// (x + 3)/6 on (−3, 3): x + 3 is exact in double, the division the one rounding before storage.
template <>
struct Kernel<Fn::hardsigmoid> {
  explicit Kernel(const Params&) {}
  double value(double x) const { return x <= -3 ? 0.0 : (x >= 3 ? 1.0 : (x + 3.0) / 6.0); }
  double derivative(double x) const { return x > -3 && x < 3 ? 1.0 / 6.0 : 0.0; }
  // float32: x + 3 as an exact pair (Fast2Sum, |x| < 3 where it counts), divided by 6 once: within
  // 1 ULP; an exact tie of (x + 3)/6 can round the wrong way (the correction multiplies by the
  // rounded 1/6), as at x = 0x1.05p-16 (f32 exhaustive: max 0.5 ULP, 3,495,253 misrounded).
  Floats value_f32(Floats x) const {
    const Floats inside = divided(fast_two_sum(splat(3.0f), x), {splat(6.0f), Floats{}});
    return nan_where_nan(x, x <= -3.0f ? Floats{} : (x >= 3.0f ? splat(1.0f) : inside));
  }
};

// x·(x + 3)/6 on (−3, 3); the derivative (2x + 3)/6 is formed so, not as x/3 + 1/2, which would
// cancel at its zero x = −3/2. PyTorch's sides: −1/2 at −3, 3/2 at 3.
template <>
struct Kernel<Fn::hardswish> {
  explicit Kernel(const Params&) {}
  double value(double x) const {
    return x <= -3 ? 0.0 : (x >= 3 ? x : half_x_near_zero(x, 1.0 / 6, x * (x + 3.0) / 6.0));
  }
  double derivative(double x) const { return x < -3 ? 0.0 : (x > 3 ? 1.0 : (2.0 * x + 3.0) / 6.0); }
  // float32: x·(x + 3) as a pair from the exact pair x + 3, divided by 6 once, for |x| ≥ 2^-100 so
  // that no step is subnormal (±0 and tinier x take the double path). Within 1 ULP: a near-tie
  // can round the wrong way, as at x = 0x1.2p-18 (f32 exhaustive: max 0.5 ULP, 1,270 misrounded).
  Floats value_f32(Floats x) const {
    const FloatPair product = times({x, Floats{}}, fast_two_sum(splat(3.0f), x));
    const Floats inside = divided(product, {splat(6.0f), Floats{}});
    return nan_where_nan(x, x <= -3.0f ? Floats{} : (x >= 3.0f ? x : inside));
  }
  Ints forward_domain(Floats x) const { return abs(x) >= 0x1p-100f; }
};

template <>
struct Kernel<Fn::softshrink> {
  double lambda;
  explicit Kernel(const Params& p) : lambda(p[0]) {}
  static constexpr bool kBackwardInStorage = true;  // gated
  double value(double x) const {
    return x > lambda ? x - lambda : (x < -lambda ? x + lambda : 0.0);
  }
  double derivative(double x) const { return abs(x) > lambda ? 1.0 : 0.0; }
  bool float_path_applies() const { return all_floats({lambda}); }
  Floats value_f32(Floats x) const {
    const float l = static_cast<float>(lambda);
    return nan_where_nan(x, x > l ? x - l : (x < -l ? x + l : Floats{}));
  }
  Floats backward_f32(Floats x, Floats dy) const {
    return gated(x, dy, abs(x) > static_cast<float>(lambda));
  }
};

template <>
struct Kernel<Fn::hardshrink> {
  double lambda;
  explicit Kernel(const Params& p) : lambda(p[0]) {}
  static constexpr bool kForwardInStorage = true, kBackwardInStorage = true;  // x or 0; gated
  double value(double x) const { return abs(x) > lambda ? x : 0.0; }
  double derivative(double x) const { return abs(x) > lambda ? 1.0 : 0.0; }
  bool float_path_applies() const { return all_floats({lambda}); }
  Floats value_f32(Floats x) const {
    return nan_where_nan(x, abs(x) > static_cast<float>(lambda) ? x : Floats{});
  }
  Floats backward_f32(Floats x, Floats dy) const {
    return gated(x, dy, abs(x) > static_cast<float>(lambda));
  }
};

// x/(1 + |x|) and 1/(1 + |x|)²; |x| is clamped to 2^100 first, where the value already rounds to
// ±1 in every storage format, so that ±inf give ±1 rather than ∞/∞.
template <>
struct Kernel<Fn::softsign> {
  explicit Kernel(const Params&) {}
  double value(double x) const {
    const double clamped = clamp(x, -0x1p100, 0x1p100);
    return clamped / (1.0 + abs(clamped));
  }
  double derivative(double x) const {
    const double d = 1.0 + abs(x);
    return 1.0 / (d * d);
  }
  // float32: 1 + |x| as an exact pair (Fast2Sum of the larger and the smaller), the quotients
  // rounded once (within 1 ULP: a near-tie may round the wrong way, as the backward does at
  // |x| = 0x1.8p-25). f32 exhaustive: max 0.5 ULP both ways, 34 and 56 inputs misrounded.
  // Backward for |x| ≤ 2^30 and dy 0 or within [2^-60, 2^60] in magnitude, where (1 + |x|)² and the
  // result stay normal.
  static FloatPair one_plus_abs(Floats magnitude) {
    const Floats one = splat(1.0f);
    return fast_two_sum(max(magnitude, one), min(magnitude, one));
  }
  Floats value_f32(Floats x) const {
    const Floats clamped = min(abs(x), splat(0x1p100f));  // NaN stays NaN
    const FloatPair denominator = one_plus_abs(clamped);
    // The quotient of the magnitude: +0 for x = ±0 (the sign comes after), so rounded() needs
    // none of divided()'s care for a signed zero.
    return with_sign_of(rounded(divide(clamped, denominator, 1.0f / denominator.hi)), x);
  }
  Floats backward_f32(Floats x, Floats dy) const {
    const FloatPair d = one_plus_abs(abs(x));
    return divided(dy, times(d, d));
  }
  Ints backward_domain(Floats x, Floats dy) const {
    return (abs(x) <= 0x1p30f) & gradient_in_domain(dy);
  }
};

}  // namespace actcheck::impl::ACTCHECK_ISA

// The mathematics of every elementwise catalog entry, written once over an enclosure type R
// (MpfrInterval for the exact tier, DoubleInterval or IntervalLanes for the fast tier). Each
// formula takes the exact, finite input x (a double, or one per lane: see below), so branches on x
// are exact; infinite inputs are answered from the catalog's tails (reference.cpp) and never reach
// these formulas.
//
// Rules the formulas follow:
//  - no cancellation between large terms: σ(t) and σ(−t) both come from e^(−|t|); softplus is
//    t + log1p(e^(−t)) for t > 0; Φ(x) is erfc(−x/√2)/2; sech² is 4e/(1+e)² with e = e^(−2|t|).
//    Where a difference of nearby values is the answer itself (the zeros of silu′, gelu′, mish′;
//    tanhshrink near 0, where the double tier sums its series), the enclosure grows wide and the
//    Ziv loop raises the precision.
//  - far in a tail a term can fall below MPFR's exponent range; where the enclosure then reaches
//    0 but the sign is known (gelu′, gelu_tanh′, mish′ are negative for x ≤ −2, left of their
//    single zeros at −0.75, −0.75, −1.19), `known_negative` keeps the sign of the result.
//  - the sign of a zero result: piecewise branches returning the constant 0 give +0; products
//    x·g(x) give IEEE's sign (silu(−0) = −0).
//  - one input or lanes of them: a formula taking `const Arg<R>& x` serves IntervalLanes too (the
//    fast tier then computes it several inputs at a time, reference/in_lanes.cpp); it chooses by
//    x with `when` and `pick` rather than `?:` and `if`. Formulas taking `double x` are computed
//    one input at a time.
//  - written independently of impl/: nothing here is shared with the kernels.
#pragma once

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <type_traits>

#include "catalog/catalog.hpp"
#include "reference/double_interval.hpp"
#include "reference/interval_lanes.hpp"
#include "reference/lanes.hpp"

namespace actcheck::reference {

class MpfrInterval;

// A formula's input: a double, or for IntervalLanes one per lane. Comparing inputs gives a Cond:
// a bool, or a mask per lane, which `pick` and `when` (interval_lanes.hpp) choose by.
template <class R>
struct ArgOf {
  using type = double;
};
template <std::size_t kWidth, class Owner>
struct ArgOf<IntervalLanes<kWidth, Owner>> {
  using type = typename IntervalLanes<kWidth, Owner>::Doubles;
};
template <class R>
using Arg = typename ArgOf<R>::type;
template <class R>
using Cond = lanes::MaskOf<Arg<R>>;

// The double tier, one input or lanes of them: what MPFR's lacks (just_beside) it has.
template <class R>
constexpr bool kDoubleTier = !std::is_same_v<R, MpfrInterval>;

// a or b, for one input (see IntervalLanes' pick for lanes).
template <class R>
const R& pick(bool c, const R& a, const R& b) {
  return c ? a : b;
}

// A constant of the formulas, compute<R>() (such as √(2π)): MPFR computes it at each working
// precision, the double tier once, as a DoubleInterval, which lanes broadcast.
template <class R, class Compute>
R constant(Compute compute) {
  if constexpr (kDoubleTier<R>) {
    static const DoubleInterval value = compute.template operator()<DoubleInterval>();
    return R(value);
  } else {
    return compute.template operator()<R>();
  }
}

// σ(t) and σ(−t) = 1 − σ(t), without cancellation. `negative` is the sign of t, which callers
// know exactly even when t itself is only enclosed.
template <class R>
class Logistic {
 public:
  Logistic(const R& t, const Cond<R>& negative)
      : e_(exp(pick(negative, t, -t))), d_(R(1.0) + e_), negative_(negative) {}
  // Each on demand: a formula that needs one of them pays for one division.
  R p() const { return pick(negative_, e_, R(1.0)) / d_; }  // σ(t)
  R q() const { return pick(negative_, R(1.0), e_) / d_; }  // σ(−t)

 private:
  R e_;  // e^(−|t|) ∈ (0, 1]
  R d_;  // 1 + e
  Cond<R> negative_;
};
template <class R>
Logistic<R> logistic(const R& t, const Cond<R>& negative) {
  return Logistic<R>(t, negative);
}

// log(1 + e^t) without overflow or cancellation.
template <class R>
R softplus_of(const R& t, const Cond<R>& negative) {
  const R l = log1p(exp(pick(negative, t, -t)));
  return when(
      negative, [&] { return l; }, [&] { return t + l; });
}

// Whether β·x < 0 by the signs of its factors (x is exact, so the sign is known even where the
// product underflows): a bool, or a mask per lane.
template <class X>
auto negative_product(double beta, X x) {
  if constexpr (std::is_same_v<X, double>) {
    return std::signbit(beta) != std::signbit(x);
  } else {
    const auto x_negative = std::bit_cast<lanes::SignedBitsOf<X>>(x) < 0;
    return std::signbit(beta) ? ~x_negative : x_negative;
  }
}

// sech²(t) = 4e/(1+e)², e = e^(−2|t|), for t ≥ 0.
template <class R>
R sech_squared_of_nonnegative(const R& t) {
  R e = exp(R(-2.0) * t);
  R d = R(1.0) + e;
  return R(4.0) * e / square(d);
}

// For the derivatives that are negative for every x ≤ −2 (see the rules above).
template <class R>
R negative_left_of_minus_two(const Arg<R>& x, const R& r) {
  return when(
      x <= -2.0, [&] { return r.known_negative(); }, [&] { return r; });
}

// A decimal constant's digits, as a template argument.
template <std::size_t N>
struct Digits {
  char text[N];
  constexpr Digits(const char (&digits)[N]) { std::copy_n(digits, N, text); }
};

// A decimal constant enclosed in R. The double tier parses it once: strtod at every input took more
// than half the time of a selu sweep. MPFR parses it at each working precision.
template <Digits digits, class R>
R decimal_constant() {
  return constant<R>([]<class T> { return T::decimal(digits.text); });
}

// The SELU constants as published (Klambauer et al. 2017), the definition PyTorch rounds.
template <class R>
R selu_lambda() {
  return decimal_constant<"1.0507009873554804934193349852946", R>();
}
template <class R>
R selu_alpha() {
  return decimal_constant<"1.6732632423543772848170429916717", R>();
}

// Formula<F> is defined for every elementwise entry: value, derivative, and for entries with a
// learnable parameter its gradient. Vector entries live in vector.hpp.
template <Fn F>
struct Formula;

template <>
struct Formula<Fn::step> {
  template <class R>
  static R value(double x, const Params&) {
    return R(x > 0 ? 1.0 : 0.0);
  }
  template <class R>
  static R derivative(double, const Params&) {
    return R(0.0);
  }
};

template <>
struct Formula<Fn::linear> {
  template <class R>
  static R value(double x, const Params& p) {
    return R(p[0]) * R(x);
  }
  template <class R>
  static R derivative(double, const Params& p) {
    return R(p[0]);
  }
};

template <>
struct Formula<Fn::sigmoid> {
  template <class R>
  static R value(const Arg<R>& x, const Params&) {
    const auto general = [&] { return logistic(R(x), x < 0.0).p(); };
    if constexpr (kDoubleTier<R>) {
      // Near 0, σ(x) = 1/2 + x/4 − x³/48 + x⁵/480 − … alternates with falling terms: for
      // 0 < x < 2^-15 it lies strictly between s − x³/48 and s = 1/2 + x/4, for x < 0 between s
      // and s + |x|³/48. Where s is a double (x/4 is exact from |x| = 2^-1000 on, and then the sum
      // is exact if s − 1/2 gives it back), s itself is an end of the enclosure, which decides the
      // roundings where s is a tie of the measuring grid (0.3% of a float32 sample, around
      // x = ±2^-16, had gone to MPFR).
      const Arg<R> s = 0.5 + 0.25 * x, m = lanes::magnitude(x);
      const auto near_zero = [&] {
        const R beyond = R(s) - R(x) * R(x) * R(x) / R(48.0);
        return R::between(x < 0.0 ? s : beyond.lo(), x < 0.0 ? beyond.hi() : s);
      };
      return when((m < 0x1p-15) & (m >= 0x1p-1000) & (s - 0.5 == 0.25 * x), near_zero, general);
    }
    return general();
  }
  template <class R>
  static R derivative(const Arg<R>& x, const Params&) {
    Logistic<R> s = logistic(R(x), x < 0.0);
    return s.p() * s.q();
  }
};

template <>
struct Formula<Fn::tanh> {
  template <class R>
  static R value(const Arg<R>& x, const Params&) {
    return tanh(R(x));
  }
  template <class R>
  static R derivative(const Arg<R>& x, const Params&) {
    return sech_squared_of_nonnegative(R(lanes::magnitude(x)));
  }
};

template <>
struct Formula<Fn::relu> {
  template <class R>
  static R value(double x, const Params&) {
    return R(x > 0 ? x : 0.0);
  }
  template <class R>
  static R derivative(double x, const Params&) {
    return R(x > 0 ? 1.0 : 0.0);
  }
};

template <>
struct Formula<Fn::leaky_relu> {
  template <class R>
  static R value(double x, const Params& p) {
    return x > 0 ? R(x) : R(p[0]) * R(x);
  }
  template <class R>
  static R derivative(double x, const Params& p) {
    return R(x > 0 ? 1.0 : p[0]);
  }
};

// prelu is leaky_relu with a learnable slope.
template <>
struct Formula<Fn::prelu> : Formula<Fn::leaky_relu> {
  template <class R>
  static R param_derivative(double x, const Params&) {
    return R(x > 0 ? 0.0 : x);
  }
};

template <>
struct Formula<Fn::elu> {
  template <class R>
  static R value(const Arg<R>& x, const Params& p) {
    return when(
        x > 0.0, [&] { return R(x); }, [&] { return R(p[0]) * expm1(R(x)); });
  }
  template <class R>
  static R derivative(const Arg<R>& x, const Params& p) {
    return when(
        x > 0.0, [&] { return R(1.0); }, [&] { return R(p[0]) * exp(R(x)); });
  }
};

template <>
struct Formula<Fn::selu> {
  template <class R>
  static R value(const Arg<R>& x, const Params&) {
    return selu_lambda<R>() *
           when(
               x > 0.0, [&] { return R(x); }, [&] { return selu_alpha<R>() * expm1(R(x)); });
  }
  template <class R>
  static R derivative(const Arg<R>& x, const Params&) {
    return when(
        x > 0.0, [&] { return selu_lambda<R>(); },
        [&] { return selu_lambda<R>() * selu_alpha<R>() * exp(R(x)); });
  }
};

// The double tier near 0 of x·g(x) = x/2 + d(x) (swish, silu, gelu, gelu_tanh, hardswish), where
// |d(x)| ≤ |β|x²/4 or 0.4x² is below a double's step at x/2 for 2^-1021 ≤ |x| < 2^-60 (x/2 exact):
// the value lies strictly between x/2 and its neighbour on d's side (DoubleInterval::just_beside),
// which decides the roundings where x/2 is a tie (x a subnormal float32); the widened ends of the
// product straddle it.
template <class X>
auto near_half_x(X x) {
  const X m = lanes::magnitude(x);
  return (m >= 0x1p-1021) & (m < 0x1p-60);
}

// swish(x; β) = x·σ(βx); silu is β = 1. f′ = σ(βx)·(1 + βx·σ(−βx)), the catalog's
// βf + σ(βx)(1 − βf) rearranged so that no 1 − σ is formed.
template <class R>
struct Swish {
  R t;  // βx
  Logistic<R> s;
  Swish(const Arg<R>& x, double beta)
      : t(R(beta) * R(x)), s(logistic(t, negative_product(beta, x))) {}
};

template <>
struct Formula<Fn::swish> {
  template <class R>
  static R value(const Arg<R>& x, const Params& p) {
    const auto general = [&] { return R(x) * Swish<R>(x, p[0]).s.p(); };
    if constexpr (kDoubleTier<R>) {
      // d(x) = x(σ(βx) − 1/2) has the sign of β; |βx| small keeps |d| below |x|·2^-62.
      if (p[0] != 0) {
        return when(
            near_half_x(x) & (std::fabs(p[0]) * lanes::magnitude(x) < 0x1p-61),
            [&] { return R::just_beside(x / 2.0, p[0] > 0); }, general);
      }
    }
    return general();
  }
  template <class R>
  static R derivative(const Arg<R>& x, const Params& p) {
    Swish<R> w(x, p[0]);
    return w.s.p() * (R(1.0) + w.t * w.s.q());
  }
  // ∂f/∂β = x²·σ(βx)·σ(−βx), which tends to 0 as |x| → ∞ for β ≠ 0.
  template <class R>
  static R param_derivative(double x, const Params& p) {
    if (std::isinf(x)) return R(p[0] == 0 ? INFINITY : 0.0);
    Swish<R> w(x, p[0]);
    return square(R(x)) * w.s.p() * w.s.q();
  }
};

template <>
struct Formula<Fn::silu> {
  template <class R>
  static R value(const Arg<R>& x, const Params&) {
    return Formula<Fn::swish>::value<R>(x, Params{{1.0}});
  }
  template <class R>
  static R derivative(const Arg<R>& x, const Params&) {
    return Formula<Fn::swish>::derivative<R>(x, Params{{1.0}});
  }
};

template <>
struct Formula<Fn::softplus> {
  template <class R>
  static R value(const Arg<R>& x, const Params& p) {
    R t = R(p[0]) * R(x);
    return softplus_of(t, negative_product(p[0], x)) / R(p[0]);
  }
  template <class R>
  static R derivative(const Arg<R>& x, const Params& p) {
    return logistic(R(p[0]) * R(x), negative_product(p[0], x)).p();
  }
};

template <>
struct Formula<Fn::softsign> {
  template <class R>
  static R value(const Arg<R>& x, const Params&) {
    return R(x) / (R(1.0) + R(lanes::magnitude(x)));
  }
  template <class R>
  static R derivative(const Arg<R>& x, const Params&) {
    return R(1.0) / square(R(1.0) + R(lanes::magnitude(x)));
  }
};

template <>
struct Formula<Fn::threshold> {
  template <class R>
  static R value(double x, const Params& p) {
    return R(x > p[0] ? x : p[1]);
  }
  template <class R>
  static R derivative(double x, const Params& p) {
    return R(x > p[0] ? 1.0 : 0.0);
  }
};

template <>
struct Formula<Fn::thresholded_relu> {
  template <class R>
  static R value(double x, const Params& p) {
    return R(x > p[0] ? x : 0.0);
  }
  template <class R>
  static R derivative(double x, const Params& p) {
    return R(x > p[0] ? 1.0 : 0.0);
  }
};

// Φ(x) = erfc(−x/√2)/2: erfc keeps full relative accuracy in the negative tail, where
// (1 + erf(x/√2))/2 would cancel.
template <class R>
R plain_normal_cdf(const Arg<R>& x) {
  return erfc(R(-x) / constant<R>([]<class T> { return sqrt(T(2.0)); })) * R(0.5);
}

// The double tier's Φ. erfc multiplies the relative error of its argument by 2y² (about 200 at
// y = 10, where gelu still has float32 values), so −x/√2 rounded to a double would cost hundreds of
// ulps. Instead y = −x/√2 is carried as y₀ + δ (y₀ a double, δ enclosed to about 2^-105·|y|) and
// the mean value theorem adds δ back: erfc(y₀ + δ) = erfc(y₀) − (2/√π)·e^(−ξ²)·δ for some ξ between
// y₀ and y₀ + δ. Below |x| = 2^-900 the residual of y₀ could underflow: there, and for ±∞, Φ is
// the plain formula's.
// 1/√2 = kInvSqrt2Hi + kInvSqrt2Lo + ε with |ε| < 2^-107 (tests/oracle_test checks it in MPFR);
// regenerate with mpmath at 300 bits: hi = float(c), lo = float(c − hi).
inline constexpr double kInvSqrt2Hi = 0x1.6a09e667f3bcdp-1;
inline constexpr double kInvSqrt2Lo = -0x1.bdd3413b26456p-55;
template <class R>
R normal_cdf(const Arg<R>& x) {
  using X = Arg<R>;
  if constexpr (!kDoubleTier<R>) {
    return plain_normal_cdf<R>(x);
  } else {
    const auto split = [&] {
      const X y0 = -x * kInvSqrt2Hi;
      const X residual = lanes::fused_multiply_add(-x, X{} + kInvSqrt2Hi, -y0);  // exact
      const X epsilon = lanes::magnitude(x) * 0x1p-107;
      const R delta = R(residual) + R(-x) * R(kInvSqrt2Lo) + R::between(-epsilon, epsilon);
      const R xi =
          R(y0) + R::between(lanes::lesser(delta.lo(), X{}), lanes::greater(delta.hi(), X{}));
      const R two_over_root_pi = constant<R>([]<class T> { return T(2.0) / sqrt(T::pi()); });
      const R derivative = two_over_root_pi * exp(-square(xi));
      return ((erfc(R(y0)) - derivative * delta) * R(0.5)).known_positive();
    };
    const X m = lanes::magnitude(x);
    return when((m == INFINITY) | (m != m) | (m < 0x1p-900), [&] { return plain_normal_cdf<R>(x); },
                split);
  }
}

template <>
struct Formula<Fn::gelu> {
  template <class R>
  static R value(const Arg<R>& x, const Params&) {
    const auto general = [&] { return R(x) * normal_cdf<R>(x); };
    if constexpr (kDoubleTier<R>) {
      return when(  // d ≈ x²/√(2π)
          near_half_x(x), [&] { return R::just_beside(x / 2.0, true); }, general);
    }
    return general();
  }
  template <class R>
  static R derivative(const Arg<R>& x, const Params&) {
    const R root_two_pi = constant<R>([]<class T> { return sqrt(T(2.0) * T::pi()); });
    R pdf = exp(-square(R(x)) * R(0.5)) / root_two_pi;
    return negative_left_of_minus_two(x, normal_cdf<R>(x) + R(x) * pdf);
  }
};

// gelu_tanh = (x/2)(1 + tanh u) = x·σ(2u), u = √(2/π)(x + 0.044715x³); u has the sign of x.
template <class R>
struct GeluTanh {
  R k = constant<R>([]<class T> { return sqrt(T(2.0) / T::pi()); });
  R c = decimal_constant<"0.044715", R>();
  R two_u;
  Logistic<R> s;
  explicit GeluTanh(const Arg<R>& x)
      : two_u(R(2.0) * k * (R(x) + c * R(x) * square(R(x)))), s(logistic(two_u, x < 0.0)) {}
};

template <>
struct Formula<Fn::gelu_tanh> {
  template <class R>
  static R value(const Arg<R>& x, const Params&) {
    const auto general = [&] { return R(x) * GeluTanh<R>(x).s.p(); };
    if constexpr (kDoubleTier<R>) {
      return when(  // d = (x/2)·tanh u ≈ x²/√(2π)
          near_half_x(x), [&] { return R::just_beside(x / 2.0, true); }, general);
    }
    return general();
  }
  template <class R>
  static R derivative(const Arg<R>& x, const Params&) {
    GeluTanh<R> g(x);
    R du = g.k * (R(1.0) + R(3.0) * g.c * square(R(x)));  // u′
    return negative_left_of_minus_two(x, g.s.p() + R(x) * R(2.0) * g.s.p() * g.s.q() * du);
  }
};

template <>
struct Formula<Fn::mish> {
  template <class R>
  static R value(const Arg<R>& x, const Params&) {
    return R(x) * tanh(softplus_of(R(x), x < 0.0));
  }
  template <class R>
  static R derivative(const Arg<R>& x, const Params&) {
    R sp = softplus_of(R(x), x < 0.0);
    return negative_left_of_minus_two(
        x, tanh(sp) + R(x) * sech_squared_of_nonnegative(sp) * logistic(R(x), x < 0.0).p());
  }
};

template <>
struct Formula<Fn::hardtanh> {
  template <class R>
  static R value(double x, const Params& p) {
    return R(x < p[0] ? p[0] : x > p[1] ? p[1] : x);
  }
  template <class R>
  static R derivative(double x, const Params& p) {
    return R(x <= p[0] || x >= p[1] ? 0.0 : 1.0);
  }
};

template <>
struct Formula<Fn::relu6> {
  template <class R>
  static R value(double x, const Params&) {
    return R(x <= 0 ? 0.0 : x >= 6 ? 6.0 : x);
  }
  template <class R>
  static R derivative(double x, const Params&) {
    return R(x <= 0 || x >= 6 ? 0.0 : 1.0);
  }
};

template <>
struct Formula<Fn::hardsigmoid> {
  template <class R>
  static R value(double x, const Params&) {
    if (x <= -3) return R(0.0);
    if (x >= 3) return R(1.0);
    return (R(x) + R(3.0)) / R(6.0);
  }
  template <class R>
  static R derivative(double x, const Params&) {
    return -3 < x && x < 3 ? R(1.0) / R(6.0) : R(0.0);
  }
};

template <>
struct Formula<Fn::hardswish> {
  template <class R>
  static R value(double x, const Params&) {
    if (x <= -3) return R(0.0);
    if (x >= 3) return R(x);
    if constexpr (std::same_as<R, DoubleInterval>) {
      if (near_half_x(x)) return R::just_beside(x / 2, true);  // d = x²/6
    }
    return R(x) * (R(x) + R(3.0)) / R(6.0);
  }
  template <class R>
  static R derivative(double x, const Params&) {
    if (x < -3) return R(0.0);
    if (x > 3) return R(1.0);
    return R(x) / R(3.0) + R(0.5);
  }
};

template <>
struct Formula<Fn::logsigmoid> {
  template <class R>
  static R value(const Arg<R>& x, const Params&) {
    return -softplus_of(R(-x), x > 0.0);
  }
  template <class R>
  static R derivative(const Arg<R>& x, const Params&) {
    return logistic(R(x), x < 0.0).q();
  }
};

template <>
struct Formula<Fn::celu> {
  template <class R>
  static R value(const Arg<R>& x, const Params& p) {
    return when(
        x > 0.0, [&] { return R(x); }, [&] { return R(p[0]) * expm1(R(x) / R(p[0])); });
  }
  template <class R>
  static R derivative(const Arg<R>& x, const Params& p) {
    return when(
        x > 0.0, [&] { return R(1.0); }, [&] { return exp(R(x) / R(p[0])); });
  }
};

template <>
struct Formula<Fn::softshrink> {
  template <class R>
  static R value(double x, const Params& p) {
    if (x > p[0]) return R(x) - R(p[0]);
    if (x < -p[0]) return R(x) + R(p[0]);
    return R(0.0);
  }
  template <class R>
  static R derivative(double x, const Params& p) {
    return R(-p[0] <= x && x <= p[0] ? 0.0 : 1.0);
  }
};

template <>
struct Formula<Fn::hardshrink> {
  template <class R>
  static R value(double x, const Params& p) {
    return R(-p[0] <= x && x <= p[0] ? 0.0 : x);
  }
  template <class R>
  static R derivative(double x, const Params& p) {
    return R(-p[0] <= x && x <= p[0] ? 0.0 : 1.0);
  }
};

// x − tanh(x). Near 0 the difference cancels: MPFR raises its precision until it decides.
template <class R>
R x_minus_tanh(double x) {
  return R(x) - tanh(R(x));
}

// The double tier's x − tanh(x). The difference multiplies tanh's relative error by 3/x², so below
// |x| = 2^-8 it would decide nothing and leave about half of all float32 inputs to MPFR. There the
// Taylor series x³/3 − 2x⁵/15 + 17x⁷/315 − 62x⁹/2835 + … alternates with terms falling by 0.4x²
// each, so the sum of the first three is within the fourth, of the sign of −x (Leibniz).
// From |x| = 32 on, x − tanh(x) = x ∓ 1 ± δ with 0 < δ = 2e^(−2|x|)/(1 + e^(−2|x|)) < 2^-90, far
// below a double's step at x ∓ 1 (exact below 2^53): the value lies strictly between x ∓ 1 and
// its neighbour, ends that decide_rounding settles even where x ∓ 1 is a tie (x in [2^24, 2^25),
// and the measuring grid's ties further out), which the general formula's widened ends straddle.
template <>
inline DoubleInterval x_minus_tanh<DoubleInterval>(double x) {
  using R = DoubleInterval;
  if (std::fabs(x) >= 32 && std::fabs(x) < 0x1p53) {
    return R::just_beside(x > 0 ? x - 1 : x + 1, x > 0);
  }
  if (x == 0 || !(std::fabs(x) < 0x1p-8)) return R(x) - tanh(R(x));
  const R x2 = square(R(x)), x3 = R(x) * x2;
  const R sum = x3 * (R(1.0) / R(3.0) - x2 * (R(2.0) / R(15.0) - x2 * (R(17.0) / R(315.0))));
  const R fourth = x3 * x2 * x2 * x2 * (R(62.0) / R(2835.0));
  return sum - R::between(std::min(fourth.lo(), 0.0), std::max(fourth.hi(), 0.0));
}

template <>
struct Formula<Fn::tanhshrink> {
  template <class R>
  static R value(double x, const Params&) {
    return x_minus_tanh<R>(x);
  }
  template <class R>
  static R derivative(double x, const Params&) {
    return square(tanh(R(x)));
  }
};

template <Fn F, class R>
concept HasFormula = requires(const Arg<R>& x, const Params& p) {
  { Formula<F>::template value<R>(x, p) } -> std::same_as<R>;
};

// Written for lanes too (value and derivative): the fast tier computes them kWidth at a time.
template <Fn F>
concept HasLaneFormulas = requires(Arg<IntervalLanes<2>> x, const Params& p) {
  { Formula<F>::template value<IntervalLanes<2>>(x, p) } -> std::same_as<IntervalLanes<2>>;
  { Formula<F>::template derivative<IntervalLanes<2>>(x, p) } -> std::same_as<IntervalLanes<2>>;
};

template <Fn F, class R>
concept HasParamFormula = requires(double x, const Params& p) {
  { Formula<F>::template param_derivative<R>(x, p) } -> std::same_as<R>;
};

}  // namespace actcheck::reference

// Plain float32 compositions of every catalog entry, forward and backward, written once over an
// elementary-function library `M` (glibc's float functions, SLEEF's, ...). They are what a careful
// user writes with a libm at hand: each formula avoids the overflow and the cancellation of its
// textbook form (the comment at each entry says which), and no more: no argument reduction of our
// own, no extra precision. Where a rounded argument feeds an exponential (βx, x/√2, x/α, the cubic
// of gelu_tanh, xᵢ − max) or an intermediate e^x or erfc is subnormal while the result is not
// (silu, gelu, mish far left), their error grows with |x|; where the result is itself a difference
// of nearby terms (the zeros of silu′, gelu′, mish′), it is an absolute error of a few 2^−24, many
// ULPs of the small result. Measuring all that is the engine's job.
//
// impl/scalar.cpp instantiates them with glibc's functions as actcheck's kernels until the SIMD
// kernels land; the libm and sleef backends instantiate them with their libraries for good.
//
// Conventions of every entry:
//  - NaN in, NaN out (the drivers at the end); a vector row with a NaN anywhere is all NaN, as
//    reference/vector.hpp documents;
//  - ±inf give the limits: each composition settles its own ∞·0;
//  - derivatives at kinks are PyTorch autograd's, as each catalog row names them;
//  - parameters arrive as the catalog's doubles. Kinks compare x with them in double, which is
//    exact (x > 0.1 for float x, where x > 0.1f would move the kink); values use them as floats.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>

#include "catalog/catalog.hpp"
#include "impl/kernels.hpp"

namespace actcheck::impl {

// The elementary functions the compositions are built from, all in float.
template <class M>
concept MathLibrary = requires(float x) {
  { M::exp(x) } -> std::same_as<float>;
  { M::expm1(x) } -> std::same_as<float>;
  { M::log(x) } -> std::same_as<float>;
  { M::log1p(x) } -> std::same_as<float>;
  { M::tanh(x) } -> std::same_as<float>;
  { M::erf(x) } -> std::same_as<float>;
  { M::erfc(x) } -> std::same_as<float>;
};

// glibc's float functions (std::exp(float) is expf, and so on).
struct StdMath {
  static float exp(float x) { return std::exp(x); }
  static float expm1(float x) { return std::expm1(x); }
  static float log(float x) { return std::log(x); }
  static float log1p(float x) { return std::log1p(x); }
  static float tanh(float x) { return std::tanh(x); }
  static float erf(float x) { return std::erf(x); }
  static float erfc(float x) { return std::erfc(x); }
};

// ---- Pieces several entries share --------------------------------------------------------------

// σ(t) and σ(−t), both from e = e^(−|t|) ∈ (0, 1]: nothing overflows for any t, and the small one
// of the pair is e/(1 + e) rather than 1 − σ, which would cancel (σ(−100) ≈ 3.72e-44, not 0).
struct Logistic {
  float p;  // σ(t)
  float q;  // σ(−t)
};
template <MathLibrary M>
Logistic logistic(float t) {
  const float e = M::exp(-std::fabs(t));
  const float d = 1.0f + e;
  const float big = 1.0f / d;
  const float small = e / d;
  return t < 0 ? Logistic{small, big} : Logistic{big, small};
}

// log(1 + e^t) = max(t, 0) + log1p(e^(−|t|)): e^t never overflows (softplus(100) = 100), and
// log1p keeps the small term that 1 + e^(−|t|) would round away.
template <MathLibrary M>
float softplus_of(float t) {
  return std::max(t, 0.0f) + M::log1p(M::exp(-std::fabs(t)));
}

// x·g(x) for a factor g that decays faster than |x| grows (σ(x), Φ(x), ...): where g is 0 the
// limit is a zero with the sign of x, where the product would give ∞·0 = NaN at x = ±∞.
inline float times_decaying(float x, float g) { return g == 0 ? std::copysign(0.0f, x) : x * g; }

// swish(x; β) = x·σ(t), t = βx, and its derivative σ(t)·(1 + t·σ(−t)): the catalog's
// βf + σ(t)(1 − βf) rearranged so that no 1 − σ is formed.
template <MathLibrary M>
float swish_value(float x, float t) {
  return times_decaying(x, logistic<M>(t).p);
}
template <MathLibrary M>
float swish_derivative(float t) {
  if (std::isinf(t)) return t > 0 ? 1.0f : 0.0f;  // the limits, where t·σ(−t) would be ∞·0
  const Logistic s = logistic<M>(t);
  return s.p * (1.0f + t * s.q);
}

inline constexpr float kInvSqrt2 = 0.70710678118654752440f;
inline constexpr float kInvSqrt2Pi = 0.39894228040143267794f;

// Φ(x): (1 + erf(x/√2))/2 where it lies in [1/2, 1], and erfc(−x/√2)/2 in the negative tail,
// where 1 + erf would cancel (Φ(−10) ≈ 7.6e-24).
template <MathLibrary M>
float normal_cdf(float x) {
  const float t = x * kInvSqrt2;
  return x >= 0 ? 0.5f * (1.0f + M::erf(t)) : 0.5f * M::erfc(-t);
}

// φ(x) = e^(−x²/2)/√(2π). x² = h + l with l the rounding error of h (exact by fma), and
// e^(−(h + l)/2) = e^(−h/2)·(1 − l/2): the exponent carries no rounding error, which e^(−h/2)
// would magnify by h/2 (50 ulps at x = 10). Beyond |x| = 16 the result underflows to 0 (and h may
// be ∞, where l is not a number).
template <MathLibrary M>
float normal_pdf(float x) {
  const float h = x * x;
  if (h >= 256.0f) return 0.0f;
  const float l = std::fma(x, x, -h);
  return kInvSqrt2Pi * M::exp(-0.5f * h) * (1.0f - 0.5f * l);
}

// gelu_tanh's 2u = 2√(2/π)(x + 0.044715x³), written x·(a + b·x²), and 2u′ = a + 3b·x².
inline constexpr double kTwoSqrtTwoOverPi = 1.5957691216057307117597842397375;
inline constexpr float kGeluTanhA = static_cast<float>(kTwoSqrtTwoOverPi);
inline constexpr float kGeluTanhB = static_cast<float>(kTwoSqrtTwoOverPi * 0.044715);

// mish's tanh(softplus(x)) and sech²(softplus(x))·σ(x) without tanh, log1p or overflow. With
// E = e^x, tanh(log(1 + E)) = n/(n + 2), n = E(E + 2), and sech²·σ = 4E(1 + E)/(n + 2)²; for
// x ≥ 0 numerator and denominator are divided by E², in terms of e = e^(−x). Every term is
// positive, so nothing cancels.
struct MishTerms {
  float tanh_sp;      // tanh(softplus(x))
  float sech2_sigma;  // sech²(softplus(x))·σ(x)
};
template <MathLibrary M>
MishTerms mish_terms(float x) {
  if (x < 0) {
    const float e = M::exp(x);
    const float n = e * (e + 2.0f);
    const float d = n + 2.0f;
    return {n / d, 4.0f * e * (1.0f + e) / (d * d)};
  }
  const float e = M::exp(-x);
  const float d = 1.0f + 2.0f * e * (1.0f + e);
  return {(1.0f + 2.0f * e) / d, 4.0f * e * e * (1.0f + e) / (d * d)};
}

// x − tanh x = x³·P(x²) for |x| < 1, where the difference itself would cancel (x − tanh x ≈ x³/3).
// P's coefficients are −aₖ of tanh x = Σ aₖx^(2k+1), from tanh′ = 1 − tanh²:
// (2k + 1)·aₖ = −Σ_{i+j=k−1} aᵢaⱼ, a₀ = 1. Beyond |x| = 1 the subtraction loses at most 2 bits.
inline constexpr std::size_t kTanhshrinkTerms = 22;
constexpr std::array<double, kTanhshrinkTerms + 2> tanh_series() {
  std::array<double, kTanhshrinkTerms + 2> a{};
  a[0] = 1;
  for (std::size_t k = 1; k < a.size(); ++k) {
    double s = 0;
    for (std::size_t i = 0; i < k; ++i) s += a[i] * a[k - 1 - i];
    a[k] = -s / static_cast<double>(2 * k + 1);
  }
  return a;
}
inline constexpr std::array<double, kTanhshrinkTerms + 2> kTanhSeries = tanh_series();
// The first term left out is below 2^-28 of the sum at |x| = 1 (the sum is > 1/4 there), and the
// terms alternate and shrink, so the whole tail is.
static_assert(-0x1p-30 < kTanhSeries[kTanhshrinkTerms + 1] &&
              kTanhSeries[kTanhshrinkTerms + 1] < 0x1p-30);
inline float tanhshrink_series(float x) {
  const float z = x * x;
  float p = static_cast<float>(-kTanhSeries[kTanhshrinkTerms]);
  for (std::size_t k = kTanhshrinkTerms - 1; k >= 1; --k) {
    p = p * z + static_cast<float>(-kTanhSeries[k]);
  }
  return x * (z * p);  // x·(x²·P): x³ is never formed, so it rounds once into the subnormals
}

// The SELU constants as published (Klambauer et al. 2017); λα is rounded once from the product.
inline constexpr float kSeluLambda = 1.0507009873554804934193349852946f;
inline constexpr float kSeluLambdaAlpha = 1.7580993408473768599402175208123f;

// A parameter split into a float and the float nearest to what it missed: (x − hi) − lo is exact
// near the kink x ≈ λ (where x − hi is exact) and rounds once, for a λ that is not a float.
struct SplitParam {
  float hi;
  float lo;
  explicit SplitParam(double v)
      : hi(static_cast<float>(v)), lo(static_cast<float>(v - static_cast<double>(hi))) {}
};

// Neumaier's compensated sum: a row has up to thousands of terms, and a plain float sum would lose
// up to log2(n) bits; this one stays within a rounding or two of the exact sum.
class CompensatedSum {
 public:
  void add(float v) {
    const float t = sum_ + v;
    // The rounding error of sum_ + v, recovered exactly from the larger operand.
    compensation_ += std::fabs(sum_) >= std::fabs(v) ? (sum_ - t) + v : (v - t) + sum_;
    sum_ = t;
  }
  // An infinite sum has no rounding error to add back (its compensation is not a number).
  float value() const { return std::isfinite(sum_) ? sum_ + compensation_ : sum_; }

 private:
  float sum_ = 0;
  float compensation_ = 0;
};

// ---- One composition per catalog entry ---------------------------------------------------------
//
// Elementwise entries: value(x, p) and derivative(x, p), for a float x that is not NaN.
// Row entries (vector, gated): output_length(n, p), forward(x, p, y) and backward(x, dy, p, dx) on
// one row that holds no NaN.

template <Fn F>
struct Composition;

template <>
struct Composition<Fn::step> {
  template <MathLibrary M>
  static float value(float x, const Params&) {
    return x > 0 ? 1.0f : 0.0f;
  }
  template <MathLibrary M>
  static float derivative(float, const Params&) {
    return 0.0f;
  }
};

template <>
struct Composition<Fn::linear> {
  template <MathLibrary M>
  static float value(float x, const Params& p) {
    return static_cast<float>(p[0]) * x;
  }
  template <MathLibrary M>
  static float derivative(float, const Params& p) {
    return static_cast<float>(p[0]);
  }
};

template <>
struct Composition<Fn::sigmoid> {
  template <MathLibrary M>
  static float value(float x, const Params&) {
    return logistic<M>(x).p;
  }
  template <MathLibrary M>
  static float derivative(float x, const Params&) {
    const Logistic s = logistic<M>(x);
    return s.p * s.q;  // σ(1 − σ) with 1 − σ = σ(−x): no cancellation in either tail
  }
};

template <>
struct Composition<Fn::tanh> {
  template <MathLibrary M>
  static float value(float x, const Params&) {
    return M::tanh(x);
  }
  // 1 − tanh² cancels as tanh → ±1; sech² = 4e/(1 + e)², e = e^(−2|x|), keeps full precision.
  template <MathLibrary M>
  static float derivative(float x, const Params&) {
    const float e = M::exp(-2.0f * std::fabs(x));
    const float d = 1.0f + e;
    return 4.0f * e / (d * d);
  }
};

template <>
struct Composition<Fn::relu> {
  template <MathLibrary M>
  static float value(float x, const Params&) {
    return x > 0 ? x : 0.0f;
  }
  template <MathLibrary M>
  static float derivative(float x, const Params&) {
    return x > 0 ? 1.0f : 0.0f;
  }
};

template <>
struct Composition<Fn::leaky_relu> {
  template <MathLibrary M>
  static float value(float x, const Params& p) {
    return x > 0 ? x : static_cast<float>(p[0]) * x;
  }
  template <MathLibrary M>
  static float derivative(float x, const Params& p) {
    return x > 0 ? 1.0f : static_cast<float>(p[0]);
  }
};

// prelu is leaky_relu with a learnable slope (whose gradient is not a pass of these kernels).
template <>
struct Composition<Fn::prelu> : Composition<Fn::leaky_relu> {};

// expm1, not exp − 1, which cancels for small |x|.
template <>
struct Composition<Fn::elu> {
  template <MathLibrary M>
  static float value(float x, const Params& p) {
    return x > 0 ? x : static_cast<float>(p[0]) * M::expm1(x);
  }
  template <MathLibrary M>
  static float derivative(float x, const Params& p) {
    return x > 0 ? 1.0f : static_cast<float>(p[0]) * M::exp(x);
  }
};

// λ·α·expm1(x) with λα as one constant: one rounding fewer than λ·(α·expm1(x)).
template <>
struct Composition<Fn::selu> {
  template <MathLibrary M>
  static float value(float x, const Params&) {
    return x > 0 ? kSeluLambda * x : kSeluLambdaAlpha * M::expm1(x);
  }
  template <MathLibrary M>
  static float derivative(float x, const Params&) {
    return x > 0 ? kSeluLambda : kSeluLambdaAlpha * M::exp(x);
  }
};

template <>
struct Composition<Fn::silu> {
  template <MathLibrary M>
  static float value(float x, const Params&) {
    return swish_value<M>(x, x);
  }
  template <MathLibrary M>
  static float derivative(float x, const Params&) {
    return swish_derivative<M>(x);
  }
};

template <>
struct Composition<Fn::swish> {
  template <MathLibrary M>
  static float value(float x, const Params& p) {
    return swish_value<M>(x, static_cast<float>(p[0]) * x);
  }
  template <MathLibrary M>
  static float derivative(float x, const Params& p) {
    return swish_derivative<M>(static_cast<float>(p[0]) * x);
  }
};

template <>
struct Composition<Fn::softplus> {
  template <MathLibrary M>
  static float value(float x, const Params& p) {
    const float beta = static_cast<float>(p[0]);
    return softplus_of<M>(beta * x) / beta;
  }
  template <MathLibrary M>
  static float derivative(float x, const Params& p) {
    return logistic<M>(static_cast<float>(p[0]) * x).p;
  }
};

template <>
struct Composition<Fn::softsign> {
  template <MathLibrary M>
  static float value(float x, const Params&) {
    if (std::isinf(x)) return std::copysign(1.0f, x);  // where x/(1 + |x|) is ∞/∞
    return x / (1.0f + std::fabs(x));
  }
  // r² with r = 1/(1 + |x|), not 1/(1 + |x|)², whose square overflows for |x| > 1.8e19 while the
  // result is still a subnormal number.
  template <MathLibrary M>
  static float derivative(float x, const Params&) {
    const float r = 1.0f / (1.0f + std::fabs(x));
    return r * r;
  }
};

template <>
struct Composition<Fn::threshold> {
  template <MathLibrary M>
  static float value(float x, const Params& p) {
    return static_cast<double>(x) > p[0] ? x : static_cast<float>(p[1]);
  }
  template <MathLibrary M>
  static float derivative(float x, const Params& p) {
    return static_cast<double>(x) > p[0] ? 1.0f : 0.0f;
  }
};

template <>
struct Composition<Fn::thresholded_relu> {
  template <MathLibrary M>
  static float value(float x, const Params& p) {
    return static_cast<double>(x) > p[0] ? x : 0.0f;
  }
  template <MathLibrary M>
  static float derivative(float x, const Params& p) {
    return static_cast<double>(x) > p[0] ? 1.0f : 0.0f;
  }
};

template <>
struct Composition<Fn::gelu> {
  template <MathLibrary M>
  static float value(float x, const Params&) {
    return times_decaying(x, normal_cdf<M>(x));
  }
  // Φ + xφ. For x < 0 it is written −(|x|φ − Φ), the same value but −0 rather than +0 where both
  // terms underflow: the derivative is negative for every x < −0.75.
  template <MathLibrary M>
  static float derivative(float x, const Params&) {
    if (std::isinf(x)) return x > 0 ? 1.0f : 0.0f;
    const float cdf = normal_cdf<M>(x);
    const float pdf = normal_pdf<M>(x);
    return x < 0 ? -(-x * pdf - cdf) : cdf + x * pdf;
  }
};

// (x/2)(1 + tanh u) = x·σ(2u): no 1 + tanh u to cancel in the negative tail, and 2u = x·(a + b·x²)
// overflows harmlessly to ±∞ for huge |x|.
template <>
struct Composition<Fn::gelu_tanh> {
  template <MathLibrary M>
  static float value(float x, const Params&) {
    return times_decaying(x, logistic<M>(x * (kGeluTanhA + kGeluTanhB * x * x)).p);
  }
  // σ(2u)·(1 + x·σ(−2u)·2u′): its sign is that of the bracket, even where σ(2u) underflows.
  // Beyond |x| = 16, |2u| > 300 and σ(2u) is exactly 0 or 1 in float, while x·2u′ would overflow
  // for |x| > 1e13.
  template <MathLibrary M>
  static float derivative(float x, const Params&) {
    if (std::isinf(x)) return x > 0 ? 1.0f : 0.0f;
    if (std::fabs(x) > 16.0f) return x > 0 ? 1.0f : -0.0f;
    const float x2 = x * x;
    const Logistic s = logistic<M>(x * (kGeluTanhA + kGeluTanhB * x2));
    return s.p * (1.0f + x * s.q * (kGeluTanhA + 3.0f * kGeluTanhB * x2));
  }
};

template <>
struct Composition<Fn::mish> {
  template <MathLibrary M>
  static float value(float x, const Params&) {
    return times_decaying(x, mish_terms<M>(x).tanh_sp);
  }
  // tanh(sp) + x·sech²(sp)·σ(x); for x < 0 written −(|x|·S − T), which keeps the sign (−0) where
  // both terms underflow: the derivative is negative for every x < −1.19.
  template <MathLibrary M>
  static float derivative(float x, const Params&) {
    if (std::isinf(x)) return x > 0 ? 1.0f : 0.0f;
    const MishTerms m = mish_terms<M>(x);
    return x < 0 ? -(-x * m.sech2_sigma - m.tanh_sp) : m.tanh_sp + x * m.sech2_sigma;
  }
};

// ---- Row entries --------------------------------------------------------------------------------

// A row of sign·x, shifted by its maximum m: every exponent sign·xᵢ − m ≤ 0, so no term overflows,
// and the maximum's own term is exactly 1. `rest`, the sum of the other terms, is kept apart so
// that logsumexp = m + log1p(rest) stays accurate when one entry dominates (log_softmax([20, 0])₀ =
// −log1p(e^−20) = −2.1e-9, which log(1 + e^−20) rounds to 0). Rows with special values have the
// limits of reference/vector.hpp: −inf entries weigh exactly 0, one +inf takes all the weight,
// two or more +inf or only −inf have no limit.
struct ShiftedRow {
  enum class Limit { kFinite, kOneHot, kNone };
  Limit limit = Limit::kFinite;
  std::size_t argmax = 0;  // the first maximum
  float max = 0;           // m
  bool several = false;    // two or more entries above −inf
  float rest = 0;          // Σ of e^(sign·xᵢ − m) over i ≠ argmax, for a finite limit

  template <MathLibrary M>
  static ShiftedRow of(std::span<const float> x, float sign) {
    ShiftedRow r;
    std::size_t plus_inf = 0, above_minus_inf = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const float v = sign * x[i];
      plus_inf += v == std::numeric_limits<float>::infinity();
      above_minus_inf += v > -std::numeric_limits<float>::infinity();
      if (v > sign * x[r.argmax]) r.argmax = i;
    }
    r.max = sign * x[r.argmax];
    r.several = above_minus_inf > 1;
    if (plus_inf > 1 || above_minus_inf == 0) {
      r.limit = Limit::kNone;
    } else if (plus_inf == 1) {
      r.limit = Limit::kOneHot;
    } else {
      CompensatedSum rest;
      for (std::size_t i = 0; i < x.size(); ++i) {
        if (i != r.argmax) rest.add(M::exp(sign * x[i] - r.max));
      }
      r.rest = rest.value();
    }
    return r;
  }
};

// softmax(sign·x) into s.
template <MathLibrary M>
void softmax_row(std::span<const float> x, float sign, std::span<float> s) {
  const ShiftedRow r = ShiftedRow::of<M>(x, sign);
  if (r.limit == ShiftedRow::Limit::kNone) {
    std::fill(s.begin(), s.end(), std::numeric_limits<float>::quiet_NaN());
    return;
  }
  const bool one_hot = r.limit == ShiftedRow::Limit::kOneHot;
  const float total = 1.0f + r.rest;  // in [1, n]
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (one_hot) {
      s[i] = sign * x[i] == std::numeric_limits<float>::infinity() ? 1.0f : 0.0f;
    } else {
      s[i] = (i == r.argmax ? 1.0f : M::exp(sign * x[i] - r.max)) / total;
    }
  }
}

// Jᵀv = sign·s ⊙ (v − ⟨s, v⟩), with s = softmax(sign·x) written into g first.
template <MathLibrary M>
void softmax_vjp(std::span<const float> x, std::span<const float> v, float sign,
                 std::span<float> g) {
  softmax_row<M>(x, sign, g);
  CompensatedSum dot;
  for (std::size_t i = 0; i < g.size(); ++i) dot.add(g[i] * v[i]);
  const float d = dot.value();
  for (std::size_t i = 0; i < g.size(); ++i) g[i] = sign * (g[i] * (v[i] - d));
}

template <>
struct Composition<Fn::softmax> {
  static std::size_t output_length(std::size_t n, const Params&) { return n; }
  template <MathLibrary M>
  static void forward(std::span<const float> x, const Params&, std::span<float> y) {
    softmax_row<M>(x, 1.0f, y);
  }
  template <MathLibrary M>
  static void backward(std::span<const float> x, std::span<const float> dy, const Params&,
                       std::span<float> dx) {
    softmax_vjp<M>(x, dy, 1.0f, dx);
  }
};

// xᵢ − m − log1p(rest): both subtracted terms are ≥ 0, so nothing cancels.
template <>
struct Composition<Fn::log_softmax> {
  static std::size_t output_length(std::size_t n, const Params&) { return n; }
  template <MathLibrary M>
  static void forward(std::span<const float> x, const Params&, std::span<float> y) {
    const ShiftedRow r = ShiftedRow::of<M>(x, 1.0f);
    constexpr float kInf = std::numeric_limits<float>::infinity();
    const float log_sum = r.limit == ShiftedRow::Limit::kFinite ? M::log1p(r.rest) : 0.0f;
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (r.limit == ShiftedRow::Limit::kNone) {
        y[i] = std::numeric_limits<float>::quiet_NaN();
      } else if (r.limit == ShiftedRow::Limit::kOneHot) {
        y[i] = x[i] == kInf ? 0.0f : -kInf;
      } else if (r.several) {
        // Every output is negative, also where rest underflowed to 0 (log_softmax([1e30, 0])₀ is
        // −0): the negation keeps that sign.
        y[i] = -((r.max - x[i]) + log_sum);
      } else {
        y[i] = x[i] - r.max;  // one entry above −inf: 0 there, −inf elsewhere
      }
    }
  }
  // Jᵀv = v − softmax(x)·Σv.
  template <MathLibrary M>
  static void backward(std::span<const float> x, std::span<const float> dy, const Params&,
                       std::span<float> dx) {
    softmax_row<M>(x, 1.0f, dx);
    CompensatedSum total;
    for (float v : dy) total.add(v);
    const float t = total.value();
    for (std::size_t i = 0; i < dx.size(); ++i) dx[i] = dy[i] - dx[i] * t;
  }
};

template <>
struct Composition<Fn::softmin> {
  static std::size_t output_length(std::size_t n, const Params&) { return n; }
  template <MathLibrary M>
  static void forward(std::span<const float> x, const Params&, std::span<float> y) {
    softmax_row<M>(x, -1.0f, y);
  }
  template <MathLibrary M>
  static void backward(std::span<const float> x, std::span<const float> dy, const Params&,
                       std::span<float> dx) {
    softmax_vjp<M>(x, dy, -1.0f, dx);
  }
};

template <>
struct Composition<Fn::maxout> {
  static std::size_t output_length(std::size_t n, const Params& p) {
    const double k = p[0];
    if (!(k >= 1) || k != std::floor(k) || n % static_cast<std::size_t>(k) != 0) {
      throw std::invalid_argument("maxout: the row length " + std::to_string(n) +
                                  " is not a multiple of k = " + std::to_string(k));
    }
    return n / static_cast<std::size_t>(k);
  }
  // The first maximum of each group (strictly greater replaces), as PyTorch's max(dim) returns.
  static std::size_t first_argmax(std::span<const float> group) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < group.size(); ++i) {
      if (group[i] > group[best]) best = i;
    }
    return best;
  }
  template <MathLibrary M>
  static void forward(std::span<const float> x, const Params&, std::span<float> y) {
    const std::size_t k = x.size() / y.size();
    for (std::size_t g = 0; g < y.size(); ++g) {
      const std::span<const float> group = x.subspan(g * k, k);
      y[g] = group[first_argmax(group)];
    }
  }
  template <MathLibrary M>
  static void backward(std::span<const float> x, std::span<const float> dy, const Params&,
                       std::span<float> dx) {
    const std::size_t k = x.size() / dy.size();
    std::fill(dx.begin(), dx.end(), 0.0f);
    for (std::size_t g = 0; g < dy.size(); ++g) {
      dx[g * k + first_argmax(x.subspan(g * k, k))] = dy[g];
    }
  }
};

// Gated rows [a, b] split in halves; the output has the length of a.
inline std::size_t gated_output_length(Fn fn, std::size_t n) {
  if (n % 2 != 0) {
    throw std::invalid_argument(std::string(activation(fn).name) + ": the row length " +
                                std::to_string(n) + " is odd; it must split into halves [a, b]");
  }
  return n / 2;
}

// glu = a ⊙ σ(b); ∂/∂a = σ(b), ∂/∂b = a·σ(b)σ(−b). a·σ′(b) is formed before the product with the
// upstream gradient: σ′ ≤ 1/4, so it cannot overflow where the exact result is finite.
template <>
struct Composition<Fn::glu> {
  static std::size_t output_length(std::size_t n, const Params&) {
    return gated_output_length(Fn::glu, n);
  }
  template <MathLibrary M>
  static void forward(std::span<const float> x, const Params&, std::span<float> y) {
    const std::size_t h = y.size();
    for (std::size_t i = 0; i < h; ++i) y[i] = x[i] * logistic<M>(x[h + i]).p;
  }
  template <MathLibrary M>
  static void backward(std::span<const float> x, std::span<const float> dy, const Params&,
                       std::span<float> dx) {
    const std::size_t h = dy.size();
    for (std::size_t i = 0; i < h; ++i) {
      const Logistic s = logistic<M>(x[h + i]);
      dx[i] = dy[i] * s.p;
      dx[h + i] = dy[i] * (x[i] * (s.p * s.q));
    }
  }
};

// swiglu = silu(a) ⊙ b, with silu's composition; ∂/∂a = silu′(a)·b, ∂/∂b = silu(a).
template <>
struct Composition<Fn::swiglu> {
  static std::size_t output_length(std::size_t n, const Params&) {
    return gated_output_length(Fn::swiglu, n);
  }
  template <MathLibrary M>
  static void forward(std::span<const float> x, const Params&, std::span<float> y) {
    const std::size_t h = y.size();
    for (std::size_t i = 0; i < h; ++i) y[i] = swish_value<M>(x[i], x[i]) * x[h + i];
  }
  template <MathLibrary M>
  static void backward(std::span<const float> x, std::span<const float> dy, const Params&,
                       std::span<float> dx) {
    const std::size_t h = dy.size();
    for (std::size_t i = 0; i < h; ++i) {
      dx[i] = dy[i] * (x[h + i] * swish_derivative<M>(x[i]));
      dx[h + i] = dy[i] * swish_value<M>(x[i], x[i]);
    }
  }
};

// ---- PyTorch's further activations -------------------------------------------------------------

template <>
struct Composition<Fn::hardtanh> {
  template <MathLibrary M>
  static float value(float x, const Params& p) {
    const double xd = x;
    if (xd < p[0]) return static_cast<float>(p[0]);
    if (xd > p[1]) return static_cast<float>(p[1]);
    return x;
  }
  template <MathLibrary M>
  static float derivative(float x, const Params& p) {
    const double xd = x;
    return xd <= p[0] || xd >= p[1] ? 0.0f : 1.0f;
  }
};

template <>
struct Composition<Fn::relu6> {
  template <MathLibrary M>
  static float value(float x, const Params&) {
    return x <= 0 ? 0.0f : x >= 6 ? 6.0f : x;
  }
  template <MathLibrary M>
  static float derivative(float x, const Params&) {
    return x <= 0 || x >= 6 ? 0.0f : 1.0f;
  }
};

// (x + 3)/6, not x/6 + 1/2, which cancels near −3; x + 3 is exact there.
template <>
struct Composition<Fn::hardsigmoid> {
  template <MathLibrary M>
  static float value(float x, const Params&) {
    if (x <= -3) return 0.0f;
    if (x >= 3) return 1.0f;
    return (x + 3.0f) / 6.0f;
  }
  template <MathLibrary M>
  static float derivative(float x, const Params&) {
    return -3 < x && x < 3 ? 1.0f / 6.0f : 0.0f;
  }
};

// x·(x + 3)/6 with x + 3 exact near −3; the derivative (2x + 3)/6, not x/3 + 1/2, which cancels
// near its zero at −3/2, where 2x + 3 is exact.
template <>
struct Composition<Fn::hardswish> {
  template <MathLibrary M>
  static float value(float x, const Params&) {
    if (x <= -3) return 0.0f;
    if (x >= 3) return x;
    return x * (x + 3.0f) / 6.0f;
  }
  template <MathLibrary M>
  static float derivative(float x, const Params&) {
    if (x < -3) return 0.0f;
    if (x > 3) return 1.0f;
    return (2.0f * x + 3.0f) / 6.0f;
  }
};

// −softplus(−x), with softplus's guards; the derivative σ(−x) as the small term of the pair.
template <>
struct Composition<Fn::logsigmoid> {
  template <MathLibrary M>
  static float value(float x, const Params&) {
    return -softplus_of<M>(-x);
  }
  template <MathLibrary M>
  static float derivative(float x, const Params&) {
    return logistic<M>(x).q;
  }
};

// α·expm1(x/α): expm1, as in elu.
template <>
struct Composition<Fn::celu> {
  template <MathLibrary M>
  static float value(float x, const Params& p) {
    const float alpha = static_cast<float>(p[0]);
    return x > 0 ? x : alpha * M::expm1(x / alpha);
  }
  template <MathLibrary M>
  static float derivative(float x, const Params& p) {
    return x > 0 ? 1.0f : M::exp(x / static_cast<float>(p[0]));
  }
};

// x ∓ λ with λ split (SplitParam): exact near the kinks even for a λ that is not a float.
template <>
struct Composition<Fn::softshrink> {
  template <MathLibrary M>
  static float value(float x, const Params& p) {
    const SplitParam lambda(p[0]);
    if (static_cast<double>(x) > p[0]) return (x - lambda.hi) - lambda.lo;
    if (static_cast<double>(x) < -p[0]) return (x + lambda.hi) + lambda.lo;
    return 0.0f;
  }
  template <MathLibrary M>
  static float derivative(float x, const Params& p) {
    const double xd = x;
    return -p[0] <= xd && xd <= p[0] ? 0.0f : 1.0f;
  }
};

template <>
struct Composition<Fn::hardshrink> {
  template <MathLibrary M>
  static float value(float x, const Params& p) {
    const double xd = x;
    return -p[0] <= xd && xd <= p[0] ? 0.0f : x;
  }
  template <MathLibrary M>
  static float derivative(float x, const Params& p) {
    const double xd = x;
    return -p[0] <= xd && xd <= p[0] ? 0.0f : 1.0f;
  }
};

// The series below |x| = 1 (see tanhshrink_series), x − tanh x above; the derivative tanh² has no
// cancellation.
template <>
struct Composition<Fn::tanhshrink> {
  template <MathLibrary M>
  static float value(float x, const Params&) {
    if (x == 0) return 0.0f;  // −0 − tanh(−0) is +0, where the series would give −0
    return std::fabs(x) < 1.0f ? tanhshrink_series(x) : x - M::tanh(x);
  }
  template <MathLibrary M>
  static float derivative(float x, const Params&) {
    const float t = M::tanh(x);
    return t * t;
  }
};

// ---- Every catalog row has its composition ----------------------------------------------------

template <Fn F>
concept ElementwiseComposition = requires(float x, const Params& p) {
  { Composition<F>::template value<StdMath>(x, p) } -> std::same_as<float>;
  { Composition<F>::template derivative<StdMath>(x, p) } -> std::same_as<float>;
};

template <Fn F>
concept RowComposition = requires(std::span<const float> x, std::span<float> y, const Params& p,
                                  std::size_t n) {
  { Composition<F>::output_length(n, p) } -> std::same_as<std::size_t>;
  Composition<F>::template forward<StdMath>(x, p, y);
  Composition<F>::template backward<StdMath>(x, x, p, y);
};

#define ACTCHECK_ACTIVATION(id, ...)                                                     \
  static_assert(is_elementwise(activation(Fn::id).kind) ? ElementwiseComposition<Fn::id> \
                                                        : RowComposition<Fn::id>,        \
                "impl/compositions.hpp: Composition<Fn::" #id "> missing or of the wrong kind");
#include "catalog/activations.inc"
#undef ACTCHECK_ACTIVATION

// ---- Drivers: whole batches of rows -----------------------------------------------------------

template <Fn F>
std::size_t composed_output_length(std::size_t n, const Params& p) {
  if (n == 0) throw std::invalid_argument(std::string(activation(F).name) + ": the row is empty");
  if constexpr (ElementwiseComposition<F>) {
    return n;
  } else {
    return Composition<F>::output_length(n, p);
  }
}

// fn's output row length (see impl::output_length).
inline std::size_t composed_output_length(Fn fn, std::size_t n, const Params& p) {
  switch (fn) {
#define ACTCHECK_ACTIVATION(id, ...) \
  case Fn::id:                       \
    return composed_output_length<Fn::id>(n, p);
#include "catalog/activations.inc"
#undef ACTCHECK_ACTIVATION
  }
  throw std::invalid_argument("unknown activation id");
}

inline bool has_nan(std::span<const float> row) {
  return std::any_of(row.begin(), row.end(), [](float v) { return std::isnan(v); });
}

inline void check_size(Fn fn, const char* what, std::size_t size, std::size_t expected) {
  if (size != expected) {
    throw std::invalid_argument(std::string(activation(fn).name) + ": " + what + " has " +
                                std::to_string(size) + " elements, the rows need " +
                                std::to_string(expected));
  }
}

template <Fn F, MathLibrary M>
void evaluate_entry(const Params& p, Direction direction, std::size_t n, std::span<const float> x,
                    std::span<const float> dy, std::span<float> out) {
  const std::size_t m = composed_output_length<F>(n, p);
  const std::size_t rows = x.size() / n;
  check_size(F, "x", x.size(), rows * n);
  const bool forward = direction == Direction::kForward;
  check_size(F, "out", out.size(), rows * (forward ? m : n));
  if (!forward) check_size(F, "dy", dy.size(), rows * m);

  if constexpr (ElementwiseComposition<F>) {
    for (std::size_t i = 0; i < x.size(); ++i) {
      const float xi = x[i];
      if (std::isnan(xi)) {
        out[i] = xi;
      } else if (forward) {
        out[i] = Composition<F>::template value<M>(xi, p);
      } else {
        out[i] = dy[i] * Composition<F>::template derivative<M>(xi, p);
      }
    }
  } else {
    for (std::size_t r = 0; r < rows; ++r) {
      const std::span<const float> xr = x.subspan(r * n, n);
      const std::span<const float> dyr = forward ? dy : dy.subspan(r * m, m);
      const std::span<float> result = forward ? out.subspan(r * m, m) : out.subspan(r * n, n);
      if (has_nan(xr) || (!forward && has_nan(dyr))) {
        std::fill(result.begin(), result.end(), std::numeric_limits<float>::quiet_NaN());
      } else if (forward) {
        Composition<F>::template forward<M>(xr, p, result);
      } else {
        Composition<F>::template backward<M>(xr, dyr, p, result);
      }
    }
  }
}

// Every catalog entry's compositions over the library M, with impl::evaluate<float>'s contract.
template <MathLibrary M>
void evaluate_composed(Fn fn, const Params& p, Direction direction, std::size_t row_length,
                       std::span<const float> x, std::span<const float> dy, std::span<float> out) {
  switch (fn) {
#define ACTCHECK_ACTIVATION(id, ...) \
  case Fn::id:                       \
    return evaluate_entry<Fn::id, M>(p, direction, row_length, x, dy, out);
#include "catalog/activations.inc"
#undef ACTCHECK_ACTIVATION
  }
  throw std::invalid_argument("unknown activation id");
}

}  // namespace actcheck::impl

// The double-precision building blocks of impl/'s kernels: exponentials, log1p and log, the
// error-free sum and product, the logistic pair, erfcx and the expansions about the roots of f′.
//
// Why double: every kernel computes its float32, float16 or bfloat16 result in double and rounds
// it once into the storage format. The building blocks below are accurate to about 2^-46
// relative, so a float32 result is within 0.5 + 2^-22 ULP, and a float16 or bfloat16 result is
// the correctly rounded one unless the exact value lies within 2^-46 of a rounding boundary, which
// the exhaustive tests rule out input by input.
//
// Why this shape: the code is branch-free (both sides computed, then a select), calls nothing but
// std::fma and bit casts, and keeps to +, −, ×, ÷, so that GCC vectorises the loops of
// kernels/loops.hpp for AVX-512 and AVX2 and every instruction set gives the same bits: each
// operation is IEEE-754 correctly rounded on all of them (-ffp-contract=off keeps a·b + c from
// becoming an fma on some and not on others).
//
// The header is compiled once per instruction set, inside the namespace ACTCHECK_ISA that
// the including file names, so that no inline function compiled for AVX-512 can be picked by the
// linker for the portable path.
#pragma once

#ifndef ACTCHECK_ISA
#error "define ACTCHECK_ISA (the namespace of one instruction set) before including this"
#endif

#include <bit>
#include <cmath>
#include <cstdint>
#include <utility>

#define ACTCHECK_ALWAYS_INLINE [[gnu::always_inline]] inline

namespace actcheck::impl::ACTCHECK_ISA {

// f′(r + δ) = Σ a_k·δ^k about a root r of f′ (tools/kernel_coefficients.py).
struct RootExpansion {
  double root_hi;
  double root_lo;  // r = root_hi + root_lo
  double coefficients[6];
};

// f(x) = c + P(x − m) on the 16 intervals of a float32 kernel's table (float_math.hpp's
// table_terms; tools/kernel_coefficients.py fits P of degree 7), by entry: c, P's constant and
// linear terms, and (P(r) − P(0) − P′(0)·r)/r², highest power first.
struct PolynomialTable {
  float centre[16];
  float offset[16];
  float slope[16];
  float curvature[6][16];  // r⁵ .. r⁰ of (P(r) − P(0) − P′(0)·r)/r²
};

#include "impl/kernels/coefficients.inc"

// ---- Bits and selects ---------------------------------------------------------------------------

ACTCHECK_ALWAYS_INLINE std::uint64_t bits(double x) { return std::bit_cast<std::uint64_t>(x); }
ACTCHECK_ALWAYS_INLINE double from_bits(std::uint64_t b) { return std::bit_cast<double>(b); }

inline constexpr std::uint64_t kSignBit = 0x8000000000000000;

ACTCHECK_ALWAYS_INLINE double abs(double x) { return from_bits(bits(x) & ~kSignBit); }
ACTCHECK_ALWAYS_INLINE double copysign(double magnitude, double sign) {
  return from_bits((bits(magnitude) & ~kSignBit) | (bits(sign) & kSignBit));
}
// x·sign(s) for s ≠ 0: flips x when s is negative.
ACTCHECK_ALWAYS_INLINE double times_sign_of(double x, double s) {
  return from_bits(bits(x) ^ (bits(s) & kSignBit));
}
ACTCHECK_ALWAYS_INLINE double min(double a, double b) { return a < b ? a : b; }
ACTCHECK_ALWAYS_INLINE double max(double a, double b) { return a > b ? a : b; }
ACTCHECK_ALWAYS_INLINE double clamp(double x, double lo, double hi) { return min(max(x, lo), hi); }

// Evaluates Σ c[i]·t^(N−1−i) (highest power first) by Horner's rule, unrolled at compile time
// (a loop here would keep the vectoriser from the loop over the elements).
template <class F, std::size_t N, std::size_t... I>
ACTCHECK_ALWAYS_INLINE F horner_unrolled(F t, const F (&c)[N], std::index_sequence<I...>) {
  F sum = c[0];
  ((sum = std::fma(sum, t, c[I + 1])), ...);
  return sum;
}
template <class F, std::size_t N>
ACTCHECK_ALWAYS_INLINE F horner(F t, const F (&c)[N]) {
  return horner_unrolled(t, c, std::make_index_sequence<N - 1>());
}

// x·g where g is a factor that decays faster than |x| grows (σ(x), Φ(x), e^x, ...): where g is 0,
// the limit is a zero with the sign of x, where x·g would be ∞·0 = NaN at x = ±∞.
ACTCHECK_ALWAYS_INLINE double times_decaying(double x, double g) {
  return g == 0 ? copysign(0.0, x) : x * g;
}

// For the f′ of silu, swish, gelu, gelu_tanh and mish, which tend to 0 from below as x → −∞: where
// both terms of the formula have underflowed (+0 + −0 = +0), the zero of the right sign. At
// x = −∞ itself the limit, +0, as the reference gives it.
ACTCHECK_ALWAYS_INLINE double negative_zero_tail(double derivative, double x) {
  return derivative == 0 && x > -HUGE_VAL ? -0.0 : derivative;
}

// ---- Exponentials -------------------------------------------------------------------------------

// e^x = scale·(1 + p) with scale = 2^k and p = e^r − 1, x = k·ln 2 + r, |r| ≤ ln(2)/2.
//  - k = round(x/ln 2) from the 1.5·2^52 shift, which also leaves k in the low bits of the sum, so
//    2^k is built by integer operations (AVX2 has no double-to-int64 conversion).
//  - r = x − k·ln 2 with ln 2 in two parts (the high part's product is exact in the fma).
//  - p is the Taylor polynomial of degree 12: the first omitted term, r^13/13!, is below 2^-52.
// x is clamped to [−708, 700], where e^x is a normal double: the callers' results are 0 or ∞ in
// float32 long before that. Relative error of p below 2^-50.
struct ExpParts {
  double scale;
  double p;
};
ACTCHECK_ALWAYS_INLINE ExpParts exp_parts(double x) {
  constexpr double kShift = 0x1.8p52;
  constexpr double kLog2e = 0x1.71547652b82fep0;
  constexpr double kLn2Hi = 0x1.62e42fefa39efp-1;
  constexpr double kLn2Lo = 0x1.abc9e3b39803fp-56;
  x = clamp(x, -708.0, 700.0);
  const double shifted = std::fma(x, kLog2e, kShift);
  const double k = shifted - kShift;
  const double r = std::fma(-k, kLn2Lo, std::fma(-k, kLn2Hi, x));
  const std::uint64_t biased_k = bits(shifted) - bits(kShift) + 1023;  // k + 1023, modulo 2^64
  static constexpr double kTaylor[] = {1.0 / 479001600, 1.0 / 39916800, 1.0 / 3628800, 1.0 / 362880,
                                       1.0 / 40320,     1.0 / 5040,     1.0 / 720,     1.0 / 120,
                                       1.0 / 24,        1.0 / 6,        1.0 / 2,       1.0};
  return {from_bits(biased_k << 52), horner(r, kTaylor) * r};
}

// e^x; 0 below x = −708, where e^x < 2^-1021 and every caller's result rounds to 0 (or to its
// limit) in each storage format.
ACTCHECK_ALWAYS_INLINE double exp(double x) {
  const ExpParts e = exp_parts(x);
  return x < -708 ? 0.0 : std::fma(e.scale, e.p, e.scale);
}

// e^x − 1 = scale·p + (scale − 1): for k = 0 that is p itself, with no cancellation; otherwise
// |x| > ln(2)/2 and |e^x − 1| > 0.29, so scale − 1 (exact for k ≥ −53) adds no more than 2^-52.
// Keeps the sign of a zero x.
ACTCHECK_ALWAYS_INLINE double expm1(double x) {
  const ExpParts e = exp_parts(x);
  return x == 0 ? x : std::fma(e.scale, e.p, e.scale - 1.0);
}

// ---- Logarithms ---------------------------------------------------------------------------------

// log(1 + u) for u ∈ [0, 1].
//  - w = 1 + u rounded, and c = u − (w − 1) the rounding error (both exact operations), so that
//    log(1 + u) = log(w) + c/w to 2^-105.
//  - w = 2^k·m with m ∈ [1/√2, √2): log(w) = k·ln 2 + log(m), log(m) = 2·atanh(s) with
//    s = (m − 1)/(m + 1), |s| < 0.172, and atanh(s)/s = Σ s^(2j)/(2j + 1) to j = 8: the omitted
//    term is below 2^-50.
// Relative error below 2^-50.
ACTCHECK_ALWAYS_INLINE double log1p_unit(double u) {
  constexpr double kSqrt2 = 0x1.6a09e667f3bcdp0;
  constexpr double kLn2 = 0x1.62e42fefa39efp-1;
  constexpr double kLn2Lo = 0x1.abc9e3b39803fp-56;
  const double w = 1.0 + u;
  const double c = u - (w - 1.0);
  const bool halve = w >= kSqrt2;
  const double m = halve ? 0.5 * w : w;
  const double f = m - 1.0;
  const double s = f / (2.0 + f);
  const double s2 = s * s;
  static constexpr double kAtanh[] = {1.0 / 17, 1.0 / 15, 1.0 / 13, 1.0 / 11, 1.0 / 9,
                                      1.0 / 7,  1.0 / 5,  1.0 / 3,  1.0};
  const double log_m = 2.0 * s * horner(s2, kAtanh);
  const double k_ln2 = halve ? kLn2 : 0.0;
  const double k_ln2_lo = halve ? kLn2Lo : 0.0;
  return k_ln2 + (log_m + (k_ln2_lo + c / w));
}

// log(h + l) for h a positive normal double (2^-1022 ≤ h < 2^1024) and |l| ≤ ulp(h), as
// log(h) + l/h (the next term, l²/2h², is below 2^-105).
//  - h = 2^k·m with m ∈ [1/√2, √2), from h's bits (k as a double by integer operations, as AVX2
//    converts no int64 to double); f = m − 1 is exact (Sterbenz).
//  - log(m) = 2·atanh(s), s = f/(2 + f), |s| < 0.172, and atanh(s)/s = Σ s^(2j)/(2j + 1) to
//    j = 10: the omitted term is below 2^-60. k·ln 2 with ln 2 in two parts. For k ≠ 0,
//    |k·ln 2| ≥ 0.69 > 2·|log m|, so the sum cancels at most one bit.
// Relative error below 2^-50: the roundings of s and of the sums (measured 2^-50.8 against MPFR
// over 6·10^6 random h in [1, 2^13], 1 + 2^-60…1 + 1 and 2^-1000…2^1000).
ACTCHECK_ALWAYS_INLINE double log_dd(double h, double l) {
  constexpr double kSqrt2 = 0x1.6a09e667f3bcdp0;
  constexpr double kLn2 = 0x1.62e42fefa39efp-1;
  constexpr double kLn2Lo = 0x1.abc9e3b39803fp-56;
  constexpr double kTwo52 = 0x1p52;
  const std::uint64_t b = bits(h);
  const double m1 = from_bits((b & 0x000fffffffffffff) | 0x3ff0000000000000);  // in [1, 2)
  const bool halve = m1 >= kSqrt2;
  const double m = halve ? 0.5 * m1 : m1;
  // 2^52 + (biased exponent) is exact, and so is subtracting 2^52 + 1023 from it.
  const double k = (from_bits(bits(kTwo52) | (b >> 52)) - (kTwo52 + 1023.0)) + (halve ? 1.0 : 0.0);
  const double f = m - 1.0;
  const double s = f / (2.0 + f);
  const double s2 = s * s;
  static constexpr double kAtanh[] = {1.0 / 21, 1.0 / 19, 1.0 / 17, 1.0 / 15, 1.0 / 13, 1.0 / 11,
                                      1.0 / 9,  1.0 / 7,  1.0 / 5,  1.0 / 3,  1.0};
  const double log_m = 2.0 * s * horner(s2, kAtanh);
  return k * kLn2 + (log_m + (k * kLn2Lo + l / h));
}

// ---- Error-free transformations ---------------------------------------------------------------

// An unevaluated sum hi + lo, |lo| ≤ ulp(hi) (or about that, after an accumulation).
struct DoubleDouble {
  double hi;
  double lo;
};

// a + b = s.hi + s.lo exactly, for any order of magnitudes (Knuth's TwoSum; no branch).
ACTCHECK_ALWAYS_INLINE DoubleDouble two_sum(double a, double b) {
  const double s = a + b;
  const double bb = s - a;
  return {s, (a - (s - bb)) + (b - bb)};
}

// a·b = p.hi + p.lo exactly (the fma gives the product's rounding error), unless the product
// underflows.
ACTCHECK_ALWAYS_INLINE DoubleDouble two_product(double a, double b) {
  const double p = a * b;
  return {p, std::fma(a, b, -p)};
}

// ---- The logistic function ----------------------------------------------------------------------

// σ(t) and σ(−t) from e = e^(−|t|) ∈ (0, 1]: 1/(1 + e) and e/(1 + e). Nothing overflows, and the
// small one of the pair is never formed as 1 − σ (σ(−100) ≈ 3.72e-44). Relative error below 2^-50.
struct Logistic {
  double p;  // σ(t)
  double q;  // σ(−t)
};
ACTCHECK_ALWAYS_INLINE Logistic logistic(double t) {
  const double e = exp(-abs(t));
  const double big = 1.0 / (1.0 + e);
  const double small = e * big;  // one division, not two: divisions bound the loop's speed
  return t < 0 ? Logistic{small, big} : Logistic{big, small};
}

// ---- The normal distribution --------------------------------------------------------------------

inline constexpr double kInvSqrt2 = 0x1.6a09e667f3bcdp-1;
inline constexpr double kInvSqrt2Pi = 0x1.9884533d43651p-2;

// e^(−x²/2) with x² = h + l exactly (fma), as e^(−h/2)·(1 − l/2): the exponent carries no
// rounding error, which e^(−h/2) alone would magnify by h/2.
// |x| is clamped to 40, where the result is already 0.
ACTCHECK_ALWAYS_INLINE double exp_minus_half_square(double x) {
  x = clamp(x, -40.0, 40.0);
  const double h = x * x;
  const double l = std::fma(x, x, -h);
  return exp(-0.5 * h) * (1.0 - 0.5 * l);
}

// φ(x) = e^(−x²/2)/√(2π).
ACTCHECK_ALWAYS_INLINE double normal_pdf(double x) {
  return exp_minus_half_square(x) * kInvSqrt2Pi;
}

// Φ(x) and Φ(−x). With z = |x|/√2, erfc(z) = e^(−x²/2)·erfcx(z), erfcx a polynomial in
// t = (z − 4)/(z + 4) fitted on z ∈ [0, 10.6] (coefficients.inc, relative error below 2^-48);
// beyond z = 10.6, Φ(−|x|) < 2^-150/|x| is taken as 0. Φ(−|x|) = erfc(z)/2 is never formed as
// 1 − Φ(|x|). Relative error below 2^-46 for both.
struct NormalCdf {
  double p;  // Φ(x)
  double q;  // Φ(−x)
};
ACTCHECK_ALWAYS_INLINE NormalCdf normal_cdf(double x) {
  const double z_unclamped = abs(x) * kInvSqrt2;
  const double z = min(z_unclamped, kErfcxZMax);
  const double t = (z - kErfcxK) / (z + kErfcxK);
  const double tail =
      z_unclamped > kErfcxZMax ? 0.0 : 0.5 * exp_minus_half_square(x) * horner(t, kErfcxPoly);
  const double body = 1.0 - tail;
  return x < 0 ? NormalCdf{tail, body} : NormalCdf{body, tail};
}

// ---- Near the roots of f′ -----------------------------------------------------------------------

// δ = x − r for x = x_hi + x_lo near the root r: x_hi − root_hi is exact there (Sterbenz), so δ
// carries no cancellation, where the formula of f′ loses everything to it.
ACTCHECK_ALWAYS_INLINE double root_delta(const RootExpansion& e, double x_hi, double x_lo = 0.0) {
  return ((x_hi - e.root_hi) + x_lo) - e.root_lo;
}

// Within this distance of the root the Taylor expansion truncates below 2^-50 relative, and
// beyond it the formula's absolute error of a few 2^-53 is below 2^-40 of |f′|.
inline constexpr double kRootRadius = 0x1p-9;

// f′(r + δ) = Σ a_k·δ^k, k = 1..6.
ACTCHECK_ALWAYS_INLINE double near_root(const RootExpansion& e, double delta) {
  const double* a = e.coefficients;
  const double sum =
      std::fma(std::fma(std::fma(std::fma(std::fma(a[5], delta, a[4]), delta, a[3]), delta, a[2]),
                        delta, a[1]),
               delta, a[0]);
  return sum * delta;
}

// f′(x): the Taylor expansion within kRootRadius of the root, the formula elsewhere.
ACTCHECK_ALWAYS_INLINE double with_root(const RootExpansion& e, double delta, double formula) {
  return abs(delta) < kRootRadius ? near_root(e, delta) : formula;
}

}  // namespace actcheck::impl::ACTCHECK_ISA

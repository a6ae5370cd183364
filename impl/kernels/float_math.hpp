// The float32 building blocks of the kernels' float32 paths, on simd::Floats (a register of
// floats): pairs of floats (hi + lo) carried through error-free sums and products, e^a by a
// 16-entry table, and σ(±|x|) and σ′ from it, each with one division.
//
// Why: computing in double and rounding once (math.hpp) gives correctly rounded float32 results,
// but a double takes two lanes of a register where a float takes one, and widening and narrowing
// cost as much again. These paths stay in float and keep the error below 1 ULP: every rounding
// that would cost a fraction of an ulp of the result (2^(k/16), 1 + e, the quotient) is carried in
// a pair, so that what remains is the last rounding (0.5 ULP) and relative errors near 2^-30. They
// are not correctly rounded: near a midpoint of the float32 grid they may take the wrong side. The
// kernels' doc blocks give the measured error. Each path has a domain (finite, no subnormal
// result); loops.hpp computes the lanes outside it by the double path.
#pragma once

#include <bit>

#include "impl/kernels/simd.hpp"

namespace actcheck::impl::ACTCHECK_ISA {

using simd::Floats;
using simd::Ints;
using simd::splat;

ACTCHECK_ALWAYS_INLINE Floats abs(Floats x) {
  return simd::as_floats(simd::as_ints(x) & 0x7fffffff);
}

inline constexpr std::int32_t kFloatSignBit = std::int32_t{-0x7fffffff - 1};

// The sign bit of each lane of x.
ACTCHECK_ALWAYS_INLINE Ints sign_bit(Floats x) { return simd::as_ints(x) & kFloatSignBit; }

// |magnitude| with the sign of x (magnitude ≥ 0 or NaN).
ACTCHECK_ALWAYS_INLINE Floats with_sign_of(Floats magnitude, Floats x) {
  return simd::as_floats(simd::as_ints(magnitude) | sign_bit(x));
}

// The smaller and the larger of a and b, lane by lane; where a is NaN, NaN.
using simd::max;
using simd::min;

// −|x|, but not below −bound (NaN gives −bound: the float paths' domains exclude NaN).
ACTCHECK_ALWAYS_INLINE Floats minus_abs_clamped(Floats x, float bound) {
  return max(splat(-bound), simd::as_floats(simd::as_ints(x) | kFloatSignBit));
}

// `result`, or a quiet NaN where v is NaN: for the selects that would make a number of a NaN.
ACTCHECK_ALWAYS_INLINE Floats nan_where_nan(Floats v, Floats result) {
  return simd::as_floats(simd::as_ints(result) | ((v != v) & 0x7fc00000));
}

// Lanes where v is ±0 or |v| is in [lo, hi] (NaN is not).
ACTCHECK_ALWAYS_INLINE Ints zero_or_magnitude_within(Floats v, float lo, float hi) {
  const Floats magnitude = abs(v);
  return (magnitude == 0.0f) | ((magnitude >= lo) & (magnitude <= hi));
}

// The upstream gradients the backward float paths take: 0, or within [2^-60, 2^60] in magnitude,
// so that dy·f′ stays normal wherever f′ ≥ 2^-60 and finite wherever f′ ≤ 2^60.
ACTCHECK_ALWAYS_INLINE Ints gradient_in_domain(Floats dy) {
  return zero_or_magnitude_within(dy, 0x1p-60f, 0x1p60f);
}

// hi + lo with |lo| at most about an ulp of hi.
struct FloatPair {
  Floats hi;
  Floats lo;
};

// A double constant as a pair of floats (to about 2^-48).
ACTCHECK_ALWAYS_INLINE FloatPair split(double c) {
  const float hi = static_cast<float>(c);
  return {splat(hi), splat(static_cast<float>(c - hi))};
}

// a + b exactly, for |a| ≥ |b| (Fast2Sum).
ACTCHECK_ALWAYS_INLINE FloatPair fast_two_sum(Floats a, Floats b) {
  const Floats s = a + b;
  return {s, (a - s) + b};
}

// The product of two pairs, to about 2^-44 relative (lo·lo is dropped).
ACTCHECK_ALWAYS_INLINE FloatPair times(FloatPair a, FloatPair b) {
  const Floats p = a.hi * b.hi;
  return {p, simd::fma(a.hi, b.hi, -p) + (a.hi * b.lo + a.lo * b.hi)};
}
// v·b as a pair, the same way.
ACTCHECK_ALWAYS_INLINE FloatPair times_pair(Floats v, FloatPair b) {
  const Floats p = v * b.hi;
  return {p, simd::fma(v, b.hi, -p) + v * b.lo};
}

// a/b given inv = 1/b.hi rounded, as q0 + remainder·inv: q0 = a.hi·inv, and the remainder
// a − q0·b (its main part exact in the fma); b normalised, since inv stands for 1/b.
struct Quotient {
  Floats q0;
  Floats remainder;
  Floats inv;
};
ACTCHECK_ALWAYS_INLINE Quotient divide(FloatPair a, FloatPair b, Floats inv) {
  const Floats q0 = a.hi * inv;
  return {q0, simd::fnma(q0, b.hi, a.hi) + simd::fnma(q0, b.lo, a.lo), inv};
}
// A numerator of one float: the remainder's two terms in one chain of fma, rounded once.
ACTCHECK_ALWAYS_INLINE Quotient divide(Floats a, FloatPair b, Floats inv) {
  const Floats q0 = a * inv;
  return {q0, simd::fnma(q0, b.lo, simd::fnma(q0, b.hi, a)), inv};
}
ACTCHECK_ALWAYS_INLINE Floats rounded(Quotient q) { return simd::fma(q.remainder, q.inv, q.q0); }
ACTCHECK_ALWAYS_INLINE FloatPair pair(Quotient q) { return {q.q0, q.remainder * q.inv}; }

// dy·(g.hi + g.lo), rounded once but for the tiny rounding of dy·g.lo, for g normalised (g.hi = 0
// only where g = 0). Where dy or g is zero the fma adds two zeros, of opposite signs when dy·g.hi
// is −0 and dy·g.lo is +0, and gives +0: OR-ing in the sign of dy·g.hi restores the −0, and
// changes nothing elsewhere, where the result already carries that sign.
ACTCHECK_ALWAYS_INLINE Floats times(Floats dy, FloatPair g) {
  const Floats sum = simd::fma(dy, g.hi, dy * g.lo);
  return simd::as_floats(simd::as_ints(sum) | (sign_bit(dy) ^ sign_bit(g.hi)));
}

// a + b exactly, whichever is larger (Knuth's 2Sum).
ACTCHECK_ALWAYS_INLINE FloatPair two_sum(Floats a, Floats b) {
  const Floats s = a + b;
  const Floats b_part = s - a;
  return {s, (a - (s - b_part)) + (b - b_part)};
}

// 1 + e as a pair, for a pair 0 ≤ e ≤ 1: the Fast2Sum with 1 is exact, e.lo joins the
// tail.
ACTCHECK_ALWAYS_INLINE FloatPair one_plus(FloatPair e) {
  const FloatPair sum = fast_two_sum(splat(1.0f), e.hi);
  return {sum.hi, sum.lo + e.lo};
}

// A float, or a pair's leading part.
ACTCHECK_ALWAYS_INLINE Floats high_part(Floats x) { return x; }
ACTCHECK_ALWAYS_INLINE Floats high_part(FloatPair x) { return x.hi; }

// The quotient a/b for b > 0, rounded once (but for the tail's own rounding, about 2^-48
// relative). a = −0 gives −0: the remainder's +0 would make the fma's result +0, so a's sign is
// OR-ed in (elsewhere the quotient has it already).
template <class Numerator>  // Floats, or a FloatPair
ACTCHECK_ALWAYS_INLINE Floats divided(Numerator a, FloatPair b) {
  const Floats quotient = rounded(divide(a, b, 1.0f / b.hi));
  return simd::as_floats(simd::as_ints(quotient) | sign_bit(high_part(a)));
}

// P(t), highest power first, by Horner's rule in fma.
template <std::size_t N>
ACTCHECK_ALWAYS_INLINE Floats horner(Floats t, const float (&c)[N]) {
  Floats sum = splat(c[0]);
  for (std::size_t i = 1; i < N; ++i) sum = simd::fma(sum, t, splat(c[i]));
  return sum;
}

// P_j(t), lane by lane the polynomial of table entry j: coefficients[k][j] is the k-th, highest
// power first.
template <std::size_t N>
ACTCHECK_ALWAYS_INLINE Floats horner(Floats t, Ints j, const float (&coefficients)[N][16]) {
  Floats sum = simd::lookup16(coefficients[0], j);
  for (std::size_t i = 1; i < N; ++i) sum = simd::fma(sum, t, simd::lookup16(coefficients[i], j));
  return sum;
}

// ---- Tables of polynomials ----------------------------------------------------------------------

// Where a ≥ 0 lies in a table of 16 intervals from `first`, 2^kBits per binade (coefficients.inc,
// tools/kernel_coefficients.py): the entry j and the midpoint m are a's exponent and first kBits
// fraction bits, and r = a − m is exact (both lie in one binade). Lanes outside the table get
// some entry, which the caller selects away.
struct TableInterval {
  Ints j;
  Floats r;
};
template <int kBits>
ACTCHECK_ALWAYS_INLINE TableInterval table_interval(Floats a, float first) {
  constexpr int kShift = 23 - kBits;
  const Ints bits = simd::as_ints(a);
  const Floats m = simd::as_floats((bits & -(1 << kShift)) | (1 << (kShift - 1)));
  return {(bits >> kShift) - (std::bit_cast<std::int32_t>(first) >> kShift), a - m};
}

// f = c_j + P_j(r) as two floats, c_j and P_j(r). P's linear term, the largest, joins in the last
// fma, whose product is exact.
ACTCHECK_ALWAYS_INLINE FloatPair table_terms(TableInterval at, const PolynomialTable& table) {
  const Floats rest = simd::fma(at.r * at.r, horner(at.r, at.j, table.curvature),
                                simd::lookup16(table.offset, at.j));
  return {simd::lookup16(table.centre, at.j),
          simd::fma(at.r, simd::lookup16(table.slope, at.j), rest)};
}

// ---- Exponential --------------------------------------------------------------------------------

// e^a = 2^(k/16)·e^r as a pair, for a in [−80, 0] (a ≥ −87 keeps 2^m normal):
//  - k = round(16a/ln 2) from the 1.5·2^23 shift, which leaves k in the low bits of the sum;
//  - r = a − k·ln(2)/16, |r| ≤ ln(2)/32: k·kLn2Over16HiF and its difference from a are exact, and
//    the rounding of the second step, below 2^-24·|r|, costs 2^-29 relative;
//  - 2^(k/16) = 2^m·2^(j/16), k = 16m + j, the second from a table of float pairs;
//  - e^r = 1 + q, q = r + r²·P(r) (coefficients.inc, tools/kernel_coefficients.py: within
//    2^-36.4), so that e^a = 2^m·(T_hi + (T_hi·q + T_lo)): q's own rounding is 2^-24 of |q| <
//    0.022; the pair normalised by Fast2Sum, as divide() needs.
// Relative error of the pair about 2^-30. `tail`, a second part of the argument (|tail| ≤ 2^-16),
// joins r; the default −0 adds nothing, and the compiler drops the addition. `scale_exponent` n
// gives 2^n·e^a instead (exact; normal for a ≥ −87 − n·ln 2).
ACTCHECK_ALWAYS_INLINE FloatPair exp_pair(Floats a, Floats tail = splat(-0.0f),
                                          Ints scale_exponent = Ints{}) {
  constexpr float kShift = 0x1.8p23f;
  constexpr float kSixteenOverLn2 = 0x1.715476p4f;
  const Floats shifted = simd::fma(a, splat(kSixteenOverLn2), splat(kShift));
  const Floats k = shifted - kShift;
  const Floats t = simd::fma(k, Floats{} - kLn2Over16HiF, a);
  const Floats r = simd::fma(k, Floats{} - kLn2Over16LoF, t) + tail;
  const Floats q = simd::fma(r * r, horner(r, kExpPolyF), r);
  // shifted's bits are kShift's plus k, and kShift's low 22 bits are 0: j is the low 4 bits, and
  // m = ⌊k/16⌋ plus 2^m's bias 127 comes from one subtraction (127·16 less before the shift).
  const Ints bits = simd::as_ints(shifted);
  const Ints j = bits & 15;
  constexpr std::int32_t kShiftBitsLessBias = std::bit_cast<std::int32_t>(kShift) - 127 * 16;
  const Floats scale = simd::as_floats((((bits - kShiftBitsLessBias) >> 4) + scale_exponent) << 23);
  const Floats table_hi = simd::lookup16(kExp2TableHiF, j);
  const Floats table_lo = simd::lookup16(kExp2TableLoF, j);
  return fast_two_sum(table_hi * scale, simd::fma(table_hi, q, table_lo) * scale);
}

// ---- The logistic function ----------------------------------------------------------------------

// `if_set` where the mask is set, else `otherwise`, lane by lane.
ACTCHECK_ALWAYS_INLINE FloatPair select(Ints mask, FloatPair if_set, FloatPair otherwise) {
  return {mask ? if_set.hi : otherwise.hi, mask ? if_set.lo : otherwise.lo};
}

// e = 2^n·e^(−|x|) and 1 + e as pairs, and the rounded reciprocal of 1 + e's high part. n
// (scale_exponent, 0 by default) is for a caller that wants σ(−|x|) = e/(1 + e) scaled where it
// would be subnormal: there e^(−|x|) is so small that 1 + 2^n·e^(−|x|) stays 1 to the precision
// it needs. x is a float, |x| clamped at 80 (σ(80) rounds to 1; σ(−80) ≈ 2^-115 is left to the
// caller's domain), or a pair x.hi + x.lo, |x.lo| ≤ ulp(x.hi) (gelu_tanh's 2u), clamped to
// [−87, 30]: σ(−87) ≈ 2^-125.5 is the least the float paths reach, and from 30 on 1 − σ < 2^-43,
// too little to move a product v·σ off v, while beyond 70 the pair's tail would be subnormal, which
// is slow.
struct LogisticParts {
  FloatPair e;
  FloatPair denominator;  // 1 + e
  Floats inv;             // 1/denominator.hi, rounded
};
ACTCHECK_ALWAYS_INLINE LogisticParts logistic_parts_from(FloatPair e) {
  const FloatPair denominator = one_plus(e);
  return {e, denominator, 1.0f / denominator.hi};
}
ACTCHECK_ALWAYS_INLINE LogisticParts logistic_parts(Floats x, Ints scale_exponent = Ints{}) {
  return logistic_parts_from(exp_pair(minus_abs_clamped(x, 80.0f), splat(-0.0f), scale_exponent));
}
ACTCHECK_ALWAYS_INLINE LogisticParts logistic_parts(FloatPair x, Ints scale_exponent = Ints{}) {
  const Ints positive = x.hi > 0.0f;
  const Floats least = positive ? splat(-30.0f) : splat(-87.0f);
  const Floats minus_abs = max(least, simd::as_floats(simd::as_ints(x.hi) | kFloatSignBit));
  // −|x|'s tail; none where the clamp cut x off (there it may be far from small).
  const Floats tail = minus_abs > least ? (positive ? -x.lo : x.lo) : Floats{};
  return logistic_parts_from(exp_pair(minus_abs, tail, scale_exponent));
}

// σ(x) as the quotient 1/(1 + e) for x > 0, e/(1 + e) otherwise (2^n times that, n =
// scale_exponent).
template <class Argument>  // Floats, or a FloatPair
ACTCHECK_ALWAYS_INLINE Quotient logistic_quotient(Argument x, Ints scale_exponent = Ints{}) {
  const LogisticParts s = logistic_parts(x, scale_exponent);
  return divide(select(high_part(x) > 0.0f, {splat(1.0f), Floats{}}, s.e), s.denominator, s.inv);
}

// dy·σ′(x) = dy·e/(1 + e)², rounded once, from one division (σ(x)·σ(−x) would take two), for
// |x| ≤ 40 and dy 0 or within [2^-60, 2^60] in magnitude, where dy·e and the result stay normal.
ACTCHECK_ALWAYS_INLINE Floats times_logistic_derivative(Floats dy, Floats x) {
  const LogisticParts s = logistic_parts(x);
  return divided(times_pair(dy, s.e), times(s.denominator, s.denominator));
}

// σ(|x|) = 1/(1 + e) and σ(−|x|) = e/(1 + e) as pairs from one division.
struct LogisticPair {
  FloatPair big;    // σ(|x|)
  FloatPair small;  // σ(−|x|)
};
template <class Argument>  // Floats, or a FloatPair
ACTCHECK_ALWAYS_INLINE LogisticPair logistic_pair(Argument x, Ints scale_exponent = Ints{}) {
  const LogisticParts s = logistic_parts(x, scale_exponent);
  return {pair(divide(splat(1.0f), s.denominator, s.inv)), pair(divide(s.e, s.denominator, s.inv))};
}

}  // namespace actcheck::impl::ACTCHECK_ISA

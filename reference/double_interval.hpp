// The fast tier's arithmetic: an enclosure [lo, hi] computed in double precision. Each basic
// operation is rounded to nearest and its ends then moved out to the neighbouring doubles; each
// libm call (exp, expm1, log, log1p, tanh, erf, erfc) is widened by kLibmUlps, a bound we assume
// for glibc's double functions. The assumption is checked, not trusted: tests/correct_rounding_test
// compares every answer this tier decides with MPFR's on all float16/bfloat16 inputs and a float32
// sample. Exact results (TwoSum / FMA residual 0) stay points; a non-point interval's ends are
// never its value (every step moves them strictly outside, and the clamps to ±0 are no ties), which
// lets decide_rounding round an end that lies on a tie toward the inside.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <numbers>

#include "reference/lanes.hpp"

namespace actcheck::reference {

// The double below v, for a double or lanes of them, without branches (a tenth of a gelu sweep's
// instructions went to them): as a signed integer, v's pattern steps down by 1 above +0 and up by 1
// from −0 on; +0 steps as −0 does, to −2^-1074; +inf steps to the largest double (an overflow: the
// exact value is larger); −inf stays. A NaN steps to a NaN: arithmetic makes only quiet ones, never
// +NaN with payload 1, the one pattern that would step to +inf.
template <class D>
[[gnu::always_inline]] inline D double_below(D v) {
  using Signed = lanes::SignedBitsOf<D>;
  Signed bits = std::bit_cast<Signed>(v);
  bits = bits == 0 ? Signed{} + std::numeric_limits<std::int64_t>::min() : bits;
  const Signed stepped = bits > 0 ? bits - 1 : bits + 1;
  return v == -INFINITY ? v : std::bit_cast<D>(stepped);
}

// v moved down by at least `ulps` units in its last place: |v|·2^-52 is at least one ulp of v, the
// extra ulp covers the rounding of this subtraction. +inf goes to the largest double, −inf stays.
template <class D>
[[gnu::always_inline]] inline D ulps_below(D v, double ulps) {
  const D moved = v - (lanes::magnitude(v) * ((ulps + 1) * 0x1p-52) + (ulps + 1) * 0x1p-1074);
  return v == INFINITY ? D{} + 0x1.fffffffffffffp+1023 : moved;
}

class DoubleInterval {
 public:
  // Error bound, in ulps, assumed for each double libm call.
  static constexpr double kLibmUlps = 8;
  // An FMA residual of 0 (x·y − p, or q·y − x) proves a product p or a quotient q exact only where
  // the residual cannot underflow to 0: it is a multiple of ulp(x)·ulp(y), which is at least
  // 2^-1074 when the product, or the dividend (q normal), is at least 2^-969. Without this bound a
  // quotient near 2^-1021 was taken for exact (tests/double_interval_test).
  static constexpr double kExactResidualFloor = 0x1p-969;

  constexpr DoubleInterval() = default;
  explicit constexpr DoubleInterval(double x) : lo_(x), hi_(x), point_(true) {}

  static DoubleInterval decimal(const char* digits) {
    double r = std::strtod(digits, nullptr);
    return outward(r, r);
  }
  // [lo, hi] for ends known to enclose a value strictly (lo ≤ hi; either may be ±0): see above.
  static DoubleInterval between(double lo, double hi) { return DoubleInterval(lo, hi, lo == hi); }
  // A value known to lie strictly between s and its neighbouring double above (or below) it.
  static DoubleInterval just_beside(double s, bool above) {
    const double neighbour = std::nextafter(s, above ? INFINITY : -INFINITY);
    return above ? between(s, neighbour) : between(neighbour, s);
  }
  static DoubleInterval pi() { return outward(std::numbers::pi, std::numbers::pi); }

  double lo() const { return lo_; }
  double hi() const { return hi_; }
  bool is_point() const { return point_; }
  bool has_nan() const { return std::isnan(lo_) || std::isnan(hi_); }

  // See MpfrInterval::known_negative.
  DoubleInterval known_negative() const {
    return DoubleInterval(std::min(lo_, -0.0), hi_ >= 0 ? -0.0 : hi_, point_ && hi_ < 0);
  }
  // The same for a value known to be positive (the double tier's Φ, whose subtracted correction
  // term takes the enclosure across 0 where erfc underflows).
  DoubleInterval known_positive() const { return -(-*this).known_negative(); }

  friend DoubleInterval operator-(const DoubleInterval& a) {
    return DoubleInterval(-a.hi_, -a.lo_, a.point_);
  }
  [[gnu::always_inline]] friend DoubleInterval operator+(const DoubleInterval& a,
                                                         const DoubleInterval& b) {
    if (a.point_ && b.point_) {
      double s = a.lo_ + b.lo_;
      double bb = s - a.lo_;
      if (std::isfinite(s) && (a.lo_ - (s - bb)) + (b.lo_ - bb) == 0) return DoubleInterval(s);
    }
    return signed_like(outward(a.lo_ + b.lo_, a.hi_ + b.hi_), a.nonnegative() && b.nonnegative(),
                       a.nonpositive() && b.nonpositive());
  }
  friend DoubleInterval operator-(const DoubleInterval& a, const DoubleInterval& b) {
    return a + (-b);
  }
  [[gnu::always_inline]] friend DoubleInterval operator*(const DoubleInterval& a,
                                                         const DoubleInterval& b) {
    if (a.point_ && b.point_) {
      double p = a.lo_ * b.lo_;
      if (std::isfinite(p) && std::fma(a.lo_, b.lo_, -p) == 0 &&
          (p == 0 ? a.lo_ == 0 || b.lo_ == 0 : std::fabs(p) >= kExactResidualFloor)) {
        return DoubleInterval(p);
      }
    }
    return signed_like(product_ends(a, b), same_sign(a, b), opposite_sign(a, b));
  }
  [[gnu::always_inline]] friend DoubleInterval operator/(const DoubleInterval& a,
                                                         const DoubleInterval& b) {
    if (b.lo_ <= 0 && b.hi_ >= 0) return DoubleInterval(-INFINITY, INFINITY, false);
    if (a.point_ && b.point_) {
      double q = a.lo_ / b.lo_;
      if (std::isfinite(q) && std::fabs(q) >= 0x1p-1022 &&
          std::fabs(a.lo_) >= kExactResidualFloor && std::fma(q, b.lo_, -a.lo_) == 0) {
        return DoubleInterval(q);
      }
    }
    return signed_like(quotient_ends(a, b), same_sign(a, b), opposite_sign(a, b));
  }

  friend DoubleInterval exp(const DoubleInterval& a) {
    if (a.is_zero()) return DoubleInterval(1.0);
    // Beyond the ends, e^x rounds to 0 or overflows: answered here, since glibc's exp takes a slow
    // path to set errno there, which cost a sixth of a sigmoid sweep.
    const auto exp_of = [](double x) { return x < -746 ? 0.0 : x > 710 ? HUGE_VAL : std::exp(x); };
    return signed_like(libm(a, exp_of, true), true, false);
  }
  friend DoubleInterval expm1(const DoubleInterval& a) {
    if (a.is_zero()) return a;
    return increasing_with_sign(a, [](double x) { return std::expm1(x); });
  }
  friend DoubleInterval log(const DoubleInterval& a) {
    if (a.point_ && a.lo_ == 1) return DoubleInterval(0.0);
    return libm(
        a, [](double x) { return std::log(x); }, true);
  }
  friend DoubleInterval log1p(const DoubleInterval& a) {
    if (a.is_zero()) return a;
    return increasing_with_sign(a, [](double x) { return std::log1p(x); });
  }
  friend DoubleInterval tanh(const DoubleInterval& a) {
    if (a.is_zero()) return a;
    return increasing_with_sign(a, [](double x) { return std::tanh(x); });
  }
  friend DoubleInterval erf(const DoubleInterval& a) {
    if (a.is_zero()) return a;
    return increasing_with_sign(a, [](double x) { return std::erf(x); });
  }
  friend DoubleInterval erfc(const DoubleInterval& a) {
    if (a.is_zero()) return DoubleInterval(1.0);
    return signed_like(libm(
                           a, [](double x) { return std::erfc(x); }, false),
                       true, false);
  }
  friend DoubleInterval sqrt(const DoubleInterval& a) {
    if (a.is_zero()) return a;
    return outward(std::sqrt(a.lo_), std::sqrt(a.hi_));  // correctly rounded by IEEE 754
  }
  friend DoubleInterval square(const DoubleInterval& a) {
    if (a.point_ || a.lo_ >= 0 || a.hi_ <= 0) return a * a;
    DoubleInterval r = a * a;
    r.lo_ = 0;
    return r;
  }

 private:
  constexpr DoubleInterval(double lo, double hi, bool point) : lo_(lo), hi_(hi), point_(point) {}

  bool is_zero() const { return point_ && lo_ == 0; }
  // By the sign bit alone: a NaN end makes a NaN result, which signed_like leaves as it is.
  bool nonnegative() const { return !std::signbit(lo_); }
  bool nonpositive() const { return std::signbit(hi_); }
  static bool same_sign(const DoubleInterval& a, const DoubleInterval& b) {
    return (a.nonnegative() && b.nonnegative()) || (a.nonpositive() && b.nonpositive());
  }
  static bool opposite_sign(const DoubleInterval& a, const DoubleInterval& b) {
    return (a.nonnegative() && b.nonpositive()) || (a.nonpositive() && b.nonnegative());
  }

  // The outward widening may cross 0 where the sign of the result is known (an underflowed
  // e^-745 is still positive): clamp to +0 or −0 so the sign of a zero rounding stays decided.
  [[gnu::always_inline]] static DoubleInterval signed_like(DoubleInterval r, bool nonnegative,
                                                           bool nonpositive) {
    if (r.has_nan() || r.point_) return r;
    if (nonnegative && r.lo_ <= 0) r.lo_ = 0.0;
    if (nonpositive && r.hi_ >= 0) r.hi_ = -0.0;
    return r;
  }

  // The ends of correctly rounded (nearest) results moved to their neighbours: the exact values lie
  // strictly between a rounded result's neighbours.
  [[gnu::always_inline]] static DoubleInterval outward(double lo, double hi) {
    return DoubleInterval(double_below(lo), -double_below(-hi), false);
  }
  // lo moved down and hi moved up by at least `ulps` units in the last place.
  static DoubleInterval widened(double lo, double hi, double ulps) {
    return DoubleInterval(ulps_below(lo, ulps), -ulps_below(-hi, ulps), false);
  }

  // Every formula starts from a point x: one call serves both ends there.
  template <class F>
  static DoubleInterval libm(const DoubleInterval& a, F f, bool increasing) {
    const double lo = f(increasing ? a.lo_ : a.hi_);
    const double hi = a.point_ ? lo : f(increasing ? a.hi_ : a.lo_);
    return widened(lo, hi, kLibmUlps);
  }

  // The same for an increasing f with the sign of its argument (expm1, log1p, tanh, erf), whose
  // widening must not take it across 0: log1p(e^-1000) straddled 0, which left the sign of a zero
  // result, and so a quarter of all float32 inputs of softplus, logsigmoid and mish, to MPFR.
  template <class F>
  static DoubleInterval increasing_with_sign(const DoubleInterval& a, F f) {
    return signed_like(libm(a, f, true), a.nonnegative(), a.nonpositive());
  }

  // The ends of a·b and a/b (b clear of 0) moved outward. Where neither operand straddles 0 and
  // all four ends are finite, the signs say which two corners are the smallest and the largest
  // (rounding to nearest is monotonic, so the rounded corners order as the exact ones): the
  // formulas work mostly on intervals of one sign, and trying every corner took a third of a gelu
  // sweep. A quotient's corners are a product's with b's ends swapped, 1/b reversing their order.
  bool finite() const { return std::isfinite(lo_) && std::isfinite(hi_); }
  [[gnu::always_inline]] static DoubleInterval product_ends(const DoubleInterval& a,
                                                            const DoubleInterval& b) {
    return one_signed_ends(a, b, b.lo_, b.hi_, [](double x, double y) { return x * y; });
  }
  [[gnu::always_inline]] static DoubleInterval quotient_ends(const DoubleInterval& a,
                                                             const DoubleInterval& b) {
    return one_signed_ends(a, b, b.hi_, b.lo_, [](double x, double y) { return x / y; });
  }
  // f's corners of a and b, with b's ends given in the order in which f grows with them for a ≥ 0.
  template <class F>
  [[gnu::always_inline]] static DoubleInterval one_signed_ends(const DoubleInterval& a,
                                                               const DoubleInterval& b, double b_lo,
                                                               double b_hi, F f) {
    if (a.finite() && b.finite()) {
      if (a.lo_ >= 0 && b_lo >= 0) return outward(f(a.lo_, b_lo), f(a.hi_, b_hi));
      if (a.hi_ <= 0 && b_hi <= 0) return outward(f(a.hi_, b_hi), f(a.lo_, b_lo));
      if (a.lo_ >= 0 && b_hi <= 0) return outward(f(a.hi_, b_lo), f(a.lo_, b_hi));
      if (a.hi_ <= 0 && b_lo >= 0) return outward(f(a.lo_, b_hi), f(a.hi_, b_lo));
    }
    return corners(a, b, f);
  }

  template <class F>
  static DoubleInterval corners(const DoubleInterval& a, const DoubleInterval& b, F f) {
    double c[4];
    int n = 0;
    for (double x : {a.lo_, a.hi_}) {
      for (double y : {b.lo_, b.hi_}) {
        c[n++] = f(x, y);
        if (b.point_) break;
      }
      if (a.point_) break;
    }
    double lo = c[0], hi = c[0];
    for (int i = 0; i < n; ++i) {
      if (std::isnan(c[i])) return DoubleInterval(NAN, NAN, false);
      lo = std::min(lo, c[i]);
      hi = std::max(hi, c[i]);
    }
    return outward(lo, hi);
  }

  double lo_ = 0;
  double hi_ = 0;
  bool point_ = true;
};

}  // namespace actcheck::reference

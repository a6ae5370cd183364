// The fast tier's arithmetic on kWidth enclosures at a time: DoubleInterval's operations over
// lanes of doubles (reference/lanes.hpp), for the formulas written to take an input per lane
// (formulas.hpp's Arg<R>). Every result is moved strictly outward, exact or not, so an enclosure's
// ends are never its value, but for an input passed through (elu's x for x > 0, a value of the
// format, never a tie) and the clamps to ±0 of a result whose sign is known; there are no points.
// The functions are SLEEF's vector ones, widened by DoubleInterval::kLibmUlps, a bound assumed as
// glibc's is (SLEEF documents 1 ulp, 1.5 for erfc, 3.5 for the tanh taken here, twice as fast as
// its 1-ulp one) and checked the same way: by tests/correct_rounding_test on every answer the
// engine's fast tier gives, and by tests/interval_lanes_test on each function across the double
// range.
//
// Lanes take no branches on their values: where formulas.hpp chooses by x, `when` computes both
// sides (only those some lane needs) and picks lane by lane.
//
// in_lanes.cpp compiles the formulas on lanes once per instruction set. A function taking an
// 8- or 4-lane vector is only ever called from code compiled for the same set: the baseline passes
// such a vector in memory where AVX-512 and AVX2 pass it in a register.
#pragma once

#include <bit>
#include <cstddef>
#include <limits>
#include <type_traits>

#include "reference/double_interval.hpp"
#include "reference/lanes.hpp"

namespace actcheck::reference {

// SLEEF's double functions on lanes (sleef_lanes.cpp): name(v) calls the version of v's width,
// through memory, so that code compiled for any instruction set may call any width (the tests
// call all three from the baseline).
namespace sleef_lanes {
#define ACTCHECK_SLEEF_LANES(name)                                                \
  void name(const lanes::Lanes<8>::Doubles& v, lanes::Lanes<8>::Doubles& result); \
  void name(const lanes::Lanes<4>::Doubles& v, lanes::Lanes<4>::Doubles& result); \
  void name(const lanes::Lanes<2>::Doubles& v, lanes::Lanes<2>::Doubles& result);
ACTCHECK_SLEEF_LANES(exp)
ACTCHECK_SLEEF_LANES(expm1)
ACTCHECK_SLEEF_LANES(log)
ACTCHECK_SLEEF_LANES(log1p)
ACTCHECK_SLEEF_LANES(tanh)
ACTCHECK_SLEEF_LANES(erf)
ACTCHECK_SLEEF_LANES(erfc)
#undef ACTCHECK_SLEEF_LANES
}  // namespace sleef_lanes

// `Owner` tells apart the instantiations of files compiled for different instruction sets
// (in_lanes.cpp).
template <std::size_t kWidth, class Owner = void>
class IntervalLanes {
 public:
  using Doubles = typename lanes::Lanes<kWidth>::Doubles;
  using Mask = typename lanes::Lanes<kWidth>::SignedBits;  // what comparing Doubles gives

  IntervalLanes() = default;
  // c in every lane (−0 too, which 0 + c would lose).
  [[gnu::always_inline]] static Doubles splat(double c) {
    Doubles v;
    for (std::size_t i = 0; i < kWidth; ++i) v[i] = c;
    return v;
  }
  // Exact values, one per lane (the inputs), or one for all.
  [[gnu::always_inline]] explicit IntervalLanes(Doubles x) : lo_(x), hi_(x) {}
  [[gnu::always_inline]] explicit IntervalLanes(double x) : IntervalLanes(splat(x)) {}
  // A constant, enclosed once in a DoubleInterval.
  [[gnu::always_inline]] explicit IntervalLanes(const DoubleInterval& c)
      : lo_(splat(c.lo())), hi_(splat(c.hi())) {}

  // As DoubleInterval's: ends known to enclose the values strictly; values strictly between s and
  // its neighbouring double above (or below) it.
  [[gnu::always_inline]] static IntervalLanes between(Doubles lo, Doubles hi) {
    return IntervalLanes(lo, hi);
  }
  [[gnu::always_inline]] static IntervalLanes just_beside(Doubles s, bool above) {
    return above ? between(s, -double_below(-s)) : between(double_below(s), s);
  }
  // Lanes whose formula does not hold: NaN ends, which leave them to the scalar tiers.
  [[gnu::always_inline]] IntervalLanes undecided_where(Mask m) const {
    constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
    return IntervalLanes(m ? splat(kNan) : lo_, m ? splat(kNan) : hi_);
  }

  [[gnu::always_inline]] Doubles lo() const { return lo_; }
  [[gnu::always_inline]] Doubles hi() const { return hi_; }

  // a where the mask is set, b elsewhere.
  [[gnu::always_inline]] friend IntervalLanes pick(Mask m, const IntervalLanes& a,
                                                   const IntervalLanes& b) {
    return IntervalLanes(m ? a.lo_ : b.lo_, m ? a.hi_ : b.hi_);
  }

  [[gnu::always_inline]] IntervalLanes known_negative() const {
    const Mask above_lo = -0.0 < lo_, above_hi = hi_ >= 0;
    return IntervalLanes(above_lo ? splat(-0.0) : lo_, above_hi ? splat(-0.0) : hi_);
  }
  [[gnu::always_inline]] IntervalLanes known_positive() const { return -(-*this).known_negative(); }

  [[gnu::always_inline]] friend IntervalLanes operator-(const IntervalLanes& a) {
    return IntervalLanes(-a.hi_, -a.lo_);
  }
  [[gnu::always_inline]] friend IntervalLanes operator+(const IntervalLanes& a,
                                                        const IntervalLanes& b) {
    return outward(a.lo_ + b.lo_, a.hi_ + b.hi_)
        .signed_like(a.nonnegative() & b.nonnegative(), a.nonpositive() & b.nonpositive());
  }
  [[gnu::always_inline]] friend IntervalLanes operator-(const IntervalLanes& a,
                                                        const IntervalLanes& b) {
    return a + (-b);
  }
  // The four corners: multiplications are cheap, and min and max need no branch on the signs.
  // A NaN corner (0·∞) makes the lane NaN.
  [[gnu::always_inline]] friend IntervalLanes operator*(const IntervalLanes& a,
                                                        const IntervalLanes& b) {
    const Doubles c1 = a.lo_ * b.lo_, c2 = a.lo_ * b.hi_, c3 = a.hi_ * b.lo_, c4 = a.hi_ * b.hi_;
    const Mask nan = (c1 != c1) | (c2 != c2) | (c3 != c3) | (c4 != c4);
    using lanes::greater, lanes::lesser;
    return outward(lesser(lesser(c1, c2), lesser(c3, c4)),
                   greater(greater(c1, c2), greater(c3, c4)))
        .signed_like(same_sign(a, b), opposite_sign(a, b))
        .undecided_where(nan);
  }
  // Two quotients, their operands picked by the signs (a divisor across 0 gives the whole line).
  // For b > 0 the smallest is a.lo / b.hi where a.lo ≥ 0, a.lo / b.lo elsewhere, and the largest
  // a.hi / b.lo where a.hi ≥ 0, a.hi / b.hi elsewhere; for b < 0, a/b = −(a/−b) gives the same
  // choice of divisor with a's ends exchanged.
  [[gnu::always_inline]] friend IntervalLanes operator/(const IntervalLanes& a,
                                                        const IntervalLanes& b) {
    const Mask positive = b.lo_ > 0;
    const Doubles top_lo = positive ? a.lo_ : a.hi_, top_hi = positive ? a.hi_ : a.lo_;
    const Mask lo_nonnegative = top_lo >= 0, hi_nonnegative = top_hi >= 0;
    const Doubles lo = top_lo / (lo_nonnegative ? b.hi_ : b.lo_);
    const Doubles hi = top_hi / (hi_nonnegative ? b.lo_ : b.hi_);
    const Mask across_zero = (b.lo_ <= 0) & (b.hi_ >= 0);
    return pick(across_zero, IntervalLanes(splat(-INFINITY), splat(INFINITY)),
                outward(lo, hi).signed_like(same_sign(a, b), opposite_sign(a, b)));
  }
  [[gnu::always_inline]] friend IntervalLanes square(const IntervalLanes& a) {
    const IntervalLanes r = a * a;
    const Mask across_zero = (a.lo_ < 0) & (a.hi_ > 0);
    return IntervalLanes(across_zero ? Doubles{} : r.lo_, r.hi_);
  }

  [[gnu::always_inline]] friend IntervalLanes exp(const IntervalLanes& a) {
    return libm(a, sleef_lanes::exp, true).signed_like(~Mask{}, Mask{});
  }
  [[gnu::always_inline]] friend IntervalLanes expm1(const IntervalLanes& a) {
    return increasing_with_sign(a, sleef_lanes::expm1);
  }
  [[gnu::always_inline]] friend IntervalLanes log(const IntervalLanes& a) {
    return libm(a, sleef_lanes::log, true);
  }
  // SLEEF's log1p gives +inf from about 1.1e307 (2^1019.9, measured) up: such lanes are left open.
  [[gnu::always_inline]] friend IntervalLanes log1p(const IntervalLanes& a) {
    return increasing_with_sign(a, sleef_lanes::log1p).undecided_where(a.hi_ >= 0x1p1000);
  }
  [[gnu::always_inline]] friend IntervalLanes tanh(const IntervalLanes& a) {
    return increasing_with_sign(a, sleef_lanes::tanh);
  }
  [[gnu::always_inline]] friend IntervalLanes erf(const IntervalLanes& a) {
    return increasing_with_sign(a, sleef_lanes::erf);
  }
  [[gnu::always_inline]] friend IntervalLanes erfc(const IntervalLanes& a) {
    return libm(a, sleef_lanes::erfc, false).signed_like(~Mask{}, Mask{});
  }

 private:
  [[gnu::always_inline]] IntervalLanes(Doubles lo, Doubles hi) : lo_(lo), hi_(hi) {}

  // By the sign bit alone, as DoubleInterval's.
  [[gnu::always_inline]] Mask nonnegative() const { return std::bit_cast<Mask>(lo_) >= 0; }
  [[gnu::always_inline]] Mask nonpositive() const { return std::bit_cast<Mask>(hi_) < 0; }
  [[gnu::always_inline]] static Mask same_sign(const IntervalLanes& a, const IntervalLanes& b) {
    return (a.nonnegative() & b.nonnegative()) | (a.nonpositive() & b.nonpositive());
  }
  [[gnu::always_inline]] static Mask opposite_sign(const IntervalLanes& a, const IntervalLanes& b) {
    return (a.nonnegative() & b.nonpositive()) | (a.nonpositive() & b.nonnegative());
  }

  // See DoubleInterval::signed_like (NaN ends compare false and stay).
  [[gnu::always_inline]] IntervalLanes signed_like(Mask nonnegative, Mask nonpositive) const {
    const Mask clamp_lo = nonnegative & (lo_ <= 0), clamp_hi = nonpositive & (hi_ >= 0);
    return IntervalLanes(clamp_lo ? Doubles{} : lo_, clamp_hi ? splat(-0.0) : hi_);
  }
  [[gnu::always_inline]] static IntervalLanes outward(Doubles lo, Doubles hi) {
    return IntervalLanes(double_below(lo), -double_below(-hi));
  }

  [[gnu::always_inline]] static bool all_points(const IntervalLanes& a) {
    const Mask same = a.lo_ == a.hi_;
    for (std::size_t i = 0; i < kWidth; ++i) {
      if (!same[i]) return false;
    }
    return true;
  }
  // f of each end widened by kLibmUlps; one call where every lane is a point (the inputs).
  using Function = void (*)(const Doubles&, Doubles&);
  [[gnu::always_inline]] static IntervalLanes libm(const IntervalLanes& a, Function f,
                                                   bool increasing) {
    Doubles lo, hi;
    f(increasing ? a.lo_ : a.hi_, lo);
    if (all_points(a)) {
      hi = lo;
    } else {
      f(increasing ? a.hi_ : a.lo_, hi);
    }
    constexpr double kUlps = DoubleInterval::kLibmUlps;
    return IntervalLanes(ulps_below(lo, kUlps), -ulps_below(-hi, kUlps));
  }
  [[gnu::always_inline]] static IntervalLanes increasing_with_sign(const IntervalLanes& a,
                                                                   Function f) {
    return libm(a, f, true).signed_like(a.nonnegative(), a.nonpositive());
  }

  Doubles lo_{};
  Doubles hi_{};
};

// The lazy choice of the formulas: for one input, `cond ? if_true() : if_false()`; for lanes, the
// sides some lane needs, picked lane by lane.
template <class Cond, class IfTrue, class IfFalse>
[[gnu::always_inline]] inline auto when(Cond cond, IfTrue if_true, IfFalse if_false) {
  if constexpr (std::is_arithmetic_v<Cond>) {
    return cond ? if_true() : if_false();
  } else {
    bool any = false, all = true;
    for (std::size_t i = 0; i < sizeof(Cond) / sizeof(double); ++i) {
      any |= cond[i] != 0;
      all &= cond[i] != 0;
    }
    if (all) return if_true();
    if (!any) return if_false();
    return pick(cond, if_true(), if_false());
  }
}

}  // namespace actcheck::reference

#include "reference/mpfr_interval.hpp"

#include <algorithm>

namespace actcheck::reference {
namespace {

thread_local mpfr_prec_t g_precision = 256;

// MPFR's default exponent range (about ±2^30) is far wider than any format's, but exp(x) of a
// float32 input can still leave it; the widest range keeps those enclosures finite.
void widen_exponent_range() {
  thread_local bool done = false;
  if (done) return;
  mpfr_set_emin(mpfr_get_emin_min());
  mpfr_set_emax(mpfr_get_emax_max());
  done = true;
}

}  // namespace

WorkingPrecision::WorkingPrecision(mpfr_prec_t bits) : saved_(g_precision) {
  widen_exponent_range();
  g_precision = bits;
}
WorkingPrecision::~WorkingPrecision() { g_precision = saved_; }
mpfr_prec_t WorkingPrecision::current() { return g_precision; }

MpfrInterval::MpfrInterval() {
  widen_exponent_range();
  mpfr_init2(lo_, g_precision);
  mpfr_init2(hi_, g_precision);
  mpfr_set_zero(lo_, 1);
  mpfr_set_zero(hi_, 1);
}

MpfrInterval::MpfrInterval(double x) : MpfrInterval() {
  // A double needs 53 bits; below that precision the input itself would be rounded.
  if (g_precision < 53) {
    mpfr_set_prec(lo_, 53);
    mpfr_set_prec(hi_, 53);
  }
  mpfr_set_d(lo_, x, MPFR_RNDN);
  mpfr_set_d(hi_, x, MPFR_RNDN);
}

MpfrInterval::MpfrInterval(const MpfrInterval& other) : point_(other.point_) {
  mpfr_init2(lo_, mpfr_get_prec(other.lo_));
  mpfr_init2(hi_, mpfr_get_prec(other.hi_));
  mpfr_set(lo_, other.lo_, MPFR_RNDN);
  mpfr_set(hi_, other.hi_, MPFR_RNDN);
}

MpfrInterval::MpfrInterval(MpfrInterval&& other) noexcept : MpfrInterval() {
  mpfr_swap(lo_, other.lo_);
  mpfr_swap(hi_, other.hi_);
  std::swap(point_, other.point_);
}

MpfrInterval& MpfrInterval::operator=(MpfrInterval other) noexcept {
  mpfr_swap(lo_, other.lo_);
  mpfr_swap(hi_, other.hi_);
  std::swap(point_, other.point_);
  return *this;
}

MpfrInterval::~MpfrInterval() {
  mpfr_clear(lo_);
  mpfr_clear(hi_);
}

MpfrInterval MpfrInterval::decimal(const char* digits) {
  MpfrInterval r;
  // mpfr_strtofr returns the ternary value; mpfr_set_str only says whether the text parsed, so
  // with it every constant (SELU's λ and α) passed for exact and its enclosure for a point.
  const int t = mpfr_strtofr(r.lo_, digits, nullptr, 10, MPFR_RNDD);
  mpfr_strtofr(r.hi_, digits, nullptr, 10, MPFR_RNDU);
  r.point_ = (t == 0);
  return r;
}

MpfrInterval MpfrInterval::pi() {
  MpfrInterval r;
  mpfr_const_pi(r.lo_, MPFR_RNDD);
  mpfr_const_pi(r.hi_, MPFR_RNDU);
  r.point_ = false;
  return r;
}

bool MpfrInterval::try_exact(const MpfrInterval& a, const MpfrInterval& b, BinaryOp f) {
  if (!a.point_ || !b.point_) return false;
  // Rounded to nearest, so that an exact zero gets IEEE's sign (x + (−x) = +0).
  return bracket(f(lo_, a.lo_, b.lo_, MPFR_RNDN));
}

bool MpfrInterval::bracket(int ternary) {
  if (ternary == 0) {
    mpfr_set(hi_, lo_, MPFR_RNDN);
    point_ = true;
    return true;
  }
  // An inexact result rounded to nearest is one of the two numbers next to the exact value, and
  // the ternary value says which: the other one is a step away, and the pair is what rounding
  // down and up would give, at a third of the cost. Near the ends of the exponent range a step can
  // leave it (to 0 or infinity), so there the caller rounds both ways after all.
  if (!mpfr_regular_p(lo_) || mpfr_get_exp(lo_) <= mpfr_get_emin() + 1 ||
      mpfr_get_exp(lo_) >= mpfr_get_emax() - 1) {
    return false;
  }
  mpfr_set(hi_, lo_, MPFR_RNDN);
  if (ternary > 0) {
    mpfr_nextbelow(lo_);
  } else {
    mpfr_nextabove(hi_);
  }
  point_ = false;
  return true;
}

namespace {

// The ends of an enclosure order −0 below +0: an end's sign of zero says on which side of 0 the
// value may lie ([+0, 1] rounds to +0, never to −0). MPFR's comparisons treat the zeros as equal,
// so the hull of the corners would keep whichever came first: +0·[−1, 1] came out [−0, −0], and a
// value that may be +0 was rounded to −0 (the softmax VJP of a −inf entry, whose weight is +0).
bool below(mpfr_srcptr t, mpfr_srcptr lo) {
  return mpfr_less_p(t, lo) || (mpfr_zero_p(t) && mpfr_zero_p(lo) && mpfr_signbit(t));
}
bool above(mpfr_srcptr t, mpfr_srcptr hi) {
  return mpfr_greater_p(t, hi) || (mpfr_zero_p(t) && mpfr_zero_p(hi) && !mpfr_signbit(t));
}

}  // namespace

// The sign of an enclosure whose ends are both regular numbers of one sign (+1 or −1); 0 for any
// other (one that reaches 0, an infinity or NaN).
int strict_sign(const MpfrInterval& a) {
  if (!mpfr_regular_p(a.lo()) || !mpfr_regular_p(a.hi())) return 0;
  const int lo = mpfr_sgn(a.lo()), hi = mpfr_sgn(a.hi());
  return lo == hi ? lo : 0;
}

MpfrInterval MpfrInterval::corners(const MpfrInterval& a, const MpfrInterval& b, BinaryOp f) {
  MpfrInterval r;
  if (r.try_exact(a, b, f)) return r;
  r.point_ = false;
  // With both operands of one sign, the extreme corners are known: two roundings instead of eight,
  // with the same result (rounding is monotone, and no zero's sign is at stake).
  const int sa = strict_sign(a), sb = strict_sign(b);
  if (sa != 0 && sb != 0 && (f == mpfr_mul || f == mpfr_div)) {
    // Which ends of a and b make the lower corner (the upper one takes the other ends): for a·b,
    // a's lower end when b > 0 and b's when a > 0; for a/b, a's lower end when b > 0 and b's
    // when a < 0.
    const bool a_lo = sb > 0;
    const bool b_lo = f == mpfr_mul ? sa > 0 : sa < 0;
    f(r.lo_, a_lo ? a.lo_ : a.hi_, b_lo ? b.lo_ : b.hi_, MPFR_RNDD);
    f(r.hi_, a_lo ? a.hi_ : a.lo_, b_lo ? b.hi_ : b.lo_, MPFR_RNDU);
    return r;
  }
  mpfr_t t;
  mpfr_init2(t, mpfr_get_prec(r.lo_));
  mpfr_srcptr as[] = {a.lo_, a.hi_};
  mpfr_srcptr bs[] = {b.lo_, b.hi_};
  bool first = true;
  for (mpfr_srcptr x : as) {
    for (mpfr_srcptr y : bs) {
      f(t, x, y, MPFR_RNDD);
      if (first || below(t, r.lo_) || mpfr_nan_p(t)) mpfr_set(r.lo_, t, MPFR_RNDN);
      f(t, x, y, MPFR_RNDU);
      if (first || above(t, r.hi_) || mpfr_nan_p(t)) mpfr_set(r.hi_, t, MPFR_RNDN);
      first = false;
    }
  }
  mpfr_clear(t);
  return r;
}

MpfrInterval MpfrInterval::monotone(const MpfrInterval& a, UnaryOp f, bool increasing) {
  MpfrInterval r;
  if (a.point_ && r.bracket(f(r.lo_, a.lo_, MPFR_RNDN))) return r;
  r.point_ = false;
  f(r.lo_, increasing ? a.lo_ : a.hi_, MPFR_RNDD);
  f(r.hi_, increasing ? a.hi_ : a.lo_, MPFR_RNDU);
  return r;
}

MpfrInterval MpfrInterval::known_negative() const {
  MpfrInterval r(*this);
  if (mpfr_sgn(r.hi_) >= 0 && !mpfr_nan_p(r.hi_)) mpfr_set_zero(r.hi_, -1);
  if (mpfr_sgn(r.lo_) >= 0 && !mpfr_nan_p(r.lo_)) mpfr_set_zero(r.lo_, -1);
  return r;
}

MpfrInterval operator-(const MpfrInterval& a) {
  MpfrInterval r;
  mpfr_neg(r.lo_, a.hi_, MPFR_RNDN);  // exact: precisions are equal or wider
  mpfr_neg(r.hi_, a.lo_, MPFR_RNDN);
  r.point_ = a.point_;
  return r;
}

MpfrInterval operator+(const MpfrInterval& a, const MpfrInterval& b) {
  MpfrInterval r;
  if (r.try_exact(a, b, mpfr_add)) return r;
  r.point_ = false;
  mpfr_add(r.lo_, a.lo_, b.lo_, MPFR_RNDD);
  mpfr_add(r.hi_, a.hi_, b.hi_, MPFR_RNDU);
  return r;
}

MpfrInterval operator-(const MpfrInterval& a, const MpfrInterval& b) {
  MpfrInterval r;
  if (r.try_exact(a, b, mpfr_sub)) return r;
  r.point_ = false;
  mpfr_sub(r.lo_, a.lo_, b.hi_, MPFR_RNDD);
  mpfr_sub(r.hi_, a.hi_, b.lo_, MPFR_RNDU);
  return r;
}

MpfrInterval operator*(const MpfrInterval& a, const MpfrInterval& b) {
  return MpfrInterval::corners(a, b, mpfr_mul);
}

MpfrInterval operator/(const MpfrInterval& a, const MpfrInterval& b) {
  if (!b.point_ && mpfr_sgn(b.lo_) <= 0 && mpfr_sgn(b.hi_) >= 0) {
    MpfrInterval r;  // the divisor may be 0: the quotient is unbounded
    r.point_ = false;
    mpfr_set_inf(r.lo_, -1);
    mpfr_set_inf(r.hi_, 1);
    return r;
  }
  return MpfrInterval::corners(a, b, mpfr_div);
}

MpfrInterval exp(const MpfrInterval& a) { return MpfrInterval::monotone(a, mpfr_exp, true); }
MpfrInterval expm1(const MpfrInterval& a) { return MpfrInterval::monotone(a, mpfr_expm1, true); }
MpfrInterval log(const MpfrInterval& a) { return MpfrInterval::monotone(a, mpfr_log, true); }
MpfrInterval log1p(const MpfrInterval& a) { return MpfrInterval::monotone(a, mpfr_log1p, true); }
MpfrInterval tanh(const MpfrInterval& a) { return MpfrInterval::monotone(a, mpfr_tanh, true); }
MpfrInterval erf(const MpfrInterval& a) { return MpfrInterval::monotone(a, mpfr_erf, true); }
MpfrInterval erfc(const MpfrInterval& a) { return MpfrInterval::monotone(a, mpfr_erfc, false); }
MpfrInterval sqrt(const MpfrInterval& a) { return MpfrInterval::monotone(a, mpfr_sqrt, true); }

MpfrInterval square(const MpfrInterval& a) {
  if (a.point_ || mpfr_sgn(a.lo_) >= 0 || mpfr_sgn(a.hi_) <= 0) return a * a;
  // Straddles 0: a·a by corners would reach below 0.
  MpfrInterval r = a * a;
  mpfr_set_zero(r.lo_, 1);
  return r;
}

}  // namespace actcheck::reference

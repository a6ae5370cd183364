// A rigorous enclosure [lo, hi] of a real number, computed with MPFR's directed roundings at a
// working precision set per thread by `WorkingPrecision`. When every step is exact (MPFR's ternary
// value is 0) the enclosure is a point and carries IEEE's sign of zero; the Ziv loop in
// reference.cpp relies on that to round exact results once instead of looping on them.
#pragma once

#include <mpfr.h>

#include <utility>

namespace actcheck::reference {

// Sets the precision (in bits) of every MpfrInterval the calling thread creates while it lives.
class WorkingPrecision {
 public:
  explicit WorkingPrecision(mpfr_prec_t bits);
  ~WorkingPrecision();
  WorkingPrecision(const WorkingPrecision&) = delete;
  WorkingPrecision& operator=(const WorkingPrecision&) = delete;
  static mpfr_prec_t current();

 private:
  mpfr_prec_t saved_;
};

class MpfrInterval {
 public:
  MpfrInterval();  // the point +0
  explicit MpfrInterval(double x);
  MpfrInterval(const MpfrInterval& other);
  MpfrInterval(MpfrInterval&& other) noexcept;
  MpfrInterval& operator=(MpfrInterval other) noexcept;
  ~MpfrInterval();

  // The enclosure of a decimal constant such as "1.0507009873554804934193349852946".
  static MpfrInterval decimal(const char* digits);
  static MpfrInterval pi();

  mpfr_srcptr lo() const { return lo_; }
  mpfr_srcptr hi() const { return hi_; }
  bool is_point() const { return point_; }
  bool has_nan() const { return mpfr_nan_p(lo_) || mpfr_nan_p(hi_); }

  // The caller knows the value is < 0 (the enclosure may reach 0 only through underflow): the
  // upper end becomes at most −0, so that a value too small for MPFR still rounds to −0.
  MpfrInterval known_negative() const;

  friend MpfrInterval operator-(const MpfrInterval& a);
  friend MpfrInterval operator+(const MpfrInterval& a, const MpfrInterval& b);
  friend MpfrInterval operator-(const MpfrInterval& a, const MpfrInterval& b);
  friend MpfrInterval operator*(const MpfrInterval& a, const MpfrInterval& b);
  friend MpfrInterval operator/(const MpfrInterval& a, const MpfrInterval& b);
  friend MpfrInterval exp(const MpfrInterval& a);
  friend MpfrInterval expm1(const MpfrInterval& a);
  friend MpfrInterval log(const MpfrInterval& a);
  friend MpfrInterval log1p(const MpfrInterval& a);
  friend MpfrInterval tanh(const MpfrInterval& a);
  friend MpfrInterval erf(const MpfrInterval& a);
  friend MpfrInterval erfc(const MpfrInterval& a);
  friend MpfrInterval sqrt(const MpfrInterval& a);
  friend MpfrInterval square(const MpfrInterval& a);

 private:
  using UnaryOp = int (*)(mpfr_ptr, mpfr_srcptr, mpfr_rnd_t);
  using BinaryOp = int (*)(mpfr_ptr, mpfr_srcptr, mpfr_srcptr, mpfr_rnd_t);
  static MpfrInterval monotone(const MpfrInterval& a, UnaryOp f, bool increasing);
  static MpfrInterval corners(const MpfrInterval& a, const MpfrInterval& b, BinaryOp f);
  // If both operands are points, f's result rounded to nearest and its ends from that alone (a
  // point when f is exact); false when the ends must still be computed.
  bool try_exact(const MpfrInterval& a, const MpfrInterval& b, BinaryOp f);
  // lo_ holds a result rounded to nearest with this ternary value: makes it the point, or the
  // enclosure between it and its neighbour; false where that neighbour is not the directed
  // rounding (at the ends of the exponent range), with lo_ and hi_ left to the caller.
  bool bracket(int ternary);

  mpfr_t lo_;
  mpfr_t hi_;
  bool point_ = true;
};

}  // namespace actcheck::reference

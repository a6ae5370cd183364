// A value with an absolute error bound, and arithmetic that carries the bound through an
// expression. A property compares two such values: the tolerance it grants is what the error
// bounds of the evaluated results become through the expression (its conditioning), plus the
// rounding of the carrier that computes it, never a guessed allclose.
#pragma once

#include <mpfr.h>

#include <boost/multiprecision/mpfr.hpp>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace actcheck::properties {

using Real = boost::multiprecision::mpfr_float;

// The arithmetic of a carrier type: round-to-nearest operations for values, and a bound on the
// error of one such operation given its result. Error bounds are themselves rounded upward, so
// that a computed bound is never below the true one.
template <class T>
struct Carrier;

template <>
struct Carrier<double> {
  static double from(double v) { return v; }
  static double to_double(double v) { return v; }
  static double to_double_up(double v) { return v; }
  // The nearest double to a decimal constant, and a bound on what it missed.
  static double from_decimal(const char* digits) { return std::strtod(digits, nullptr); }
  static double decimal_error(double v) { return rounding(v); }
  static double add(double a, double b) { return a + b; }
  static double sub(double a, double b) { return a - b; }
  static double mul(double a, double b) { return a * b; }
  static double abs(double a) { return std::fabs(a); }
  static double add_up(double a, double b) { return std::nextafter(a + b, kInf); }
  static double mul_up(double a, double b) { return std::nextafter(a * b, kInf); }
  // Half a spacing of the result: at most |r|·2^-53, and half the smallest subnormal (bounded by
  // the whole of it) where the result is subnormal.
  static double rounding(double r) { return add_up(std::fabs(r) * 0x1p-53, 0x1p-1074); }
  static constexpr double kInf = std::numeric_limits<double>::infinity();
};

template <>
struct Carrier<Real> {
  // Results carry 160 bits: the reference's enclosures are 128 bits wide, and the arithmetic of a
  // property then adds no more than 2^-158 relative per operation.
  static constexpr mpfr_prec_t kBits = 160;

  static Real make() {
    Real r;
    mpfr_set_prec(r.backend().data(), kBits);
    return r;
  }
  static Real from(double v) {
    Real r = make();
    mpfr_set_d(r.backend().data(), v, MPFR_RNDN);  // exact: 160 ≥ 53 bits
    return r;
  }
  static double to_double(const Real& v) { return mpfr_get_d(v.backend().data(), MPFR_RNDN); }
  // A double ≥ v: for bounds that leave the carrier (slack handed to agrees()).
  static double to_double_up(const Real& v) { return mpfr_get_d(v.backend().data(), MPFR_RNDU); }
  static Real from_decimal(const char* digits) {
    Real r = make();
    mpfr_set_str(r.backend().data(), digits, 10, MPFR_RNDN);
    return r;
  }
  static Real decimal_error(const Real& v) { return rounding(v); }

  template <class Op>
  static Real apply(Op op, const Real& a, const Real& b, mpfr_rnd_t rnd) {
    Real r = make();
    op(r.backend().data(), a.backend().data(), b.backend().data(), rnd);
    return r;
  }
  static Real add(const Real& a, const Real& b) { return apply(mpfr_add, a, b, MPFR_RNDN); }
  static Real sub(const Real& a, const Real& b) { return apply(mpfr_sub, a, b, MPFR_RNDN); }
  static Real mul(const Real& a, const Real& b) { return apply(mpfr_mul, a, b, MPFR_RNDN); }
  static Real add_up(const Real& a, const Real& b) { return apply(mpfr_add, a, b, MPFR_RNDU); }
  static Real mul_up(const Real& a, const Real& b) { return apply(mpfr_mul, a, b, MPFR_RNDU); }
  static Real abs(const Real& a) {
    Real r = make();
    mpfr_abs(r.backend().data(), a.backend().data(), MPFR_RNDN);  // exact
    return r;
  }
  // |r|·2^(1−kBits) ≥ half a spacing of r. MPFR's exponent range has no subnormals to add.
  static Real rounding(const Real& r) {
    Real e = abs(r);
    mpfr_mul_2si(e.backend().data(), e.backend().data(), 1 - kBits, MPFR_RNDU);
    return e;
  }
};

template <class T>
struct Approx {
  using C = Carrier<T>;
  T value;
  T error;  // |value − exact| ≤ error

  static Approx exact(double v) { return {C::from(v), C::from(0)}; }
  // An inexact constant: the nearest double to it, and a bound on what that missed.
  static Approx constant(double nearest, double error) {
    return {C::from(nearest), C::from(error)};
  }

  // A constant given by its decimal digits (the SELU λ), to the carrier's precision.
  static Approx decimal(const char* digits) {
    const T v = C::from_decimal(digits);
    return {v, C::decimal_error(v)};
  }

  friend Approx operator-(const Approx& a) { return {C::sub(C::from(0), a.value), a.error}; }
  friend Approx operator+(const Approx& a, const Approx& b) {
    const T v = C::add(a.value, b.value);
    return {v, C::add_up(C::add_up(a.error, b.error), C::rounding(v))};
  }
  friend Approx operator-(const Approx& a, const Approx& b) { return a + (-b); }
  // |ab − âb̂| ≤ |â|·e_b + |b̂|·e_a + e_a·e_b, plus the rounding of âb̂.
  friend Approx operator*(const Approx& a, const Approx& b) {
    const T v = C::mul(a.value, b.value);
    T e = C::mul_up(C::abs(a.value), b.error);
    e = C::add_up(e, C::mul_up(C::abs(b.value), a.error));
    e = C::add_up(e, C::mul_up(a.error, b.error));
    return {v, C::add_up(e, C::rounding(v))};
  }
  friend Approx operator*(double c, const Approx& a) { return exact(c) * a; }
  friend Approx operator+(double c, const Approx& a) { return exact(c) + a; }
  friend Approx operator-(double c, const Approx& a) { return exact(c) - a; }
  friend Approx operator-(const Approx& a, double c) { return a - exact(c); }
  friend Approx operator+(const Approx& a, double c) { return a + exact(c); }
};

// The outcome of comparing two approximations, with the figures a failure message prints.
struct Comparison {
  bool holds;
  double difference;  // |a − b| as the carrier computed it
  double tolerance;   // what the error bounds (and any slack the property adds) allow
};

// |a − b| ≤ a.error + b.error + slack, granting the carrier's rounding of the difference: the
// comparison fails only when no exact values within the bounds satisfy it. Non-finite values
// agree only when they are the same infinity; NaN agrees with nothing.
template <class T>
Comparison agrees(const Approx<T>& a, const Approx<T>& b, double slack = 0) {
  using C = Carrier<T>;
  const double av = C::to_double(a.value), bv = C::to_double(b.value);
  if (!std::isfinite(av) || !std::isfinite(bv)) {
    return {av == bv, std::fabs(av - bv), 0};
  }
  const T d = C::abs(C::sub(a.value, b.value));
  const T tolerance = C::add_up(C::add_up(a.error, b.error), C::from(slack));
  const bool holds = d <= C::add_up(tolerance, C::rounding(d));
  return {holds, C::to_double(d), C::to_double(tolerance)};
}

// a ≤ b, within the error bounds: some exact values within them satisfy it.
template <class T>
Comparison at_most(const Approx<T>& a, const Approx<T>& b) {
  using C = Carrier<T>;
  const double av = C::to_double(a.value), bv = C::to_double(b.value);
  if (!std::isfinite(av) || !std::isfinite(bv)) return {av <= bv, av - bv, 0};
  const T excess = C::sub(a.value, b.value);
  const T tolerance = C::add_up(a.error, b.error);
  const bool holds = excess <= C::add_up(tolerance, C::rounding(excess));
  return {holds, C::to_double(excess), C::to_double(tolerance)};
}

}  // namespace actcheck::properties

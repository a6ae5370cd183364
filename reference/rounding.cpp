#include "reference/rounding.hpp"

#include <cmath>
#include <cstdint>

namespace actcheck::reference {

namespace {

// How many significant bits `format` has at the binade of v (fewer in the subnormal range).
long bits_at(mpfr_srcptr v, const FormatSpec& f) {
  // |v| = m·2^exp with m in [1/2, 1): its binade is 2^(exp−1).
  const long binade = mpfr_get_exp(v) - 1;
  // Below 2^emin the spacing stays 2^(emin−p+1): fewer significant bits remain.
  return f.precision - std::max(0L, f.emin - binade);
}

}  // namespace

bool is_midpoint(mpfr_srcptr v, const FormatSpec& format) {
  if (!mpfr_regular_p(v)) return false;
  const long bits = bits_at(v, format);
  // A tie needs exactly one bit more than the format has there.
  return bits >= 0 && static_cast<long>(mpfr_min_prec(v)) == bits + 1;
}

double round_to_format(mpfr_srcptr v, const FormatSpec& f, mpfr_rnd_t rnd) {
  if (mpfr_nan_p(v)) return NAN;
  if (mpfr_inf_p(v)) return mpfr_sgn(v) > 0 ? INFINITY : -INFINITY;
  const bool negative = mpfr_signbit(v);
  if (mpfr_zero_p(v)) return negative ? -0.0 : 0.0;

  const long bits = bits_at(v, f);
  const double min_subnormal = std::ldexp(1.0, f.emin - f.precision + 1);
  if (bits <= 0) {
    // |v| < min_subnormal. With bits == 0, |v| lies in [min_subnormal/2, min_subnormal): it rounds
    // up unless it is the tie min_subnormal/2 itself, the only power of two there (even: 0).
    bool up = bits == 0 && mpfr_min_prec(v) > 1;
    if (bits == 0 && !up && rnd != MPFR_RNDN) up = (rnd == MPFR_RNDU) != negative;
    double r = up ? min_subnormal : 0.0;
    return negative ? -r : r;
  }
  mpfr_t r;
  mpfr_init2(r, bits);
  mpfr_set(r, v, rnd);
  double d = mpfr_get_d(r, MPFR_RNDN);  // exact: bits ≤ 53 and the exponent fits a double
  mpfr_clear(r);
  if (std::fabs(d) >= std::ldexp(1.0, f.emax + 1)) return negative ? -INFINITY : INFINITY;
  return d;
}

}  // namespace actcheck::reference

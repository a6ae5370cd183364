#include "reference/rounding.hpp"

#include <bit>
#include <cmath>
#include <cstdint>

#include "catalog/carrier_bits.hpp"

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

double round_to_format(double v, const FormatSpec& f) {
  using namespace carrier;
  if (f.precision >= 53 || !std::isfinite(v) || v == 0) return v;
  const std::uint64_t bits = std::bit_cast<std::uint64_t>(v);
  const std::uint64_t sign = bits & kSignBit;
  std::uint64_t magnitude = bits ^ sign;
  const int dropped = 53 - f.precision;
  if (magnitude >= std::bit_cast<std::uint64_t>(pow2(f.emin))) {
    // Nearest-even on the bit pattern: adding half an ULP less one, plus the kept lowest bit, then
    // truncating, rounds ties to even; a carry out of the significand steps the exponent, as it
    // should, and one out of the largest binade reaches the infinity pattern.
    magnitude += (std::uint64_t{1} << (dropped - 1)) - 1 + ((magnitude >> dropped) & 1);
    magnitude &= ~((std::uint64_t{1} << dropped) - 1);
    if (magnitude >= std::bit_cast<std::uint64_t>(f.emax + 1 > 1023 ? INFINITY : pow2(f.emax + 1))) {
      return sign ? -INFINITY : INFINITY;
    }
    return std::bit_cast<double>(sign | magnitude);
  }
  // Below 2^emin the spacing stays 2^(emin − p + 1): round |v| / spacing to an integer (it is below
  // 2^52, where adding and removing 2^52 rounds to nearest even) and scale back; all exact.
  const int spacing = f.emin - f.precision + 1;
  const double scaled = scale(std::fabs(v), -spacing);
  const double r = scale((scaled + 0x1p52) - 0x1p52, spacing);
  return sign ? -r : r;
}

bool same_bits(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

}  // namespace actcheck::reference

// Nearest rounding of an exact value into a format: ties to even, gradual underflow, overflow to
// ±inf. The result is carried in a double, which holds every value of every format exactly.
#pragma once

#include <mpfr.h>

#include "catalog/format.hpp"

namespace actcheck::reference {

// `rnd` is MPFR_RNDN (nearest, ties to even) unless the caller knows on which side of a tie the
// exact value lies (MPFR_RNDU / MPFR_RNDD round to the neighbour above / below).
// Every function takes a FormatSpec, so that a grid which is no user-facing format (the engine's
// 40-bit measuring grid) rounds the same way; the Format overloads are shorthands.
double round_to_format(mpfr_srcptr v, const FormatSpec& format, mpfr_rnd_t rnd = MPFR_RNDN);
double round_to_format(double v, const FormatSpec& format);

// Is v exactly halfway between two neighbouring values of `format` (a rounding tie)?
bool is_midpoint(mpfr_srcptr v, const FormatSpec& format);

inline double round_to_format(mpfr_srcptr v, Format format, mpfr_rnd_t rnd = MPFR_RNDN) {
  return round_to_format(v, spec(format), rnd);
}
inline double round_to_format(double v, Format format) { return round_to_format(v, spec(format)); }
inline bool is_midpoint(mpfr_srcptr v, Format format) { return is_midpoint(v, spec(format)); }

// Are a and b the same value of the carrier, bit for bit (so −0 ≠ +0, and NaN = NaN)?
bool same_bits(double a, double b);

}  // namespace actcheck::reference

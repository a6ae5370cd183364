// Nearest rounding of an exact value into a format: ties to even, gradual underflow, overflow to
// ±inf. The result is carried in a double, which holds every value of every format exactly.
#pragma once

#include <mpfr.h>

#include "catalog/format.hpp"

namespace actcheck::reference {

// `rnd` is MPFR_RNDN (nearest, ties to even) unless the caller knows on which side of a tie the
// exact value lies (MPFR_RNDU / MPFR_RNDD round to the neighbour above / below).
double round_to_format(mpfr_srcptr v, Format format, mpfr_rnd_t rnd = MPFR_RNDN);

// Is v exactly halfway between two neighbouring values of `format` (a rounding tie)?
bool is_midpoint(mpfr_srcptr v, Format format);
double round_to_format(double v, Format format);

// Are a and b the same value of the carrier, bit for bit (so −0 ≠ +0, and NaN = NaN)?
bool same_bits(double a, double b);

}  // namespace actcheck::reference

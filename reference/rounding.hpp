// Nearest rounding of an exact value into a format: ties to even, gradual underflow, overflow to
// ±inf. The result is carried in a double, which holds every value of every format exactly.
#pragma once

#include <mpfr.h>

#include "catalog/format.hpp"

namespace actcheck::reference {

double round_to_format(mpfr_srcptr v, Format format);
double round_to_format(double v, Format format);

// Are a and b the same value of the carrier, bit for bit (so −0 ≠ +0, and NaN = NaN)?
bool same_bits(double a, double b);

}  // namespace actcheck::reference

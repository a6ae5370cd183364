// Helpers shared by the oracle tests: the reference as mpfr_float values, and the inputs.
#pragma once

#include <boost/multiprecision/mpfr.hpp>
#include <cmath>
#include <ostream>
#include <vector>

#include "catalog/catalog.hpp"
#include "reference/reference.hpp"

namespace actcheck {
// GoogleTest prints parameters with this: catalog ids instead of raw bytes.
inline void PrintTo(Fn fn, std::ostream* os) { *os << activation(fn).name; }
}  // namespace actcheck

namespace actcheck::testing {

using reference::Quantity;
using reference::Real;

// mpfr_float's default is 20 digits: too few for the oracle strings and the identities' sums.
// 130 digits ≈ 432 bits, above every working precision the tests ask of the reference.
inline const bool kDefaultPrecisionSet = (Real::default_precision(130), true);

// A second, independent MPFR type for oracle formulas: fixed 100 decimal digits (≈ 332 bits).
using Oracle = boost::multiprecision::mpfr_float_100;

inline Real ref(Fn fn, Quantity q, double x, unsigned bits = 256) {
  return reference::evaluate(fn, q, x, default_params(fn), bits);
}
inline Real ref(Fn fn, double x, unsigned bits = 256) { return ref(fn, Quantity::kValue, x, bits); }

// |a − b| ≤ 2^-bits · max(|a|, |b|), or both exactly 0.
inline bool agree_to_bits(const Real& a, const Real& b, int bits) {
  using boost::multiprecision::abs;
  const Real scale = std::max(Real(abs(a)), Real(abs(b)));
  if (scale == 0) return true;
  return abs(a - b) <= ldexp(scale, -bits);
}

// The elementwise entries of the catalog.
inline std::vector<Fn> elementwise_entries() {
  std::vector<Fn> out;
  for (const Activation& a : kCatalog) {
    if (is_elementwise(a.kind)) out.push_back(a.id);
  }
  return out;
}

}  // namespace actcheck::testing

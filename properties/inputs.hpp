// What properties draw their inputs from: values of a format, generated from bit patterns so that
// rapidcheck shrinks a failure toward small patterns (small magnitudes, then +0).
#pragma once

#include <rapidcheck.h>

#include <vector>

#include "catalog/catalog.hpp"
#include "catalog/format.hpp"

namespace actcheck::properties {

// Every bit pattern of the format (NaN included), patterns of moderate magnitude (|x| in
// [2^-10, 2^11)), where uniform patterns rarely land and most of a function's shape is; and the
// special values: ±0, ±1, ±inf, NaN, the smallest subnormal and the largest finite value.
rc::Gen<double> format_values(Format format);

// The same without NaN and ±inf.
rc::Gen<double> finite_format_values(Format format);

// The kinks of a's default parameters that are values of the format (threshold's 0.1 is not, in
// binary formats), with both ±0 for a kink at 0.
std::vector<double> kinks_in_format(const Activation& a, Format format);

// Does a kink-based check apply: an elementwise entry with a kink that is a value of the format?
inline bool has_kink_in_format(const Activation& a, Format format) {
  return is_elementwise(a.kind) && !kinks_in_format(a, format).empty();
}

// The value of the format nearest `at` on autograd's side `side` of it (never `at` itself, nor
// −0 for +0).
double neighbour(double at, Side side, Format format);

}  // namespace actcheck::properties

// Bit patterns of a format's values, carried in doubles: value ⇄ pattern, and iteration over
// every pattern. NaN payloads are not kept: every NaN reads as the carrier's NaN and encodes as
// the format's canonical quiet NaN.
#pragma once

#include <cstdint>

#include "catalog/format.hpp"

namespace actcheck::engine {

// The value of `pattern` (its low storage_bits bits) in `format`.
double from_bits(std::uint64_t pattern, Format format);

// The pattern of `value`, which must be representable in `format` (see reference::round_to_format).
std::uint64_t to_bits(double value, Format format);

// How many bit patterns `format` has (2^storage_bits; f64's 2^64 does not fit: not for f64).
constexpr std::uint64_t pattern_count(Format format) {
  return std::uint64_t{1} << spec(format).storage_bits;
}

}  // namespace actcheck::engine

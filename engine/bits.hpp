// Bit patterns of a format's values, carried in doubles: value ⇄ pattern, and iteration over
// every pattern. NaN payloads are not kept: every NaN reads as the carrier's NaN and encodes as
// the format's canonical quiet NaN.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

#include "catalog/carrier_bits.hpp"
#include "catalog/format.hpp"

namespace actcheck::engine {

namespace detail {

// Where a format keeps its fields.
struct Layout {
  int mantissa_bits;
  int exponent_bits;
  int bias;
  int sign_shift;
};

constexpr Layout layout(Format format) {
  const FormatSpec& f = spec(format);
  return {f.precision - 1, f.storage_bits - f.precision, f.emax, f.storage_bits - 1};
}

}  // namespace detail

// The value of `pattern` (its low storage_bits bits) in `format`. Inline: a sweep decodes every
// input with it, and the format's layout folds out of the loop.
inline double from_bits(std::uint64_t pattern, Format format) {
  if (format == Format::kF32) {  // the hardware's conversion, NaN aside (its payload is dropped)
    const float f = std::bit_cast<float>(static_cast<std::uint32_t>(pattern));
    if (std::isnan(f)) [[unlikely]]
      return std::signbit(f) ? -NAN : NAN;
    return f;
  }
  const detail::Layout l = detail::layout(format);
  const bool negative = (pattern >> l.sign_shift) & 1;
  const std::uint64_t exponent_mask = (std::uint64_t{1} << l.exponent_bits) - 1;
  const std::uint64_t e = (pattern >> l.mantissa_bits) & exponent_mask;
  const std::uint64_t m = pattern & ((std::uint64_t{1} << l.mantissa_bits) - 1);
  double v;
  if (e == exponent_mask) {
    v = m == 0 ? INFINITY : NAN;
  } else if (e == 0) {  // m·2^(emin − mantissa bits): the product is exact
    v = carrier::scale(static_cast<double>(m), spec(format).emin - l.mantissa_bits);
  } else {  // a normal value of the format is a normal double: move the fields over
    v = std::bit_cast<double>(
        (static_cast<std::uint64_t>(static_cast<int>(e) - l.bias + carrier::kBias)
         << carrier::kMantissaBits) |
        (m << (carrier::kMantissaBits - l.mantissa_bits)));
  }
  return negative ? -v : v;
}

// The pattern of `value`, which must be representable in `format` (see reference::round_to_format).
std::uint64_t to_bits(double value, Format format);

// How many bit patterns `format` has (2^storage_bits; f64's 2^64 does not fit: not for f64).
constexpr std::uint64_t pattern_count(Format format) {
  return std::uint64_t{1} << spec(format).storage_bits;
}

}  // namespace actcheck::engine

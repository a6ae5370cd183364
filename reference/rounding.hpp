// Nearest rounding of an exact value into a format: ties to even, gradual underflow, overflow to
// ±inf. The result is carried in a double, which holds every value of every format exactly.
#pragma once

#include <mpfr.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

#include "catalog/carrier_bits.hpp"
#include "catalog/format.hpp"

namespace actcheck::reference {

// `rnd` is MPFR_RNDN (nearest, ties to even) unless the caller knows on which side of a tie the
// exact value lies (MPFR_RNDU / MPFR_RNDD round to the neighbour above / below).
// Every function takes a FormatSpec, so that a grid which is no user-facing format (the engine's
// 40-bit measuring grid) rounds the same way; the Format overloads are shorthands.
double round_to_format(mpfr_srcptr v, const FormatSpec& format, mpfr_rnd_t rnd = MPFR_RNDN);

// Is v exactly halfway between two neighbouring values of `format` (a rounding tie)?
bool is_midpoint(mpfr_srcptr v, const FormatSpec& format);

// The double overload, as a rounding whose constants are worked out once: loops that round many
// values into one format (the engine rounds every input's enclosure two or three times) construct
// it outside the loop. round_to_format(double, FormatSpec) below is this, constructed on the spot.
class NearestRounding {
 public:
  explicit constexpr NearestRounding(const FormatSpec& f)
      : format_(&f),
        identity_(f.precision >= 53),
        min_normal_(std::bit_cast<std::uint64_t>(carrier::pow2(f.emin))),
        overflow_(
            std::bit_cast<std::uint64_t>(f.emax + 1 > 1023 ? INFINITY : carrier::pow2(f.emax + 1))),
        lowest_kept_(identity_ ? 1 : std::uint64_t{1} << (53 - f.precision)),
        spacing_(f.emin - f.precision + 1) {}

  [[gnu::always_inline]] double operator()(double v) const {
    using namespace carrier;
    if (identity_ || !std::isfinite(v) || v == 0) return v;
    const std::uint64_t bits = std::bit_cast<std::uint64_t>(v);
    const std::uint64_t sign = bits & kSignBit;
    std::uint64_t magnitude = bits ^ sign;
    if (magnitude >= min_normal_) {
      // Nearest-even on the bit pattern: adding half an ULP less one, plus the kept lowest bit,
      // then truncating, rounds ties to even; a carry out of the significand steps the exponent, as
      // it should, and one out of the largest binade reaches the infinity pattern.
      magnitude += (lowest_kept_ >> 1) - 1 + ((magnitude & lowest_kept_) != 0);
      magnitude &= ~(lowest_kept_ - 1);
      if (magnitude >= overflow_) return sign ? -INFINITY : INFINITY;
      return std::bit_cast<double>(sign | magnitude);
    }
    // Below 2^emin the spacing stays 2^(emin − p + 1): round |v| / spacing to an integer (it is
    // below 2^52, where adding and removing 2^52 rounds to nearest even) and scale back; all exact.
    const double scaled = scale(std::fabs(v), -spacing_);
    const double r = scale((scaled + 0x1p52) - 0x1p52, spacing_);
    return sign ? -r : r;
  }

  // Is v a value of the format (±inf and NaN included)? Exactly the v this rounding leaves as they
  // are, tested without rounding: the engine asks it of every result a backend returns.
  [[gnu::always_inline]] bool is_value(double v) const {
    if (identity_ || !std::isfinite(v)) return true;
    const std::uint64_t magnitude = std::bit_cast<std::uint64_t>(v) & ~carrier::kSignBit;
    if (magnitude >= min_normal_) {
      return (magnitude & (lowest_kept_ - 1)) == 0 && magnitude < overflow_;
    }
    // Below 2^emin: a whole multiple of the spacing (the quotient is below 2^52).
    const double scaled = carrier::scale(std::fabs(v), -spacing_);
    return (scaled + 0x1p52) - 0x1p52 == scaled;
  }

  const FormatSpec& format() const { return *format_; }

 private:
  const FormatSpec* format_;
  bool identity_;              // precision ≥ 53: every double is a value of the format
  std::uint64_t min_normal_;   // the bits of 2^emin
  std::uint64_t overflow_;     // the bits of 2^(emax+1) (+inf's beyond the double range)
  std::uint64_t lowest_kept_;  // the significand's lowest kept bit, 2^(53 − p), as a pattern
  int spacing_;                // below 2^emin the values are multiples of 2^spacing
};

[[gnu::always_inline]] inline double round_to_format(double v, const FormatSpec& f) {
  return NearestRounding(f)(v);
}

// The double overload of is_midpoint: a tie needs exactly one significant bit more than the format
// has at v's binade (fewer below 2^emin); the overflow threshold counts as one.
[[gnu::always_inline]] inline bool is_midpoint(double v, const FormatSpec& f) {
  if (!std::isfinite(v) || v == 0) return false;
  const int bits = f.precision - std::max(0, f.emin - carrier::binade(v));
  const std::uint64_t field_bits = std::bit_cast<std::uint64_t>(v) & ~carrier::kSignBit;
  const std::uint64_t significand =
      (field_bits & carrier::kMantissaMask) |
      (field_bits >> carrier::kMantissaBits ? std::uint64_t{1} << carrier::kMantissaBits : 0);
  return bits >= 0 &&
         static_cast<int>(std::bit_width(significand)) - std::countr_zero(significand) == bits + 1;
}

// Are a and b the same value of the carrier, bit for bit (so −0 ≠ +0, and NaN = NaN)?
inline bool same_bits(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

inline double round_to_format(mpfr_srcptr v, Format format, mpfr_rnd_t rnd = MPFR_RNDN) {
  return round_to_format(v, spec(format), rnd);
}
inline double round_to_format(double v, Format format) { return round_to_format(v, spec(format)); }
inline bool is_midpoint(mpfr_srcptr v, Format format) { return is_midpoint(v, spec(format)); }

}  // namespace actcheck::reference

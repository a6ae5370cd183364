// Nearest rounding of an exact value into a format: ties to even, gradual underflow, overflow to
// ±inf. The result is carried in a double, which holds every value of every format exactly.
#pragma once

#include <mpfr.h>

#include <bit>
#include <cmath>
#include <cstdint>

#include "catalog/carrier_bits.hpp"
#include "catalog/format.hpp"
#include "reference/lanes.hpp"

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
// The rounding and the tie test do not branch on v: the engine's fast tier applies them to both
// ends of every enclosure, from every binade of both signs, and branching there on zero, subnormal,
// normal and overflowing values cost more than the arithmetic.
class NearestRounding {
 public:
  explicit constexpr NearestRounding(const FormatSpec& f)
      : format_(&f),
        identity_(f.precision >= 53),
        min_normal_(std::bit_cast<std::uint64_t>(carrier::pow2(f.emin))),
        overflow_(
            std::bit_cast<std::uint64_t>(f.emax + 1 > 1023 ? INFINITY : carrier::pow2(f.emax + 1))),
        kept_shift_(identity_ ? 0 : 53 - f.precision),
        lowest_kept_(std::uint64_t{1} << kept_shift_),
        spacing_rounder_(power_of_two(f.emin - f.precision + 1 + carrier::kMantissaBits)),
        half_spacing_(f.emin - f.precision >= -1074 ? power_of_two(f.emin - f.precision) : NAN) {}

  // v rounded; v a double, or lanes::Doubles, each lane rounded alike.
  template <class D>
  [[gnu::always_inline]] D operator()(D v) const {
    using Bits = lanes::BitsOf<D>;
    using lanes::as_signed;  // magnitudes compare as signed integers (below 2^63)
    if (identity_) return v;
    const Bits bits = std::bit_cast<Bits>(v);
    const Bits sign = bits & carrier::kSignBit;
    const Bits magnitude = bits ^ sign;
    // From 2^emin up, nearest-even on the bit pattern: adding half an ULP less one, plus the kept
    // lowest bit, then truncating, rounds ties to even; a carry out of the significand steps the
    // exponent, as it should, and one out of the largest binade reaches the overflow threshold.
    Bits rounded = (magnitude + ((lowest_kept_ >> 1) - 1) + ((magnitude >> kept_shift_) & 1)) &
                   ~(lowest_kept_ - 1);
    rounded = as_signed(rounded) >= as_signed(overflow_) ? Bits{} + kInfinityBits : rounded;
    // Below 2^emin the spacing stays 2^(emin − p + 1): there |v| + 2^(emin − p + 53) is rounded by
    // the addition itself to that spacing (nearest even), and subtracting it back is exact.
    const D small = (std::bit_cast<D>(magnitude) + spacing_rounder_) - spacing_rounder_;
    rounded = as_signed(magnitude) >= as_signed(min_normal_) ? rounded : std::bit_cast<Bits>(small);
    rounded = as_signed(magnitude) > as_signed(kInfinityBits) ? magnitude : rounded;  // NaN stays
    return std::bit_cast<D>(sign | rounded);
  }

  // Is v exactly halfway between two neighbouring values of the format (a rounding tie)? The
  // overflow threshold counts as one; ±0, ±inf and NaN are none. v a double (the answer a bool),
  // or lanes::Doubles (a lane mask).
  template <class D>
  [[gnu::always_inline]] lanes::MaskOf<D> is_midpoint(D v) const {
    using Bits = lanes::BitsOf<D>;
    using lanes::as_signed;
    if (identity_) return lanes::MaskOf<D>{};
    const Bits magnitude = std::bit_cast<Bits>(v) & ~carrier::kSignBit;
    const lanes::MaskOf<D> normal_tie = ((magnitude & (lowest_kept_ - 1)) == (lowest_kept_ >> 1)) &
                                        (as_signed(magnitude) < as_signed(kInfinityBits));
    const D a = std::bit_cast<D>(magnitude);
    const D off = a - ((a + spacing_rounder_) - spacing_rounder_);  // |off| ≤ half the spacing
    const lanes::MaskOf<D> small_tie =
        std::bit_cast<D>(std::bit_cast<Bits>(off) & ~carrier::kSignBit) == half_spacing_;
    return as_signed(magnitude) >= as_signed(min_normal_) ? normal_tie : small_tie;
  }

  // Is v a value of the format (±inf and NaN included)? Exactly the v this rounding leaves as they
  // are, tested without rounding: the engine asks it of every result a backend returns.
  [[gnu::always_inline]] bool is_value(double v) const {
    if (identity_ || !std::isfinite(v)) return true;
    const std::uint64_t magnitude = std::bit_cast<std::uint64_t>(v) & ~carrier::kSignBit;
    if (magnitude >= min_normal_) {
      return (magnitude & (lowest_kept_ - 1)) == 0 && magnitude < overflow_;
    }
    const double a = std::fabs(v);  // below 2^emin: a whole multiple of the spacing
    return (a + spacing_rounder_) - spacing_rounder_ == a;
  }

  const FormatSpec& format() const { return *format_; }

 private:
  static constexpr std::uint64_t kInfinityBits = std::uint64_t{0x7ff} << carrier::kMantissaBits;
  // 2^e for e in the double range, subnormal ones included.
  static constexpr double power_of_two(int e) {
    return e >= -1022 ? carrier::pow2(e) : std::bit_cast<double>(std::uint64_t{1} << (e + 1074));
  }

  const FormatSpec* format_;
  bool identity_;              // precision ≥ 53: every double is a value of the format
  std::uint64_t min_normal_;   // the bits of 2^emin
  std::uint64_t overflow_;     // the bits of 2^(emax+1) (+inf's beyond the double range)
  int kept_shift_;             // 53 − p
  std::uint64_t lowest_kept_;  // the significand's lowest kept bit, 2^(53 − p), as a pattern
  double spacing_rounder_;     // 2^(emin − p + 53): adding it rounds below 2^emin
  double half_spacing_;        // 2^(emin − p), half the spacing below 2^emin (NaN: no double is)
};

[[gnu::always_inline]] inline double round_to_format(double v, const FormatSpec& f) {
  return NearestRounding(f)(v);
}

// The double overload of is_midpoint.
[[gnu::always_inline]] inline bool is_midpoint(double v, const FormatSpec& f) {
  return NearestRounding(f).is_midpoint(v);
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

// The one ULP measure (design: Numbers). Every comparison of a result with the exact value goes
// through `measure`; nothing else computes an error.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <span>
#include <string_view>

#include "catalog/carrier_bits.hpp"
#include "catalog/format.hpp"
#include "reference/lanes.hpp"
#include "reference/quantity.hpp"
#include "reference/rounding.hpp"

namespace actcheck::engine {

// The spacing of `format` at v, 2^(max(e, emin) − p + 1) where 2^e ≤ |v| < 2^(e+1), from v's
// exponent field: below 2^emin (subnormal doubles and 0 too, since emin ≥ −1022 in every format)
// the max takes emin. v a finite double, or lanes of them (reference/lanes.hpp: measure_plain).
template <class D>
[[gnu::always_inline]] inline D spacing(D v, const FormatSpec& f) {
  using Lanes = reference::lanes::Lanes<sizeof(D) / sizeof(double)>;
  using SignedBits = typename Lanes::SignedBits;
  const SignedBits field = reference::lanes::as_signed(
      (std::bit_cast<typename Lanes::Bits>(v) & ~carrier::kSignBit) >> carrier::kMantissaBits);
  const SignedBits binade = field - carrier::kBias;
  const SignedBits e = (binade > f.emin ? binade : SignedBits{} + f.emin) - f.precision + 1;
  // 2^e: normal from −1022 up, subnormal below (float64's spacing there).
  const SignedBits normal = (e + carrier::kBias) << carrier::kMantissaBits;
  const SignedBits subnormal = (SignedBits{} + 1) << ((e + 1074) & 63);
  return std::bit_cast<D>(e >= -1022 ? normal : subnormal);
}

// The spacing at v (at ±inf and NaN, as at 0: the smallest subnormal).
inline double ulp(double v, Format format) {
  return spacing(std::isfinite(v) ? v : 0.0, spec(format));
}

// x's place in the format's bit-linear order: consecutive values have consecutive ordinals, and
// −0 sits just below +0 (−1 and 0). x must be a value of the format other than NaN.
std::int64_t ordinal(double x, Format format);
double from_ordinal(std::int64_t ordinal, Format format);

// The neighbours of x in the format (±inf stay where they are).
double next_up(double x, Format format);
double next_down(double x, Format format);

enum class Mismatch : std::uint8_t {
  kNone,
  kNonFinite,   // NaN or ±inf against a different class (finite, the other infinity, NaN)
  kSignedZero,  // −0 against +0
};
std::string_view to_string(Mismatch m);

struct UlpError {
  double ulps = 0;  // |y − v| / ulp(v); 0 for a non-finite mismatch and for NaN against NaN
  std::uint64_t steps = 0;  // values of the format between y and the correctly rounded result
                            // (±0 count as one value); 0 means correctly rounded
  Mismatch mismatch = Mismatch::kNone;
};

namespace detail {
UlpError measure_non_finite(double y, double rounded);
UlpError count_steps(double y, double rounded, Format format, UlpError e);

// measure_plain's versions for AVX-512, AVX2 and the baseline (lanes of 8, 4, 2): it runs the one
// this CPU can, tests run each.
using MeasurePlain = void (*)(const double* y, const reference::Exact* exact, std::size_t n,
                              const FormatSpec& format, double* ulps, std::uint8_t* plain);
extern const MeasurePlain kMeasurePlainAvx512, kMeasurePlainAvx2, kMeasurePlainBaseline;
}  // namespace detail

// y, a value of `format`, measured against the exact value v. Inline for the common case, a
// finite result (correctly rounded or not): sweeps measure every result with it.
inline UlpError measure(double y, const reference::Exact& v, Format format) {
  const double r = v.rounded;
  if (!std::isfinite(y) || !std::isfinite(r)) [[unlikely]] {
    return detail::measure_non_finite(y, r);
  }
  UlpError e;
  e.ulps = std::fabs(y - v.approx) / ulp(v.approx, format);
  if (reference::same_bits(y, r)) return e;  // the common case: no walk to count
  return detail::count_steps(y, r, format, e);
}

// The common case of `measure` for a batch of results y[i] against exact[i], several at a time:
// where y[i] and the correctly rounded result are finite and the same bits, `measure` would give
// ulps[i] and no steps and no mismatch, and plain[i] is 1; elsewhere plain[i] is 0 (ulps[i] is then
// to be ignored), and `measure` itself must answer. Such a y[i] is a value of the format, as the
// correctly rounded result is.
void measure_plain(std::span<const double> y, std::span<const reference::Exact> exact,
                   Format format, std::span<double> ulps, std::span<std::uint8_t> plain);

}  // namespace actcheck::engine

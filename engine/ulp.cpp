#include "engine/ulp.hpp"

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "catalog/carrier_bits.hpp"
#include "engine/bits.hpp"
#include "engine/in_lanes.hpp"
#include "reference/lanes.hpp"
#include "reference/rounding.hpp"

namespace actcheck::engine {
namespace {

std::uint64_t sign_mask(Format format) {
  return std::uint64_t{1} << (spec(format).storage_bits - 1);
}

// NaN, −inf, finite and +inf are four classes; a result must land in the exact value's class.
int non_finite_class(double v) {
  if (std::isnan(v)) return 0;
  if (std::isinf(v)) return v < 0 ? 1 : 3;
  return 2;
}

}  // namespace

std::int64_t ordinal(double x, Format format) {
  const std::uint64_t bits = to_bits(x, format);
  const auto magnitude = static_cast<std::int64_t>(bits & ~sign_mask(format));
  return (bits & sign_mask(format)) ? -magnitude - 1 : magnitude;
}

double from_ordinal(std::int64_t ordinal, Format format) {
  if (ordinal >= 0) return from_bits(static_cast<std::uint64_t>(ordinal), format);
  return from_bits(static_cast<std::uint64_t>(-(ordinal + 1)) | sign_mask(format), format);
}

double next_up(double x, Format format) {
  if (std::isnan(x) || x == INFINITY) return x;
  if (x == 0) return from_ordinal(1, format);  // both zeros step to the smallest subnormal
  return from_ordinal(ordinal(x, format) + 1, format);
}

double next_down(double x, Format format) { return -next_up(-x, format); }

std::string_view to_string(Mismatch m) {
  switch (m) {
    case Mismatch::kNone:
      return "none";
    case Mismatch::kNonFinite:
      return "non-finite";
    case Mismatch::kSignedZero:
      return "signed zero";
  }
  return "?";
}

namespace detail {

UlpError measure_non_finite(double y, double rounded) {
  if (non_finite_class(y) == non_finite_class(rounded)) return {};
  return {.mismatch = Mismatch::kNonFinite};
}

UlpError count_steps(double y, double rounded, Format format, UlpError e) {
  const std::int64_t a = ordinal(y, format);
  const std::int64_t b = ordinal(rounded, format);
  e.steps = static_cast<std::uint64_t>(std::llabs(a - b));
  // ±0 are one value of the arithmetic: a walk across zero counts them once.
  if ((a < 0) != (b < 0)) e.steps -= 1;
  if (y == 0 && rounded == 0 && std::signbit(y) != std::signbit(rounded)) {
    e.mismatch = Mismatch::kSignedZero;
  }
  return e;
}

}  // namespace detail

const detail::MeasurePlain detail::kMeasurePlainAvx512 = &avx512::measure_plain;
const detail::MeasurePlain detail::kMeasurePlainAvx2 = &avx2::measure_plain;
const detail::MeasurePlain detail::kMeasurePlainBaseline = &portable::measure_plain;

void measure_plain(std::span<const double> y, std::span<const reference::Exact> exact,
                   Format format, std::span<double> ulps, std::span<std::uint8_t> plain) {
  static const auto in_lanes = reference::lanes::for_this_cpu(
      detail::kMeasurePlainAvx512, detail::kMeasurePlainAvx2, detail::kMeasurePlainBaseline);
  in_lanes(y.data(), exact.data(), y.size(), spec(format), ulps.data(), plain.data());
}

}  // namespace actcheck::engine

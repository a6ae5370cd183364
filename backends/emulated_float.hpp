// A number of a target format (float32, float16, bfloat16) whose every operation rounds its
// result into the format: what a formula computes when each intermediate result is stored in the
// format. The naive backend evaluates the textbook formulas in it.
//
// Arithmetic computes in float and rounds the float result (impl::round_to_storage). For + − × ÷
// that is the format's own correctly rounded operation: float's 24 bits are at least 2p + 2 for
// float16 (p = 11) and bfloat16 (p = 8), so the second rounding never changes the first's answer
// (Figueroa, "When is double rounding innocuous?", 1995); tests/naive_eigen_test.cpp checks it
// against _Float16 and an MPFR rounding. Elementary functions round libm's float result into the
// format, as a format-native libm would to within a hair of half an ULP.
#pragma once

#include <bit>
#include <cmath>
#include <compare>
#include <cstdint>

#include "catalog/format.hpp"
#include "impl/storage.hpp"

namespace actcheck::backends {

// The value of `format` nearest to v, rounded once. Going through float directly would round
// twice and could land on a tie of the format that v is not on; rounding to float *to odd* first
// keeps a sticky bit, which makes the second rounding exact (float has ≥ p + 2 bits everywhere).
inline float round_once(double v, Format format) {
  float f = static_cast<float>(v);
  if (format == Format::kF32 || static_cast<double>(f) == v || std::isnan(v)) {
    return impl::round_to_storage(f, format);
  }
  if (std::fabs(static_cast<double>(f)) > std::fabs(v)) f = std::nextafter(f, 0.0f);
  f = std::bit_cast<float>(std::bit_cast<std::uint32_t>(f) | 1u);
  return impl::round_to_storage(f, format);
}

template <Format F>
class Emulated {
 public:
  Emulated() = default;
  // The constant v rounded to the format (exact when v is already one of its values).
  explicit Emulated(double v) : value_(round_once(v, F)) {}

  explicit operator float() const { return value_; }
  explicit operator double() const { return value_; }

  friend Emulated operator+(Emulated a, Emulated b) { return rounded(a.value_ + b.value_); }
  friend Emulated operator-(Emulated a, Emulated b) { return rounded(a.value_ - b.value_); }
  friend Emulated operator*(Emulated a, Emulated b) { return rounded(a.value_ * b.value_); }
  friend Emulated operator/(Emulated a, Emulated b) { return rounded(a.value_ / b.value_); }
  friend Emulated operator-(Emulated a) { return rounded(-a.value_); }
  // IEEE comparisons: NaN is unordered.
  friend auto operator<=>(Emulated a, Emulated b) = default;

  friend Emulated abs(Emulated a) { return rounded(std::fabs(a.value_)); }
  friend Emulated exp(Emulated a) { return rounded(std::exp(a.value_)); }
  friend Emulated log(Emulated a) { return rounded(std::log(a.value_)); }
  friend Emulated erf(Emulated a) { return rounded(std::erf(a.value_)); }

 private:
  static Emulated rounded(float v) {
    Emulated e;
    e.value_ = impl::round_to_storage(v, F);
    return e;
  }

  float value_ = 0;  // always a value of F
};

}  // namespace actcheck::backends

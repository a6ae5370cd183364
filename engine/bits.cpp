#include "engine/bits.hpp"

#include <bit>
#include <cmath>

#include "catalog/carrier_bits.hpp"

namespace actcheck::engine {
namespace {

struct Layout {
  int mantissa_bits;
  int exponent_bits;
  int bias;
  int sign_shift;
};

Layout layout(Format format) {
  const FormatSpec& f = spec(format);
  return {f.precision - 1, f.storage_bits - f.precision, f.emax, f.storage_bits - 1};
}

}  // namespace

double from_bits(std::uint64_t pattern, Format format) {
  const Layout l = layout(format);
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

std::uint64_t to_bits(double value, Format format) {
  const Layout l = layout(format);
  const std::uint64_t sign = std::uint64_t{std::signbit(value)} << l.sign_shift;
  const std::uint64_t exponent_mask = (std::uint64_t{1} << l.exponent_bits) - 1;
  if (std::isnan(value)) {
    return (exponent_mask << l.mantissa_bits) | (std::uint64_t{1} << (l.mantissa_bits - 1));
  }
  if (std::isinf(value)) return sign | (exponent_mask << l.mantissa_bits);
  const double a = std::fabs(value);
  if (a == 0) return sign;
  const int emin = spec(format).emin;
  const int e = carrier::binade(a);
  if (e < emin) {  // subnormal: the exponent field is 0, the pattern a / 2^(emin − mantissa bits)
    return sign | static_cast<std::uint64_t>(carrier::scale(a, l.mantissa_bits - emin));
  }
  const std::uint64_t m = (std::bit_cast<std::uint64_t>(a) & carrier::kMantissaMask) >>
                          (carrier::kMantissaBits - l.mantissa_bits);
  return sign | (static_cast<std::uint64_t>(e + l.bias) << l.mantissa_bits) | m;
}

}  // namespace actcheck::engine

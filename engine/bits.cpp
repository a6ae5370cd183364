#include "engine/bits.hpp"

#include <bit>
#include <cmath>

#include "catalog/carrier_bits.hpp"

namespace actcheck::engine {

std::uint64_t to_bits(double value, Format format) {
  const detail::Layout l = detail::layout(format);
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

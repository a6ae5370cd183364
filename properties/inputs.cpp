#include "properties/inputs.hpp"

#include <cmath>
#include <vector>

#include "engine/bits.hpp"
#include "engine/ulp.hpp"
#include "reference/rounding.hpp"

namespace actcheck::properties {
namespace {

rc::Gen<double> all_patterns(Format format) {
  return rc::gen::map(rc::gen::inRange<std::uint64_t>(0, engine::pattern_count(format)),
                      [format](std::uint64_t bits) { return engine::from_bits(bits, format); });
}

rc::Gen<double> moderate(Format format) {
  const FormatSpec& s = spec(format);
  const int fraction_bits = s.precision - 1;
  return rc::gen::map(
      rc::gen::tuple(rc::gen::inRange<std::uint64_t>(0, 2), rc::gen::inRange(-10, 11),
                     rc::gen::inRange<std::uint64_t>(0, std::uint64_t{1} << fraction_bits)),
      [format, s, fraction_bits](const std::tuple<std::uint64_t, int, std::uint64_t>& t) {
        const auto [sign, exponent, fraction] = t;
        const std::uint64_t biased = static_cast<std::uint64_t>(exponent + s.emax);
        return engine::from_bits(sign << (s.storage_bits - 1) | biased << fraction_bits | fraction,
                                 format);
      });
}

std::vector<double> specials(Format format, bool with_non_finite) {
  const double inf = INFINITY;
  const double tiny = engine::next_up(0.0, format);
  const double huge = engine::next_down(inf, format);
  std::vector<double> v = {0.0, -0.0, 1.0, -1.0, tiny, -tiny, huge, -huge};
  if (with_non_finite) v.insert(v.end(), {inf, -inf, NAN});
  return v;
}

}  // namespace

rc::Gen<double> format_values(Format format) {
  return rc::gen::weightedOneOf<double>({{4, all_patterns(format)},
                                         {4, moderate(format)},
                                         {1, rc::gen::elementOf(specials(format, true))}});
}

rc::Gen<double> finite_format_values(Format format) {
  return rc::gen::suchThat(
      rc::gen::weightedOneOf<double>({{4, all_patterns(format)},
                                      {4, moderate(format)},
                                      {1, rc::gen::elementOf(specials(format, false))}}),
      [](double x) { return std::isfinite(x); });
}

std::vector<double> kinks_in_format(const Activation& a, Format format) {
  std::vector<double> out;
  for (const Kink& k : a.kinks) {
    const double at = k.at.eval(default_params(a.id));
    if (!reference::same_bits(reference::round_to_format(at, format), at)) continue;
    out.push_back(at);
    if (at == 0) out.push_back(-at);
  }
  return out;
}

double neighbour(double at, Side side, Format format) {
  double n = at;
  while (n == at) {
    n = side == Side::kLeft ? engine::next_down(n, format) : engine::next_up(n, format);
  }
  return n;
}

}  // namespace actcheck::properties

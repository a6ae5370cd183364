#include "engine/metrics_json.hpp"

#include <fmt/format.h>

#include <cmath>

#include "engine/text.hpp"

namespace actcheck::engine {
namespace {

using nlohmann::json;

json example_json(const std::optional<Example>& e) {
  if (!e) return nullptr;
  return {{"input", e->input},
          {"element", e->element},
          {"x", hex(e->x)},
          {"y", hex(e->y)},
          {"exact", hex(e->exact)},
          {"ulps", hex(e->ulps)},
          {"x_decimal", fmt::format("{:.9g}", e->x)},
          {"ulps_decimal", e->ulps}};
}

double hex_value(const json& j, const char* key, std::string_view where) {
  const std::string text = j.at(key).get<std::string>();
  return parse_number(text, fmt::format("{}: {}", where, key));
}

std::optional<Example> example_from(const json& j, std::string_view where) {
  if (j.is_null()) return std::nullopt;
  return Example{.input = j.at("input").get<std::uint64_t>(),
                 .element = j.at("element").get<std::int64_t>(),
                 .x = hex_value(j, "x", where),
                 .y = hex_value(j, "y", where),
                 .exact = hex_value(j, "exact", where),
                 .ulps = hex_value(j, "ulps", where)};
}

}  // namespace

std::string hex(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  return fmt::format("{:a}", v);
}

json to_json(const Metrics& m) {
  json histogram = json::object();
  for (std::size_t i = 0; i < kBins; ++i) histogram[std::string(bin_label(i))] = m.histogram[i];
  return {{"count", m.count},
          {"correctly_rounded", m.correctly_rounded},
          {"max_ulp", m.max_ulp()},
          {"mean_ulp", m.mean_ulp()},
          {"histogram", histogram},
          {"ulp_sum_fixed_point", m.ulp_sum.to_hex()},
          {"worst", example_json(m.worst)},
          {"non_finite_mismatches", m.non_finite},
          {"non_finite_example", example_json(m.non_finite_example)},
          {"signed_zero_mismatches", m.signed_zero},
          {"signed_zero_example", example_json(m.signed_zero_example)},
          {"reference_undecided_rows", m.undecided_rows}};
}

Metrics metrics_from_json(const json& j, std::string_view where) {
  try {
    Metrics m;
    m.count = j.at("count").get<std::uint64_t>();
    m.correctly_rounded = j.at("correctly_rounded").get<std::uint64_t>();
    for (std::size_t i = 0; i < kBins; ++i) {
      m.histogram[i] = j.at("histogram").at(std::string(bin_label(i))).get<std::uint64_t>();
    }
    m.ulp_sum = ExactSum::from_hex(j.at("ulp_sum_fixed_point").get<std::string>());
    m.worst = example_from(j.at("worst"), where);
    m.non_finite = j.at("non_finite_mismatches").get<std::uint64_t>();
    m.non_finite_example = example_from(j.at("non_finite_example"), where);
    m.signed_zero = j.at("signed_zero_mismatches").get<std::uint64_t>();
    m.signed_zero_example = example_from(j.at("signed_zero_example"), where);
    m.undecided_rows = j.value("reference_undecided_rows", std::uint64_t{0});
    return m;
  } catch (const json::exception& e) {
    throw InputError(fmt::format("{}: not a metrics record ({})", where, e.what()));
  } catch (const std::invalid_argument& e) {
    throw InputError(fmt::format("{}: {}", where, e.what()));
  }
}

}  // namespace actcheck::engine

#include "cli/parse.hpp"

#include <fmt/format.h>

namespace actcheck::cli {
namespace {

using engine::trim;

std::string names_of_catalog() {
  std::string names;
  for (const Activation& a : kCatalog) names += (names.empty() ? "" : ", ") + std::string(a.name);
  return names;
}

}  // namespace

Params parse_params(Fn fn, const std::vector<std::string>& assignments) {
  const Activation& a = activation(fn);
  Params p = default_params(fn);
  for (const std::string& assignment : assignments) {
    const std::size_t eq = assignment.find('=');
    if (eq == std::string::npos) {
      throw UsageError(fmt::format("--param: \"{}\" is not of the form name=value", assignment));
    }
    const std::string name(trim(std::string_view(assignment).substr(0, eq)));
    const std::optional<std::size_t> index = find_param(fn, name);
    if (!index) {
      std::string known;
      for (const Param& q : a.params) known += (known.empty() ? "" : ", ") + std::string(q.name);
      throw UsageError(fmt::format("--param: {} has no parameter \"{}\" ({})", a.name, name,
                                   known.empty() ? "it has none" : "it has: " + known));
    }
    p.values[*index] =
        parse_number(std::string_view(assignment).substr(eq + 1), fmt::format("--param {}", name));
  }
  return p;
}

const Activation& parse_function(std::string_view name) {
  if (const Activation* a = find_activation(name)) return *a;
  throw UsageError(
      fmt::format("--function: unknown function \"{}\" (known: {})", name, names_of_catalog()));
}

}  // namespace actcheck::cli

#include "catalog/catalog.hpp"

#include <algorithm>

namespace actcheck {

static_assert(std::is_sorted(std::begin(kCutoffs), std::end(kCutoffs),
                             [](const Cutoff& a, const Cutoff& b) { return a.fn < b.fn; }),
              "catalog/cutoffs.inc: rows out of catalog order; regenerate it (tools/find_cutoffs)");

std::string_view to_string(Kind kind) {
  switch (kind) {
    case Kind::kElementwise:
      return "elementwise";
    case Kind::kParametric:
      return "parametric";
    case Kind::kVector:
      return "vector";
    case Kind::kGated:
      return "gated";
  }
  return "?";
}

const Activation* find_activation(std::string_view name) {
  for (const Activation& a : kCatalog) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

Params default_params(Fn fn) {
  Params p;
  const Activation& a = activation(fn);
  for (std::size_t i = 0; i < a.params.size(); ++i) p.values[i] = a.params[i].default_value;
  return p;
}

std::optional<std::size_t> find_param(Fn fn, std::string_view name) {
  const Activation& a = activation(fn);
  for (std::size_t i = 0; i < a.params.size(); ++i) {
    if (a.params[i].name == name) return i;
  }
  return std::nullopt;
}

}  // namespace actcheck

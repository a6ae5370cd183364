#include "cli/parse.hpp"

#include <fmt/format.h>

#include "backends/registry.hpp"

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

std::vector<std::string_view> split(std::string_view text) {
  std::vector<std::string_view> items;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    items.push_back(trim(text.substr(start, comma - start)));
    if (comma == std::string_view::npos) return items;
    start = comma + 1;
  }
}

std::vector<Fn> parse_functions(std::string_view text) {
  std::vector<Fn> fns;
  if (text == "all") {
    for (const Activation& a : kCatalog) fns.push_back(a.id);
    return fns;
  }
  for (std::string_view name : split(text)) fns.push_back(parse_function(name).id);
  return fns;
}

std::string backend_names() {
  std::string known;
  for (const backends::Backend* k : backends::builtin_backends()) {
    known += (known.empty() ? "" : ", ") + std::string(k->name());
  }
  return known;
}

std::vector<const backends::Backend*> parse_backends(std::string_view text) {
  const auto all = backends::builtin_backends();
  if (text == "all") return {all.begin(), all.end()};
  std::vector<const backends::Backend*> chosen;
  for (std::string_view name : split(text)) {
    const backends::Backend* b = backends::find_backend(name);
    if (!b) {
      throw UsageError(fmt::format("--backend: unknown backend \"{}\" (known: {}, or all)", name,
                                   backend_names()));
    }
    chosen.push_back(b);
  }
  return chosen;
}

Format parse_measured_format(std::string_view text) {
  const std::optional<Format> f = parse_format(text);
  if (!f || *f == Format::kF64) {
    throw UsageError(fmt::format("--format: \"{}\" is not f32, f16 or bf16", text));
  }
  return *f;
}

}  // namespace actcheck::cli

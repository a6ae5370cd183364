#include "cli/parse.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>

namespace actcheck::cli {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string names_of_catalog() {
  std::string names;
  for (const Activation& a : kCatalog) names += (names.empty() ? "" : ", ") + std::string(a.name);
  return names;
}

}  // namespace

double parse_number(std::string_view text, std::string_view option) {
  const std::string s(trim(text));
  if (s.empty()) throw UsageError(fmt::format("{}: expected a number, got nothing", option));
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) {
    throw UsageError(
        fmt::format("{}: \"{}\" is not a number (decimal like 0.5 or -1e30, hex "
                    "like 0x1.8p+1, inf, nan)",
                    option, s));
  }
  if (errno == ERANGE && std::abs(v) > 1) {
    throw UsageError(fmt::format("{}: \"{}\" is beyond the range of a double", option, s));
  }
  return v;
}

Eigen::VectorXd parse_row(std::string_view text, std::string_view option) {
  std::vector<double> values;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    const std::string_view item = text.substr(start, comma - start);
    values.push_back(parse_number(item, fmt::format("{} (element {})", option, values.size() + 1)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return Eigen::Map<Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(values.size()));
}

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

// actcheck properties: the registry of properties/ on the reference or one backend.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "backends/registry.hpp"
#include "cli/commands.hpp"
#include "cli/parse.hpp"
#include "properties/runner.hpp"
#include "reports/report.hpp"

namespace actcheck::cli {
namespace {

using properties::Outcome;

std::string_view status_word(Outcome::Status s) {
  switch (s) {
    case Outcome::Status::kPass:
      return "PASS";
    case Outcome::Status::kFail:
      return "FAIL";
    case Outcome::Status::kUnsupported:
      return "UNSUPPORTED";
  }
  return "?";
}

const backends::Backend* parse_one_backend(std::string_view name) {
  if (name == "reference") return nullptr;
  if (const backends::Backend* b = backends::find_backend(name)) return b;
  throw UsageError(fmt::format("--backend: unknown backend \"{}\" (give one of: reference, {})",
                               name, backend_names()));
}

nlohmann::json to_json(const Outcome& o) {
  return {{"property", o.property},          {"function", activation(o.fn).name},
          {"status", status_word(o.status)}, {"cases", o.cases},
          {"budget_ulps", o.budget},         {"detail", o.detail}};
}

}  // namespace

int run_properties_command(const PropertiesCommand& o, const std::string& command_line,
                           std::ostream& out) {
  properties::RunOptions options;
  options.backend = parse_one_backend(o.backend);
  options.format = parse_measured_format(o.format);
  options.functions = parse_functions(o.functions);
  options.seed = o.seed;
  options.count = o.count;
  options.budget_ulps = o.budget;
  options.checks = o.gradients ? properties::RunOptions::Checks::kGradients
                               : properties::RunOptions::Checks::kProperties;
  if (o.count < 1) throw UsageError(fmt::format("--count: {} is not a positive count", o.count));
  if (!(o.budget > 0))
    throw UsageError(fmt::format("--budget: {} is not a positive ULP count", o.budget));

  int failures = 0;
  const std::vector<Outcome> outcomes = properties::run_properties(options, [&](const Outcome& r) {
    if (r.status == Outcome::Status::kFail) ++failures;
    fmt::print(out, "{}\n", properties::describe(r, o.seed));
    out.flush();
  });
  fmt::print(out, "{} of {} (property, function) pairs failed on {} in {}\n", failures,
             outcomes.size(), o.backend, o.format);

  if (!o.json.empty()) {
    nlohmann::json doc = {{"schema", "actcheck-properties/1"},
                          {"command", command_line},
                          {"checks", o.gradients ? "gradients" : "properties"},
                          {"backend", o.backend},
                          {"format", o.format},
                          {"seed", o.seed},
                          {"count", o.count},
                          {"outcomes", nlohmann::json::array()}};
    for (const Outcome& r : outcomes) doc["outcomes"].push_back(to_json(r));
    reports::write_file(o.json, doc.dump(1) + "\n");
  }
  return failures ? 1 : 0;
}

}  // namespace actcheck::cli

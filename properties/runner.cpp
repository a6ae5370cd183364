#include "properties/runner.hpp"

#include <fmt/format.h>
#include <rapidcheck.h>

#include "properties/evaluator.hpp"
#include "properties/gradient_checks.hpp"
#include "properties/properties.hpp"

namespace actcheck::properties {
namespace {

// Outcomes are printed by the caller; rapidcheck's own listener would print its configuration.
class SilentListener : public rc::detail::TestListener {
 public:
  void onTestCaseFinished(const rc::detail::CaseDescription&) override {}
  void onShrinkTried(const rc::detail::CaseDescription&, bool) override {}
  void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}
};

// rapidcheck's verdict on one (property, function) as an Outcome.
template <class Check>
void decide(Outcome& out, const Check& check, const RunOptions& options) {
  rc::detail::TestParams params;
  params.seed = options.seed;
  params.maxSuccess = options.count;
  rc::detail::TestMetadata metadata;
  metadata.id = out.property + "/" + std::string(activation(out.fn).name);
  metadata.description = metadata.id;
  SilentListener listener;
  const rc::detail::TestResult result =
      rc::detail::checkProperty(rc::detail::toProperty(check), metadata, params, listener, {});
  rc::detail::SuccessResult success;
  rc::detail::FailureResult failure;
  rc::detail::GaveUpResult gave_up;
  rc::detail::Error error;
  if (result.match(success)) {
    out.cases = success.numSuccess;
    return;
  }
  out.status = Outcome::Status::kFail;
  if (result.match(failure)) {
    out.cases = failure.numSuccess;
    out.detail = failure.description;
  } else if (result.match(gave_up)) {
    out.cases = gave_up.numSuccess;
    out.detail = "gave up (too many discarded cases): " + gave_up.description;
  } else if (result.match(error)) {
    out.detail = "error: " + error.description;
  }
}

}  // namespace

std::string describe(const Outcome& o, std::uint64_t seed) {
  const std::string_view fn = activation(o.fn).name;
  switch (o.status) {
    case Outcome::Status::kPass:
      return fmt::format("PASS {} {} ({} cases)", o.property, fn, o.cases);
    case Outcome::Status::kUnsupported:
      return fmt::format("UNSUPPORTED {} {}", o.property, fn);
    case Outcome::Status::kFail:
      break;
  }
  return fmt::format("FAIL {} {} {} (seed {})", o.property, fn, o.detail, seed);
}

std::vector<Outcome> run_properties(const RunOptions& options,
                                    const std::function<void(const Outcome&)>& on_outcome) {
  std::vector<Outcome> outcomes;
  const ReferenceEvaluator reference(options.format);
  const std::span<const Property> checks =
      options.checks == RunOptions::Checks::kGradients ? gradient_checks() : all_properties();
  for (const Property& p : checks) {
    for (Fn fn : options.functions) {
      if (!p.applies(activation(fn), options.format)) continue;
      Outcome out;
      out.property = p.name;
      out.fn = fn;
      if (!options.backend) {
        decide(
            out, [&] { p.on_reference(reference, fn); }, options);
      } else {
        out.budget = default_budget(*options.backend, fn, options.format, options.budget_ulps);
        const BackendEvaluator backend(*options.backend, options.format, out.budget);
        if (!p.on_backend || !backend.supports(fn)) {
          out.status = Outcome::Status::kUnsupported;
        } else {
          decide(
              out, [&] { p.on_backend(backend, fn); }, options);
        }
      }
      if (on_outcome) on_outcome(out);
      outcomes.push_back(std::move(out));
    }
  }
  return outcomes;
}

}  // namespace actcheck::properties

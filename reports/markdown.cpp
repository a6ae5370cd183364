#include <fmt/format.h>

#include <map>
#include <tuple>

#include "engine/metrics_json.hpp"
#include "reports/report.hpp"

namespace actcheck::reports {
namespace {

using engine::hex;

std::string ulps_text(double ulps) {
  if (ulps == 0) return "0";
  if (ulps < 10) return fmt::format("{:.3g}", ulps);
  if (ulps < 1e6) return fmt::format("{:.0f}", ulps);
  return fmt::format("{:.2e}", ulps);
}

// A table cell: max ULP at the worst input, and the non-finite mismatches when there are any.
std::string cell(const engine::BackendResult& b) {
  if (!b.supported) return "—";
  const engine::Metrics& m = b.metrics;
  std::string s = ulps_text(m.max_ulp());
  if (m.worst && m.max_ulp() > 0) {
    s += fmt::format(" @ `{}`", hex(m.worst->x));
    if (m.worst->element >= 0) s += fmt::format(" (row {})", m.worst->input);
  }
  if (m.non_finite) s += fmt::format(" ⚠ {} non-finite", m.non_finite);
  if (m.undecided_rows) s += fmt::format(" ({} rows without a reference)", m.undecided_rows);
  return s;
}

std::string title_of(const engine::JobResult& r) {
  return fmt::format("{} pass, {}: {}", backends::to_string(r.job.pass), spec(r.job.format).name,
                     r.input_description);
}

}  // namespace

std::string markdown(const Report& r) {
  std::string md = "# actcheck accuracy report\n\n";
  md += fmt::format("- tool: actcheck {}; command: `{}`\n", r.tool_version, r.command);
  md += fmt::format("- date: {}; wall time: {:.0f} s; shard {}\n", r.date, r.elapsed_seconds,
                    r.shard);
  md += fmt::format("- machine: {}\n", r.machine.dump());
  md += "- backends:\n";
  for (const BackendInfo& b : r.backends)
    md += fmt::format("  - `{}`: {}\n", b.name, b.description);
  md +=
      "\nEach cell: the maximum error in ULPs of the exact value (see the design's Numbers), the "
      "input where it occurs (hex; for row entries, the element's input and its row), and the "
      "count of non-finite mismatches (NaN or ±inf where the exact value is otherwise), if any. "
      "— means the backend does not implement that function.\n";

  // One table per (pass, format, input set), in the order the results come.
  std::vector<std::string> order;
  std::map<std::string, std::vector<const engine::JobResult*>> tables;
  for (const engine::JobResult& job : r.results) {
    const std::string key = title_of(job);
    if (!tables.count(key)) order.push_back(key);
    tables[key].push_back(&job);
  }
  for (const std::string& key : order) {
    md += fmt::format("\n## {}\n\n| function |", key);
    for (const BackendInfo& b : r.backends) md += fmt::format(" {} |", b.name);
    md += "\n|---|";
    for (std::size_t i = 0; i < r.backends.size(); ++i) md += "---|";
    md += "\n";
    for (const engine::JobResult* job : tables[key]) {
      md += fmt::format("| {} |", activation(job->job.fn).name);
      for (const engine::BackendResult& b : job->backends) md += fmt::format(" {} |", cell(b));
      md += "\n";
    }
  }

  md += "\n## Non-finite mismatches\n\n";
  bool any = false;
  for (const engine::JobResult& job : r.results) {
    for (const engine::BackendResult& b : job.backends) {
      if (!b.supported || !b.metrics.non_finite) continue;
      const engine::Example& e = *b.metrics.non_finite_example;
      md += fmt::format(
          "- {} {} {}, `{}`: {} of {}; e.g. x = `{}`{} gives {} where the exact "
          "value rounds to {}\n",
          activation(job.job.fn).name, spec(job.job.format).name, backends::to_string(job.job.pass),
          b.backend, b.metrics.non_finite, b.metrics.count, hex(e.x),
          e.element >= 0 ? fmt::format(" (row {}, element {})", e.input, e.element) : "", hex(e.y),
          hex(e.exact));
      any = true;
    }
  }
  if (!any) md += "None.\n";
  return md;
}

}  // namespace actcheck::reports

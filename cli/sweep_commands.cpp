// actcheck sweep, report and merge: the engine's jobs from the command line.
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <ostream>
#include <thread>

#include "backends/registry.hpp"
#include "cli/commands.hpp"
#include "cli/parse.hpp"
#include "engine/metrics_json.hpp"
#include "engine/sweep.hpp"
#include "reports/report.hpp"

namespace actcheck::cli {
namespace {

using backends::Backend;
using backends::Pass;

constexpr int kInterrupted = 130;

std::vector<Pass> parse_passes(std::string_view text) {
  if (text == "both") return {Pass::kForward, Pass::kBackward};
  if (std::optional<Pass> p = backends::parse_pass(text)) return {*p};
  throw UsageError(fmt::format("--pass: \"{}\" is not forward, backward or both", text));
}

void install_stop_handlers() {
  std::signal(SIGINT, [](int) { engine::request_stop(); });
  std::signal(SIGTERM, [](int) { engine::request_stop(); });
}

// One line per backend of a finished job.
void print_job(std::ostream& out, const engine::JobResult& r) {
  fmt::print(out, "{}: {}\n", r.job.key(), r.input_description);
  for (const engine::BackendResult& b : r.backends) {
    if (!b.supported) {
      fmt::print(out, "  {:<9} not supported\n", b.backend);
      continue;
    }
    const engine::Metrics& m = b.metrics;
    fmt::print(out, "  {:<9} max {:.4g} ULP", b.backend, m.max_ulp());
    if (m.worst) {
      fmt::print(out, " at x = {} (got {}, exact {})", engine::hex(m.worst->x),
                 engine::hex(m.worst->y), engine::hex(m.worst->exact));
    }
    fmt::print(out, ", mean {:.3g}, correctly rounded {:.4f}%", m.mean_ulp(),
               m.count ? 100.0 * m.correctly_rounded / m.count : 100.0);
    if (m.non_finite) {
      fmt::print(out, ", {} non-finite (e.g. x = {} gives {})", m.non_finite,
                 engine::hex(m.non_finite_example->x), engine::hex(m.non_finite_example->y));
    }
    if (m.undecided_rows) {
      fmt::print(out, ", {} rows skipped: the reference could not round them", m.undecided_rows);
    }
    if (m.signed_zero) {
      fmt::print(out, ", {} signed-zero (e.g. x = {})", m.signed_zero,
                 engine::hex(m.signed_zero_example->x));
    }
    fmt::print(out, "\n");
  }
  out.flush();
}

reports::Report new_report(const std::vector<const Backend*>& backends, const std::string& shard,
                           const std::string& command_line) {
  reports::Report r;
  r.tool_version = ACTCHECK_VERSION;
  r.command = command_line;
  r.date = reports::utc_now();
  r.machine = reports::describe_machine();
  r.shard = shard;
  for (const Backend* b : backends) {
    r.backends.push_back({std::string(b->name()), std::string(b->description())});
  }
  return r;
}

// Runs the jobs, printing each as it completes; the report when everything finished.
std::optional<reports::Report> run_jobs(const std::vector<engine::Job>& jobs,
                                        engine::SweepOptions options,
                                        const std::string& command_line, std::ostream& out) {
  install_stop_handlers();
  options.on_job_done = [&out](const engine::JobResult& r) { print_job(out, r); };
  const auto start = std::chrono::steady_clock::now();
  engine::SweepOutcome outcome = engine::run_sweep(jobs, options);
  if (outcome.interrupted) {
    std::cerr << fmt::format("actcheck: interrupted after {} of {} blocks. ", outcome.blocks_done,
                             outcome.blocks_total);
    if (options.journal.empty()) {
      std::cerr << "The jobs printed above are complete; the rest is lost (give --json OUT to "
                   "keep every finished block and resume).\n";
    } else {
      std::cerr << fmt::format(
          "Every finished block is kept in {}; run the same command again to resume.\n",
          options.journal);
    }
    return std::nullopt;
  }
  reports::Report report = new_report(options.backends, options.shard.text(), command_line);
  report.elapsed_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  report.results = std::move(outcome.results);
  return report;
}

}  // namespace

int run_sweep_command(const SweepCommand& o, const std::string& command_line, std::ostream& out) {
  const std::vector<Fn> fns = parse_functions(o.functions);
  const Format format = parse_measured_format(o.format);
  engine::InputSpec inputs = engine::parse_input_spec(!o.inputs.empty()        ? o.inputs
                                                      : format == Format::kF32 ? "sample:1000000"
                                                                               : "exhaustive");
  if (o.seed) inputs.seed = o.seed;
  if (!o.params.empty() && fns.size() != 1) {
    throw UsageError("--param: give exactly one --function when setting parameters");
  }
  std::vector<engine::Job> jobs;
  for (Fn fn : fns) {
    const Params params = parse_params(fn, o.params);
    for (Pass pass : parse_passes(o.pass)) jobs.push_back({fn, params, format, pass, inputs});
  }
  engine::SweepOptions options;
  options.backends = parse_backends(o.backends);
  options.threads = o.threads;
  options.shard = engine::Shard::parse(o.shard);
  options.tier = o.mpfr_only ? reference::Tier::kMpfrOnly : reference::Tier::kFastThenMpfr;
  if (!o.json.empty()) options.journal = o.json + ".partial";

  const std::optional<reports::Report> report = run_jobs(jobs, options, command_line, out);
  if (!report) return kInterrupted;
  if (!o.json.empty()) reports::write_file(o.json, reports::to_json(*report).dump(1) + "\n");

  // Budgets: the catalog's for our own kernels, --max-ulp for the others (none if not given).
  int status = 0;
  for (const engine::JobResult& r : report->results) {
    for (const engine::BackendResult& b : r.backends) {
      if (!b.supported) continue;
      const double budget =
          b.backend == "actcheck" ? activation(r.job.fn).budget.of(r.job.format) : o.max_ulp;
      if (budget >= 0 && !engine::within_budget(b.metrics, budget)) {
        fmt::print(out, "OVER BUDGET: {} on {}: max {:.4g} ULP, {} non-finite; budget {} ULP{}\n",
                   b.backend, r.job.key(), b.metrics.max_ulp(), b.metrics.non_finite, budget,
                   budget <= 0.5 ? " (correctly rounded)" : "");
        status = 1;
      }
    }
  }
  return status;
}

int run_report_command(const ReportCommand& o, const std::string& command_line, std::ostream& out) {
  std::vector<engine::Job> jobs;
  const std::vector<Fn> fns = parse_functions(o.functions);
  for (Format format : {Format::kF16, Format::kBF16, Format::kF32}) {
    for (Pass pass : {Pass::kForward, Pass::kBackward}) {
      for (Fn fn : fns) {
        const std::string inputs = !is_elementwise(activation(fn).kind)
                                       ? fmt::format("sample:{}", o.rows)
                                   : format == Format::kF32 ? fmt::format("sample:{}", o.f32_sample)
                                                            : "exhaustive";
        jobs.push_back({fn, default_params(fn), format, pass, engine::parse_input_spec(inputs)});
      }
    }
  }
  engine::SweepOptions options;
  options.backends = parse_backends(o.backends);
  options.threads = o.threads;
  options.shard = engine::Shard::parse(o.shard);
  const std::string json_path = o.out_dir + "/report.json";
  const std::string md_path = o.out_dir + "/report.md";
  options.journal = json_path + ".partial";
  std::filesystem::create_directories(o.out_dir);

  const std::optional<reports::Report> report = run_jobs(jobs, options, command_line, out);
  if (!report) return kInterrupted;
  reports::write_file(json_path, reports::to_json(*report).dump(1) + "\n");
  reports::write_file(md_path, reports::markdown(*report));
  fmt::print(out, "\nWrote {} and {} ({:.0f} s on {} threads).\n", json_path, md_path,
             report->elapsed_seconds,
             o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency()));
  return 0;
}

int run_merge_command(const MergeCommand& o, std::ostream& out) {
  std::vector<reports::Report> parts;
  for (const std::string& path : o.inputs) {
    std::ifstream in(path);
    if (!in) throw UsageError(fmt::format("merge: cannot read \"{}\"", path));
    const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded()) throw UsageError(fmt::format("{}: not JSON", path));
    parts.push_back(reports::report_from_json(j, path));
  }
  const reports::Report whole = reports::merge(parts);
  reports::write_file(o.json, reports::to_json(whole).dump(1) + "\n");
  if (!o.markdown.empty()) reports::write_file(o.markdown, reports::markdown(whole));
  fmt::print(out, "Merged {} shards into {}.\n", parts.size(), o.json);
  return 0;
}

}  // namespace actcheck::cli

// actcheck: accuracy and gradient verification of activation functions. See README.md.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/parse.hpp"

int main(int argc, char** argv) {
  using namespace actcheck::cli;
  std::string command_line = "actcheck";
  for (int i = 1; i < argc; ++i) command_line += std::string(" ") + argv[i];
  CLI::App app{
      "actcheck: exact references, ULP accuracy and gradient checks for activation functions.\n"
      "Exit status: 0 ok, 1 a check failed, 2 bad input."};
  app.require_subcommand(1);

  app.add_subcommand("list", "Print the catalog: id, kind, parameters with defaults, definition");

  EvalOptions eval;
  CLI::App* eval_cmd = app.add_subcommand(
      "eval",
      "Print the exact value and derivative at one input (40 significant digits) and their "
      "correctly rounded values in a format (hex, decimal, bit pattern)");
  eval_cmd->add_option("--function,-f", eval.function, "Catalog id (see `actcheck list`)")
      ->required();
  eval_cmd->add_option("--format", eval.format, "f64, f32, f16 or bf16")->capture_default_str();
  eval_cmd
      ->add_option("--x,-x", eval.x,
                   "The input: a decimal or hex float (0x1.8p+1); for vector entries a "
                   "comma-separated row. Rounded to the format when it is not a value of it")
      ->required()
      ->allow_extra_args(false);
  eval_cmd->add_option("--grad", eval.grad,
                       "Vector entries: the upstream gradient of the vector-Jacobian product, "
                       "comma-separated (default: all ones)");
  eval_cmd->add_option("--param", eval.params, "name=value, overriding a default (repeatable)");

  SweepCommand sweep;
  CLI::App* sweep_cmd = app.add_subcommand(
      "sweep",
      "Measure backends against the exact values over an input set: max and mean ULP error, the "
      "worst input, a histogram, the share correctly rounded, non-finite and signed-zero "
      "mismatches. Exit 1 when a backend exceeds its budget: the catalog's for actcheck's own "
      "kernels (0.5 = correctly rounded in f16/bf16, 1 ULP in f32), --max-ulp for the others "
      "(no budget without it). A non-finite mismatch always exceeds a budget.");
  sweep_cmd->add_option("--function,-f", sweep.functions, "Catalog ids, comma-separated, or all")
      ->required();
  sweep_cmd
      ->add_option("--backend,-b", sweep.backends,
                   "actcheck, naive, libm, eigen, sleef (comma-separated), or all")
      ->capture_default_str();
  sweep_cmd->add_option("--format", sweep.format, "f32, f16 or bf16")->capture_default_str();
  sweep_cmd->add_option("--pass", sweep.pass, "forward, backward or both")->capture_default_str();
  sweep_cmd->add_option(
      "--inputs", sweep.inputs,
      "exhaustive | sample:N (stratified: every binade of both signs, about N in all; for row "
      "entries the adversarial rows and N random rows) | special (±0, ±inf, NaN, extremes, kinks, "
      "cutoffs, ±1 ULP) | file:PATH (one value, or one comma-separated row, per line; # starts a "
      "comment). Default: exhaustive for f16/bf16, sample:1000000 for f32");
  sweep_cmd->add_option("--param", sweep.params, "name=value, overriding a default (repeatable)");
  sweep_cmd->add_option("--threads", sweep.threads, "Worker threads (default: every core)");
  sweep_cmd
      ->add_option("--shard", sweep.shard,
                   "i/N: measure only the i-th of N equal slices of every input set; "
                   "combine the shards' --json files with `actcheck merge`")
      ->capture_default_str();
  sweep_cmd->add_option("--json", sweep.json,
                        "Write the results as a report (schema actcheck-report/1). Finished "
                        "blocks go to OUT.partial as they complete; rerunning resumes from it");
  sweep_cmd->add_option("--max-ulp", sweep.max_ulp, "Budget for backends other than actcheck");
  sweep_cmd->add_option("--seed", sweep.seed, "Seed of sample:N (default 20261123)");
  sweep_cmd->add_flag("--mpfr-only", sweep.mpfr_only,
                      "Ask MPFR for every input instead of the fast double tier first (the same "
                      "results, much slower: for checking and benchmarking)");

  ReportCommand report;
  CLI::App* report_cmd = app.add_subcommand(
      "report",
      "The accuracy report: every catalog function × every backend × {f16, bf16 exhaustive; f32 "
      "stratified} × forward and backward; vector entries on adversarial and random rows. Writes "
      "DIR/report.json (the record) and DIR/report.md (tables). Finished blocks are kept in "
      "DIR/report.json.partial; rerunning after an interruption resumes.");
  report_cmd->add_option("--out,-o", report.out_dir, "Output directory")->capture_default_str();
  report_cmd->add_option("--function,-f", report.functions, "Catalog ids, comma-separated, or all")
      ->capture_default_str();
  report_cmd->add_option("--backend,-b", report.backends, "Backends, comma-separated, or all")
      ->capture_default_str();
  report_cmd->add_option("--f32-sample", report.f32_sample, "Stratified f32 inputs per function")
      ->capture_default_str();
  report_cmd->add_option("--rows", report.rows, "Random rows per vector entry and format")
      ->capture_default_str();
  report_cmd->add_option("--threads", report.threads, "Worker threads (default: every core)");
  report_cmd->add_option("--shard", report.shard, "i/N: this shard only (see sweep)")
      ->capture_default_str();

  MergeCommand merge;
  CLI::App* merge_cmd = app.add_subcommand(
      "merge", "Combine the --json files of the N shards of one sweep into the whole run's report");
  merge_cmd->add_option("inputs", merge.inputs, "The shards' JSON files")->required();
  merge_cmd->add_option("--json,-o", merge.json, "The merged report")->required();
  merge_cmd->add_option("--markdown", merge.markdown, "Also write the Markdown tables here");

  // properties and gradcheck take the same options.
  const auto add_check_options = [](CLI::App* cmd, PropertiesCommand& o) {
    cmd->add_option("--backend,-b", o.backend,
                    "reference (the exact MPFR values), or one of actcheck, naive, libm, eigen, "
                    "sleef")
        ->capture_default_str();
    cmd->add_option("--format", o.format, "f32, f16 or bf16")->capture_default_str();
    cmd->add_option("--function,-f", o.functions, "Catalog ids, comma-separated, or all")
        ->capture_default_str();
    cmd->add_option("--seed", o.seed, "rapidcheck's seed (a failure prints it)")
        ->capture_default_str();
    cmd->add_option("--count", o.count, "Cases per (check, function)")->capture_default_str();
    cmd->add_option("--budget", o.budget,
                    "ULPs every result of a backend other than actcheck is trusted to (actcheck's "
                    "own kernels are held to the catalog's budgets)")
        ->capture_default_str();
    cmd->add_option("--json", o.json, "Also write every outcome to this JSON file");
  };

  PropertiesCommand props;
  CLI::App* props_cmd = app.add_subcommand(
      "properties",
      "Check identities (tanh = 2*sigmoid(2x) - 1, softplus' = sigmoid, ...), derivative "
      "identities, bounds, monotonicity, limits at +-inf, NaN propagation, the derivative "
      "convention at kinks and softmax-family row invariants, each where the catalog says it "
      "applies. On the reference they hold to its 128-bit enclosures; on a backend, within the "
      "tolerance its ULP budget becomes through each expression. Inputs come from rapidcheck (bit "
      "patterns of the format and special values); a failure is shrunk and printed as hex floats "
      "with the seed. Exit 1 when a property fails.");
  add_check_options(props_cmd, props);

  PropertiesCommand grads;
  grads.gradients = true;
  CLI::App* grads_cmd = app.add_subcommand(
      "gradcheck",
      "Gradient checks: a backend's backward against central differences of its own forward, "
      "within a bound derived from the step, the forward's and backward's budgets and the exact "
      "truncation error (from MPFR); parameter gradients (prelu alpha, swish beta) of the "
      "reference against its own central differences (reference only). The backward against the "
      "exact derivative in ULPs is `actcheck sweep --pass backward`; the convention at kinks is "
      "the properties' kink_convention. Exit 1 when a check fails.");
  add_check_options(grads_cmd, grads);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }

  try {
    if (app.got_subcommand("list")) return run_list(std::cout);
    if (app.got_subcommand("eval")) return run_eval(eval, std::cout);
    if (app.got_subcommand("sweep")) return run_sweep_command(sweep, command_line, std::cout);
    if (app.got_subcommand("report")) return run_report_command(report, command_line, std::cout);
    if (app.got_subcommand("properties")) {
      return run_properties_command(props, command_line, std::cout);
    }
    if (app.got_subcommand("gradcheck")) {
      return run_properties_command(grads, command_line, std::cout);
    }
    if (app.got_subcommand("merge")) return run_merge_command(merge, std::cout);
  } catch (const UsageError& e) {
    std::cerr << "actcheck: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    // A bug of actcheck or of a backend, never the user's: say so, and what was kept.
    std::cerr << "actcheck: internal error: " << e.what()
              << "\n(finished blocks of a sweep with --json, or of a report, are kept in its "
                 ".partial journal)\n";
    return 3;
  }
  return 2;
}

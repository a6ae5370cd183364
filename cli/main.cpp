// actcheck: accuracy and gradient verification of activation functions. See README.md.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/parse.hpp"

int main(int argc, char** argv) {
  using namespace actcheck::cli;
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
  } catch (const UsageError& e) {
    std::cerr << "actcheck: " << e.what() << "\n";
    return 2;
  }
  return 2;
}

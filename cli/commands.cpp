#include "cli/commands.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <mpfr.h>

#include <cmath>
#include <functional>
#include <ostream>

#include "catalog/catalog.hpp"
#include "catalog/format.hpp"
#include "cli/parse.hpp"
#include "engine/bits.hpp"
#include "reference/reference.hpp"
#include "reference/rounding.hpp"
#include "reference/vector.hpp"

namespace actcheck::cli {
namespace {

constexpr int kExactDigits = 40;

// Enough significant decimal digits to tell any two values of `format` apart.
int decimal_digits(Format format) {
  switch (format) {
    case Format::kF64:
      return 17;
    case Format::kF32:
      return 9;
    case Format::kF16:
      return 5;
    case Format::kBF16:
      return 4;
  }
  return 17;
}

std::string params_text(const Activation& a, const Params& p) {
  std::string s;
  for (std::size_t i = 0; i < a.params.size(); ++i) {
    s += fmt::format("{}{}={}", s.empty() ? "" : ", ", a.params[i].name, p[i]);
  }
  return s;
}

// An enclosure narrow enough to print kExactDigits correct digits, raising the precision as the
// Ziv loop does: 40 digits need a relative width below 10^-41 ≈ 2^-137.
std::string exact_text(const std::function<reference::MpfrInterval(mpfr_prec_t)>& enclose) {
  for (mpfr_prec_t bits = 192; bits <= reference::kMaxWorkingBits; bits *= 2) {
    reference::MpfrInterval e = enclose(bits);
    bool narrow = e.is_point() || e.has_nan();
    if (!narrow) {
      mpfr_t width;
      mpfr_init2(width, 64);
      mpfr_sub(width, e.hi(), e.lo(), MPFR_RNDU);
      narrow = mpfr_zero_p(e.lo()) && mpfr_zero_p(e.hi());
      if (!narrow && !mpfr_zero_p(e.lo())) {
        mpfr_div(width, width, e.lo(), MPFR_RNDU);
        mpfr_abs(width, width, MPFR_RNDU);
        narrow = mpfr_cmp_ui_2exp(width, 1, -140) < 0;  // |width/lo| < 2^-140
      }
      mpfr_clear(width);
    }
    if (!narrow) continue;
    reference::Real mid = reference::midpoint(e, static_cast<unsigned>(bits));
    char* text = nullptr;
    mpfr_asprintf(&text, "%.*Rg", kExactDigits, mid.backend().data());
    std::string s(text);
    mpfr_free_str(text);
    return s;
  }
  return "(not narrowed to 40 digits)";
}

std::string rounded_text(double v, Format format) {
  const auto bits = engine::to_bits(v, format);
  const int hex_digits = spec(format).storage_bits / 4;
  return fmt::format("{:<24} {:<{}.{}g} bits 0x{:0{}x}", fmt::format("{:a}", v), v,
                     decimal_digits(format) + 8, decimal_digits(format), bits, hex_digits);
}

void print_elementwise(const Activation& a, const Params& p, double x, Format format,
                       std::ostream& out) {
  using reference::Quantity;
  for (Quantity q : {Quantity::kValue, Quantity::kDerivative, Quantity::kParamDerivative}) {
    if (!reference::has_quantity(a.id, q)) continue;
    std::string label(reference::to_string(q));
    if (q == Quantity::kParamDerivative) {
      label = fmt::format("d/d{}", a.params[static_cast<std::size_t>(a.learnable_param)].name);
    }
    const std::string exact =
        exact_text([&](mpfr_prec_t bits) { return reference::enclose(a.id, q, x, p, bits); });
    const double r = reference::correctly_rounded(a.id, q, x, p, format);
    fmt::print(out, "{:<12} exact  {}\n", label, exact);
    fmt::print(out, "{:<12} {:<6} {}\n", "", spec(format).name, rounded_text(r, format));
  }
}

void print_row(const Activation& a, const Params& p, const Eigen::VectorXd& x,
               const Eigen::VectorXd& grad, Format format, std::ostream& out) {
  using reference::Quantity;
  for (Quantity q : {Quantity::kValue, Quantity::kDerivative}) {
    const Eigen::VectorXd rounded = reference::correctly_rounded_row(a.id, q, x, grad, p, format);
    const auto bits = static_cast<unsigned>(4 * kExactDigits);
    const reference::RealVector exact = reference::evaluate_row(a.id, q, x, grad, p, bits);
    fmt::print(out, "{}\n", q == Quantity::kValue ? "value" : "vjp (J^T grad)");
    for (Eigen::Index i = 0; i < rounded.size(); ++i) {
      char* text = nullptr;
      mpfr_asprintf(&text, "%.*Rg", kExactDigits, exact[i].backend().data());
      fmt::print(out, "  [{}] exact  {}\n", i, text);
      mpfr_free_str(text);
      fmt::print(out, "  [{}] {:<6} {}\n", i, spec(format).name, rounded_text(rounded[i], format));
    }
  }
}

}  // namespace

int run_list(std::ostream& out) {
  fmt::print(out, "{:<17} {:<12} {:<34} {}\n", "id", "kind", "parameters (defaults)", "definition");
  for (const Activation& a : kCatalog) {
    const std::string params = params_text(a, default_params(a.id));
    fmt::print(out, "{:<17} {:<12} {:<34} {}\n", a.name, to_string(a.kind),
               params.empty() ? "-" : params, a.definition);
  }
  return 0;
}

int run_eval(const EvalOptions& options, std::ostream& out) {
  const Activation& a = parse_function(options.function);
  const std::optional<Format> format = parse_format(options.format);
  if (!format) {
    throw UsageError(fmt::format("--format: unknown format \"{}\" (known: f64, f32, f16, bf16)",
                                 options.format));
  }
  const Params p = parse_params(a.id, options.params);
  const std::string params = params_text(a, p);

  if (!is_elementwise(a.kind)) {
    const Eigen::VectorXd given = parse_row(options.x, "--x");
    const Eigen::VectorXd x =
        given.unaryExpr([&](double v) { return reference::round_to_format(v, *format); });
    Eigen::Index out_length;
    try {
      out_length = reference::output_length(a.id, x.size(), p);
    } catch (const std::invalid_argument& e) {
      throw UsageError(fmt::format("--x: {}", e.what()));
    }
    Eigen::VectorXd grad = Eigen::VectorXd::Ones(out_length);
    if (!options.grad.empty()) grad = parse_row(options.grad, "--grad");
    if (grad.size() != out_length) {
      throw UsageError(
          fmt::format("--grad: {} elements given, the output row has {}", grad.size(), out_length));
    }
    fmt::print(out, "{}{}, {}, row of {}\n", a.name, params.empty() ? "" : "(" + params + ")",
               spec(*format).name, x.size());
    for (Eigen::Index i = 0; i < x.size(); ++i) {
      if (!reference::same_bits(x[i], given[i])) {
        fmt::print(out, "note: element {} ({}) is not a {} value; using the nearest, {:a}\n", i + 1,
                   given[i], spec(*format).name, x[i]);
      }
    }
    print_row(a, p, x, grad, *format, out);
    return 0;
  }

  if (!options.grad.empty()) {
    throw UsageError(
        fmt::format("--grad: {} is elementwise; --grad is for vector entries", a.name));
  }
  const double given = parse_number(options.x, "--x");
  const double x = reference::round_to_format(given, *format);
  fmt::print(out, "{}{}, {}, x = {:a} ({:.{}g})\n", a.name,
             params.empty() ? "" : "(" + params + ")", spec(*format).name, x, x,
             decimal_digits(*format));
  if (!reference::same_bits(x, given)) {
    fmt::print(out, "note: {} is not a {} value; evaluating at the nearest one\n", options.x,
               spec(*format).name);
  }
  print_elementwise(a, p, x, *format, out);
  return 0;
}

}  // namespace actcheck::cli

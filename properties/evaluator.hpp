// Where a property gets f(x), f′(x) and rows from: the exact reference (MPFR) or a backend in a
// format, each result an Approx with the error bound that source guarantees. Property bodies are
// templates over the evaluator, so one definition serves both.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "backends/backend.hpp"
#include "catalog/catalog.hpp"
#include "catalog/format.hpp"
#include "properties/approx.hpp"

namespace actcheck::properties {

// The reference: enclosures at 128 bits of working precision, carried as 160-bit mpfr_floats
// (their midpoints); the error bound is the enclosure's half width plus the midpoint's rounding.
// Inputs are values of the format, as a backend would see them.
class ReferenceEvaluator {
 public:
  using Number = Real;
  static constexpr unsigned kWorkingBits = 128;

  explicit ReferenceEvaluator(Format format) : format_(format) {}
  Format format() const { return format_; }
  std::string name() const { return "reference"; }
  bool supports(Fn) const { return true; }

  Approx<Real> value(Fn fn, double x, const Params& p) const;
  Approx<Real> derivative(Fn fn, double x, const Params& p) const;
  Approx<Real> value(Fn fn, double x) const { return value(fn, x, default_params(fn)); }
  Approx<Real> derivative(Fn fn, double x) const { return derivative(fn, x, default_params(fn)); }
  // ∂f/∂param for the catalog's learnable parameter (backends have no such pass).
  Approx<Real> param_gradient(Fn fn, double x, const Params& p) const;
  // A row's outputs (dy empty) or its vector-Jacobian product Jᵀdy, at the default parameters.
  std::vector<Approx<Real>> row(Fn fn, std::span<const double> x,
                                std::span<const double> dy = {}) const;

 private:
  Format format_;
};

// A backend in a format, trusted to a budget of B ULPs: each result y is within B·ulp(v) of the
// exact v, so the bound is B·2·ulp(y). The factor 2: v may lie one binade above y (y just below a
// power of two), where its ulp is twice y's; it cannot lie further while B < 2^(p−2). A NaN or an
// infinite y stays as it is, and every comparison with it fails (agrees() in approx.hpp), which
// is how a backend that produces them is caught.
class BackendEvaluator {
 public:
  using Number = double;

  BackendEvaluator(const backends::Backend& backend, Format format, double budget_ulps)
      : backend_(&backend), format_(format), budget_(budget_ulps) {}
  Format format() const { return format_; }
  std::string name() const { return std::string(backend_->name()); }
  double budget() const { return budget_; }
  bool supports(Fn fn) const;

  Approx<double> value(Fn fn, double x, const Params& p) const;
  Approx<double> derivative(Fn fn, double x, const Params& p) const;
  Approx<double> value(Fn fn, double x) const { return value(fn, x, default_params(fn)); }
  Approx<double> derivative(Fn fn, double x) const { return derivative(fn, x, default_params(fn)); }
  std::vector<Approx<double>> row(Fn fn, std::span<const double> x,
                                  std::span<const double> dy = {}) const;

 private:
  Approx<double> bounded(double y) const;

  const backends::Backend* backend_;
  Format format_;
  double budget_;
};

// The budget a backend is trusted to by default: the catalog's for actcheck's own kernels, else
// `fallback` ULPs (the command's --budget).
double default_budget(const backends::Backend& backend, Fn fn, Format format, double fallback);

}  // namespace actcheck::properties

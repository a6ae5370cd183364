#include "properties/evaluator.hpp"

#include <cmath>

#include "engine/ulp.hpp"
#include "reference/vector.hpp"

namespace actcheck::properties {
namespace {

using reference::MpfrInterval;
using reference::Quantity;
using RealC = Carrier<Real>;

// The midpoint of the enclosure, and its half width plus the midpoint's own rounding.
Approx<Real> from_enclosure(const MpfrInterval& e) {
  Approx<Real> a{reference::midpoint(e, RealC::kBits), RealC::from(0)};
  if (e.is_point()) return a;
  Real width = RealC::make();
  mpfr_sub(width.backend().data(), e.hi(), e.lo(), MPFR_RNDU);
  mpfr_div_2ui(width.backend().data(), width.backend().data(), 1, MPFR_RNDU);
  a.error = RealC::add_up(width, RealC::rounding(a.value));
  return a;
}

}  // namespace

namespace {

// At ±inf the reference returns the catalog's limit, a double (selu's −λα): a point enclosure,
// but exact only to the double's rounding, which is added to the bound. The tails property checks
// those doubles; the monotone property found selu's one ULP off (-1.7580993408473766).
Approx<Real> with_limit_rounding(Approx<Real> a, double x) {
  if (!std::isinf(x)) return a;
  const double v = RealC::to_double(a.value);
  if (std::isfinite(v)) a.error = RealC::add_up(a.error, RealC::from(Carrier<double>::rounding(v)));
  return a;
}

}  // namespace

Approx<Real> ReferenceEvaluator::value(Fn fn, double x, const Params& p) const {
  return with_limit_rounding(
      from_enclosure(reference::enclose(fn, Quantity::kValue, x, p, kWorkingBits)), x);
}

Approx<Real> ReferenceEvaluator::derivative(Fn fn, double x, const Params& p) const {
  return with_limit_rounding(
      from_enclosure(reference::enclose(fn, Quantity::kDerivative, x, p, kWorkingBits)), x);
}

Approx<Real> ReferenceEvaluator::param_gradient(Fn fn, double x, const Params& p) const {
  return from_enclosure(reference::enclose(fn, Quantity::kParamDerivative, x, p, kWorkingBits));
}

std::vector<Approx<Real>> ReferenceEvaluator::row(Fn fn, std::span<const double> x,
                                                  std::span<const double> dy) const {
  const Eigen::VectorXd xv = Eigen::Map<const Eigen::VectorXd>(x.data(), std::ssize(x));
  const Eigen::VectorXd dyv = Eigen::Map<const Eigen::VectorXd>(dy.data(), std::ssize(dy));
  const std::vector<MpfrInterval> e =
      reference::enclose_row(fn, dy.empty() ? Quantity::kValue : Quantity::kDerivative, xv, dyv,
                             default_params(fn), kWorkingBits);
  std::vector<Approx<Real>> out;
  for (const MpfrInterval& i : e) out.push_back(from_enclosure(i));
  return out;
}

bool BackendEvaluator::supports(Fn fn) const {
  return backend_->supports(fn, format_, backends::Pass::kForward) &&
         backend_->supports(fn, format_, backends::Pass::kBackward);
}

Approx<double> BackendEvaluator::bounded(double y) const {
  if (!std::isfinite(y)) return {y, 0};
  return {y, Carrier<double>::mul_up(2 * budget_, engine::ulp(y, format_))};
}

Approx<double> BackendEvaluator::value(Fn fn, double x, const Params& p) const {
  double y = 0;
  backend_->evaluate({fn, p, format_, backends::Pass::kForward, 1}, {&x, 1}, {}, {&y, 1});
  return bounded(y);
}

Approx<double> BackendEvaluator::derivative(Fn fn, double x, const Params& p) const {
  const double dy = 1;
  double dx = 0;
  backend_->evaluate({fn, p, format_, backends::Pass::kBackward, 1}, {&x, 1}, {&dy, 1}, {&dx, 1});
  return bounded(dx);
}

std::vector<Approx<double>> BackendEvaluator::row(Fn fn, std::span<const double> x,
                                                  std::span<const double> dy) const {
  const Params p = default_params(fn);
  const bool forward = dy.empty();
  std::vector<double> out(
      forward ? static_cast<std::size_t>(reference::output_length(fn, std::ssize(x), p))
              : x.size());
  backend_->evaluate(
      {fn, p, format_, forward ? backends::Pass::kForward : backends::Pass::kBackward, x.size()}, x,
      dy, out);
  std::vector<Approx<double>> result;
  for (double y : out) result.push_back(bounded(y));
  return result;
}

double default_budget(const backends::Backend& backend, Fn fn, Format format, double fallback) {
  return backend.name() == "actcheck" ? activation(fn).budget.of(format) : fallback;
}

}  // namespace actcheck::properties

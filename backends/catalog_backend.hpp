// What the backends built from a per-entry template (naive, eigen) share: the check of a batch's
// shape, and the Backend class that dispatches each catalog id to its instance. A backend gives
// `Impl` with kName, kDescription, `template <Fn> static constexpr bool kImplemented` and
// `template <Fn> static void evaluate(problem, x, dy, out)`.
#pragma once

#include <span>
#include <stdexcept>
#include <string>

#include "backends/backend.hpp"
#include "impl/kernels.hpp"

namespace actcheck::backends {

// A batch of whole rows: `count` rows of n inputs and m outputs.
struct RowShape {
  std::size_t n, m, count;
};

// The rows of a batch, after checking that x, dy and out hold whole rows of one count. S is
// double for the engine's batches, float for a backend's float32 row function.
template <class S>
RowShape row_shape(std::string_view backend, const Problem& problem, std::span<const S> x,
                   std::span<const S> dy, std::span<S> out) {
  const bool forward = problem.pass == Pass::kForward;
  const std::size_t n = problem.row_length;
  const std::size_t m = impl::output_length(problem.fn, n, problem.params);
  const std::size_t count = x.size() / n;
  if (x.size() != count * n || out.size() != count * (forward ? m : n) ||
      (!forward && dy.size() != count * m)) {
    throw std::invalid_argument(std::string(backend) +
                                ": x, dy and out are not whole rows of the same count");
  }
  return {n, m, count};
}

// The same for an elementwise batch: x, out (and dy, backward) of one length.
template <class S>
void check_elementwise_shape(std::string_view backend, const Problem& problem, std::span<const S> x,
                             std::span<const S> dy, std::span<S> out) {
  if (out.size() != x.size() || (problem.pass != Pass::kForward && dy.size() != x.size())) {
    throw std::invalid_argument(std::string(backend) + ": x, dy and out must have the same length");
  }
}

template <class Impl>
class CatalogBackend final : public Backend {
 public:
  std::string_view name() const override { return Impl::kName; }
  std::string_view description() const override { return Impl::kDescription; }
  bool supports(Fn fn, Format format, Pass) const override {
    return format != Format::kF64 && kSupported[static_cast<std::size_t>(fn)];
  }
  void evaluate(const Problem& problem, std::span<const double> x, std::span<const double> dy,
                std::span<double> out) const override {
    if (!supports(problem.fn, problem.format, problem.pass)) {
      throw std::invalid_argument(std::string(Impl::kName) + ": unsupported function or format");
    }
    switch (problem.fn) {
#define ACTCHECK_ACTIVATION(id, ...) \
  case Fn::id:                       \
    return Impl::template evaluate<Fn::id>(problem, x, dy, out);
#include "catalog/activations.inc"
#undef ACTCHECK_ACTIVATION
    }
  }

 private:
  static constexpr bool kSupported[] = {
#define ACTCHECK_ACTIVATION(id, ...) Impl::template kImplemented<Fn::id>,
#include "catalog/activations.inc"
#undef ACTCHECK_ACTIVATION
  };
};

}  // namespace actcheck::backends

// The adapter the float32 backends share (actcheck, libm, sleef). The engine's double-carried
// inputs become floats (exactly: they are values of the problem's format), a float32 row function
// computes, and each result is rounded once into the problem's format (float16 and bfloat16 are
// computed in float32, as impl/storage.hpp says) and carried back as a double. A backend is then a
// row function and a line of description.
#pragma once

#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "backends/backend.hpp"
#include "impl/kernels.hpp"
#include "impl/storage.hpp"

namespace actcheck::backends {

// A float32 row function with impl::evaluate<float>'s contract.
using FloatRows = void (*)(Fn, const Params&, impl::Direction, std::size_t, std::span<const float>,
                           std::span<const float>, std::span<float>);

class FloatBackend final : public Backend {
 public:
  FloatBackend(std::string name, std::string description, FloatRows rows)
      : name_(std::move(name)), description_(std::move(description)), rows_(rows) {}

  std::string_view name() const override { return name_; }
  std::string_view description() const override { return description_; }

  // Every catalog entry, both passes, in the formats float32 holds; float64 would need float64
  // compositions, which these backends do not have.
  bool supports(Fn, Format format, Pass) const override { return format != Format::kF64; }

  // Throws std::invalid_argument for an unsupported format and for spans that do not fit the rows.
  // Uses only its own buffers, so several threads may call it at once.
  void evaluate(const Problem& problem, std::span<const double> x, std::span<const double> dy,
                std::span<double> out) const override {
    if (!supports(problem.fn, problem.format, problem.pass)) {
      throw std::invalid_argument(name_ + " computes in float32 and does not support " +
                                  std::string(spec(problem.format).name));
    }
    const std::vector<float> xf(x.begin(), x.end());
    const std::vector<float> dyf(dy.begin(), dy.end());
    std::vector<float> result(out.size());
    rows_(problem.fn, problem.params,
          problem.pass == Pass::kForward ? impl::Direction::kForward : impl::Direction::kBackward,
          problem.row_length, xf, dyf, result);
    for (std::size_t i = 0; i < out.size(); ++i) {
      out[i] = impl::round_to_storage(result[i], problem.format);
    }
  }

 private:
  std::string name_;
  std::string description_;
  FloatRows rows_;
};

}  // namespace actcheck::backends

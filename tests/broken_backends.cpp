#include "broken_backends.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "backends/registry.hpp"

namespace actcheck::testing {
namespace {

using backends::Pass;
using backends::Problem;

// A row function in float: x and dy in, out out (forward: dy empty).
using Rows =
    std::function<void(std::span<const float> x, std::span<const float> dy, std::span<float> out)>;

class OneWrongFormula final : public backends::Backend {
 public:
  OneWrongFormula(std::string name, Fn fn, Pass pass, Rows rows)
      : name_(std::move(name)), fn_(fn), pass_(pass), rows_(std::move(rows)) {}

  std::string_view name() const override { return name_; }
  std::string_view description() const override { return "libm with one deliberate bug"; }
  bool supports(Fn fn, Format format, Pass pass) const override {
    return format == Format::kF32 && backends::libm_backend().supports(fn, format, pass);
  }
  void evaluate(const Problem& problem, std::span<const double> x, std::span<const double> dy,
                std::span<double> out) const override {
    if (problem.fn != fn_ || problem.pass != pass_) {
      backends::libm_backend().evaluate(problem, x, dy, out);
      return;
    }
    const std::vector<float> xf(x.begin(), x.end()), dyf(dy.begin(), dy.end());
    std::vector<float> result(out.size());
    const std::size_t n = problem.row_length;
    const std::size_t m = out.size() / (x.size() / n);
    for (std::size_t r = 0; r * n < x.size(); ++r) {
      rows_(std::span(xf).subspan(r * n, n),
            dyf.empty() ? std::span<const float>() : std::span<const float>(dyf).subspan(r * m, m),
            std::span(result).subspan(r * m, m));
    }
    std::copy(result.begin(), result.end(), out.begin());
  }

 private:
  std::string name_;
  Fn fn_;
  Pass pass_;
  Rows rows_;
};

// An elementwise formula: forward f(x), or backward dy·g(x).
Rows elementwise(float (*formula)(float)) {
  return [formula](std::span<const float> x, std::span<const float> dy, std::span<float> out) {
    for (std::size_t i = 0; i < x.size(); ++i) {
      out[i] = dy.empty() ? formula(x[i]) : dy[i] * formula(x[i]);
    }
  };
}

float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

const OneWrongFormula kSigmoidPlus("sigmoid_prime_plus", Fn::sigmoid, Pass::kBackward,
                                   elementwise([](float x) {
                                     const float s = sigmoid(x);
                                     return s * (1.0f + s);
                                   }));
const OneWrongFormula kSoftplusOverflow("softplus_overflow", Fn::softplus, Pass::kForward,
                                        elementwise([](float x) {
                                          return std::log(1.0f + std::exp(x));
                                        }));
const OneWrongFormula kSoftmaxNoMax("softmax_no_max", Fn::softmax, Pass::kForward,
                                    [](std::span<const float> x, std::span<const float>,
                                       std::span<float> out) {
                                      float sum = 0;
                                      for (float v : x) sum += std::exp(v);
                                      for (std::size_t i = 0; i < x.size(); ++i) {
                                        out[i] = std::exp(x[i]) / sum;
                                      }
                                    });
const OneWrongFormula kTanhExpRatio("tanh_exp_ratio", Fn::tanh, Pass::kForward,
                                    elementwise([](float x) {
                                      return (std::exp(x) - std::exp(-x)) /
                                             (std::exp(x) + std::exp(-x));
                                    }));
const OneWrongFormula kEluBackwardForgetsAlpha("elu_backward_forgets_alpha", Fn::elu,
                                               Pass::kBackward, elementwise([](float x) {
                                                 return x > 0 ? 1.0f : std::expm1(x);
                                               }));
const OneWrongFormula kTanhBackwardSignFlip("tanh_backward_sign_flip", Fn::tanh, Pass::kBackward,
                                            elementwise([](float x) {
                                              const float t = std::tanh(x);
                                              const float d = 1.0f - t * t;
                                              return x >= 0.75f && x <= 0.75f + 0x1p-6f ? -d : d;
                                            }));
const OneWrongFormula kReluPrimeAtZero("relu_prime_at_zero_is_one", Fn::relu, Pass::kBackward,
                                       elementwise([](float x) { return x >= 0 ? 1.0f : 0.0f; }));

const BrokenBackend kBroken[] = {
    {&kSigmoidPlus, Fn::sigmoid, Pass::kBackward},
    {&kSoftplusOverflow, Fn::softplus, Pass::kForward},
    {&kSoftmaxNoMax, Fn::softmax, Pass::kForward},
    {&kTanhExpRatio, Fn::tanh, Pass::kForward},
    {&kEluBackwardForgetsAlpha, Fn::elu, Pass::kBackward},
    {&kTanhBackwardSignFlip, Fn::tanh, Pass::kBackward},
    {&kReluPrimeAtZero, Fn::relu, Pass::kBackward},
};

}  // namespace

std::span<const BrokenBackend> broken_backends() { return kBroken; }

}  // namespace actcheck::testing

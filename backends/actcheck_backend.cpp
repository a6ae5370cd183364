// actcheck's own kernels (impl/kernels.hpp), run in the problem's own storage format: float16 and
// bfloat16 inputs go to the float16 and bfloat16 kernels, which round once from double, not
// through float32.
#include <stdexcept>
#include <string>
#include <vector>

#include "backends/registry.hpp"
#include "impl/kernels.hpp"

namespace actcheck::backends {

namespace {

template <class T>
void evaluate_as(const Problem& problem, std::span<const double> x, std::span<const double> dy,
                 std::span<double> out) {
  // x and dy hold values of T: the conversions are exact.
  std::vector<T> xt(x.size()), dyt(dy.size()), result(out.size());
  for (std::size_t i = 0; i < x.size(); ++i) xt[i] = impl::from_float<T>(static_cast<float>(x[i]));
  for (std::size_t i = 0; i < dy.size(); ++i)
    dyt[i] = impl::from_float<T>(static_cast<float>(dy[i]));
  impl::evaluate<T>(
      problem.fn, problem.params,
      problem.pass == Pass::kForward ? impl::Direction::kForward : impl::Direction::kBackward,
      problem.row_length, xt, dyt, result);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = impl::to_double(result[i]);
}

class KernelBackend final : public Backend {
 public:
  KernelBackend()
      : description_(
            "actcheck impl/: in double, rounded once to the format (float32 of sigmoid, tanh, "
            "silu, softsign and others: in float pairs, within 1 ULP), " +
            std::string(impl::to_string(impl::active_isa())) + " loops") {}

  std::string_view name() const override { return "actcheck"; }
  std::string_view description() const override { return description_; }
  bool supports(Fn, Format format, Pass) const override { return format != Format::kF64; }

  void evaluate(const Problem& problem, std::span<const double> x, std::span<const double> dy,
                std::span<double> out) const override {
    switch (problem.format) {
      case Format::kF32:
        return evaluate_as<float>(problem, x, dy, out);
      case Format::kF16:
        return evaluate_as<impl::Float16>(problem, x, dy, out);
      case Format::kBF16:
        return evaluate_as<impl::BFloat16>(problem, x, dy, out);
      default:
        throw std::invalid_argument("actcheck's kernels store float32, float16 and bfloat16 only");
    }
  }

 private:
  std::string description_;
};

}  // namespace

const Backend& actcheck_backend() {
  static const KernelBackend backend;
  return backend;
}

}  // namespace actcheck::backends

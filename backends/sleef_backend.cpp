// Placeholder: supports nothing yet.
#include "backends/registry.hpp"

namespace actcheck::backends {
namespace {

class Placeholder final : public Backend {
 public:
  std::string_view name() const override { return "sleef"; }
  std::string_view description() const override { return "not implemented yet"; }
  bool supports(Fn, Format, Pass) const override { return false; }
  void evaluate(const Problem&, std::span<const double>, std::span<const double>,
                std::span<double>) const override {}
};

}  // namespace

const Backend& sleef_backend() {
  static const Placeholder backend;
  return backend;
}

}  // namespace actcheck::backends

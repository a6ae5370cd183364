#include "backends/registry.hpp"

#include <array>

namespace actcheck::backends {

std::string_view to_string(Pass pass) { return pass == Pass::kForward ? "forward" : "backward"; }

std::optional<Pass> parse_pass(std::string_view name) {
  if (name == "forward") return Pass::kForward;
  if (name == "backward") return Pass::kBackward;
  return std::nullopt;
}

std::span<const Backend* const> builtin_backends() {
  static const std::array<const Backend*, 5> all = {
      &actcheck_backend(), &naive_backend(), &libm_backend(), &eigen_backend(), &sleef_backend()};
  return all;
}

const Backend* find_backend(std::string_view name) {
  for (const Backend* b : builtin_backends()) {
    if (b->name() == name) return b;
  }
  return nullptr;
}

}  // namespace actcheck::backends

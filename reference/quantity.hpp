// What the reference computes of an elementwise entry, and what it answers.
#pragma once

#include <cstdint>
#include <string_view>

namespace actcheck::reference {

enum class Quantity : std::uint8_t {
  kValue,            // f(x)
  kDerivative,       // f′(x), with autograd's convention at kinks
  kParamDerivative,  // ∂f/∂param for the catalog's learnable parameter (prelu α, swish β)
};
std::string_view to_string(Quantity q);

struct Exact {
  double rounded;  // correctly rounded into the format
  double approx;   // rounded to measuring_grid(format)
};

}  // namespace actcheck::reference

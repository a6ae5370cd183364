// Gradient checks (the design's "Gradient checks"), in the registry shape of properties.hpp so
// that the same runner, output and seeds serve them. The backward pass against the exact
// derivative in ULPs is the engine's job: `actcheck sweep --pass backward`. Here:
//  - central_difference: a backend's backward against central differences of its own forward;
//  - param_gradient: the reference's ∂f/∂param (prelu α, swish β) against central differences of
//    the reference in the parameter.
// The derivative convention at kinks is the kink_convention property (properties.hpp).
#pragma once

#include <span>

#include "properties/properties.hpp"

namespace actcheck::properties {

std::span<const Property> gradient_checks();

}  // namespace actcheck::properties

// Deliberately broken backends: glibc's compositions (the libm backend) everywhere except one
// (function, pass), which a textbook or plain wrong formula computes in float. Each is a bug a
// property or gradient check must catch (broken_backends_test.cpp).
#pragma once

#include <ostream>
#include <span>

#include "backends/backend.hpp"

namespace actcheck::testing {

struct BrokenBackend {
  const backends::Backend* backend;
  Fn fn;                // the function it gets wrong
  backends::Pass pass;  // in this pass
};

// GoogleTest prints parameters with this: the backend's name instead of raw bytes.
inline void PrintTo(const BrokenBackend& b, std::ostream* os) { *os << b.backend->name(); }

// σ′ = σ(1+σ); softplus = log(1+eˣ) (inf from x ≈ 88.7); softmax without the max subtraction;
// tanh = (eˣ−e⁻ˣ)/(eˣ+e⁻ˣ) (NaN from x ≈ 89); elu′ = f for x ≤ 0 (forgets + α); tanh′ of the
// wrong sign on [0.75, 0.75 + 2^-6]; relu′(0) = 1 (autograd's convention is 0).
std::span<const BrokenBackend> broken_backends();

}  // namespace actcheck::testing

// The built-in backends, in the order reports show them.
#pragma once

#include <span>
#include <string_view>

#include "backends/backend.hpp"

namespace actcheck::backends {

// Each adapter's one instance (defined in its own file).
const Backend& actcheck_backend();  // impl/: our kernels
const Backend& naive_backend();     // the seeds' textbook formulas, evaluated in the format
const Backend& libm_backend();      // glibc's float functions, composed sensibly
const Backend& eigen_backend();     // Eigen 3.4 array expressions
const Backend& sleef_backend();     // SLEEF 3.5 u10 functions, composed as libm's are

std::span<const Backend* const> builtin_backends();

// The built-in backend called `name`, or nullptr.
const Backend* find_backend(std::string_view name);

}  // namespace actcheck::backends

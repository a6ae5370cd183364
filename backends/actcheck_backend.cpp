// actcheck's own kernels (impl/scalar.hpp).
#include <gnu/libc-version.h>

#include "backends/float_adapter.hpp"
#include "backends/registry.hpp"
#include "impl/scalar.hpp"

namespace actcheck::backends {

const Backend& actcheck_backend() {
  static const FloatBackend backend(
      "actcheck",
      std::string("actcheck impl/: for now the float32 compositions of impl/compositions.hpp over "
                  "glibc ") +
          gnu_get_libc_version() + "'s float functions, as libm (SIMD kernels to come)",
      &impl::evaluate_rows);
  return backend;
}

}  // namespace actcheck::backends

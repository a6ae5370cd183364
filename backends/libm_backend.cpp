// glibc's float functions in the float32 compositions of impl/compositions.hpp.
#include <gnu/libc-version.h>

#include "backends/float_adapter.hpp"
#include "backends/registry.hpp"
#include "impl/compositions.hpp"

namespace actcheck::backends {

const Backend& libm_backend() {
  static const FloatBackend backend(
      "libm",
      std::string("glibc ") + gnu_get_libc_version() +
          " float functions (expf, expm1f, logf, log1pf, tanhf, erff, erfcf) in the float32 "
          "compositions of impl/compositions.hpp",
      &impl::evaluate_composed<impl::StdMath>);
  return backend;
}

}  // namespace actcheck::backends

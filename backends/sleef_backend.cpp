// SLEEF's scalar float functions in the float32 compositions of impl/compositions.hpp.
#include <sleef.h>

#include "backends/float_adapter.hpp"
#include "backends/float_rows.hpp"
#include "backends/registry.hpp"
#include "impl/compositions.hpp"

namespace actcheck::backends {
namespace {

// SLEEF's 1.0-ULP functions; its erfc exists only with a 1.5-ULP bound.
struct SleefMath {
  static float exp(float x) { return Sleef_expf_u10(x); }
  static float expm1(float x) { return Sleef_expm1f_u10(x); }
  static float log(float x) { return Sleef_logf_u10(x); }
  static float log1p(float x) { return Sleef_log1pf_u10(x); }
  static float tanh(float x) { return Sleef_tanhf_u10(x); }
  static float erf(float x) { return Sleef_erff_u10(x); }
  static float erfc(float x) { return Sleef_erfcf_u15(x); }
};

}  // namespace

const Backend& sleef_backend() {
  static const FloatBackend backend(
      "sleef",
      "SLEEF " + std::to_string(SLEEF_VERSION_MAJOR) + "." + std::to_string(SLEEF_VERSION_MINOR) +
          "." + std::to_string(SLEEF_VERSION_PATCHLEVEL) +
          " scalar float functions, u10 (erfc u15), in the float32 compositions of "
          "impl/compositions.hpp, as libm's",
      &sleef_rows_f32);
  return backend;
}

void sleef_rows_f32(Fn fn, const Params& params, impl::Direction direction, std::size_t row_length,
                    std::span<const float> x, std::span<const float> dy, std::span<float> out) {
  impl::evaluate_composed<SleefMath>(fn, params, direction, row_length, x, dy, out);
}

}  // namespace actcheck::backends

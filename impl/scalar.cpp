// actcheck's kernels for now: the compositions with glibc's float functions (see scalar.hpp).
#include "impl/scalar.hpp"

#include "impl/compositions.hpp"

namespace actcheck::impl {

std::size_t output_length(Fn fn, std::size_t row_length, const Params& params) {
  return composed_output_length(fn, row_length, params);
}

void evaluate_rows(Fn fn, const Params& params, Direction direction, std::size_t row_length,
                   std::span<const float> x, std::span<const float> dy, std::span<float> out) {
  evaluate_composed<StdMath>(fn, params, direction, row_length, x, dy, out);
}

}  // namespace actcheck::impl

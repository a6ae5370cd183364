// The budget a test trusts a backend to: the largest error the engine measures on it over a
// stratified sample, times 2 for inputs the sample missed (a property draws other inputs than the
// sweep does), and at least 1 ULP. Elementwise entries: forward and backward; row entries: the
// forward pass, the only one the row properties evaluate (softmax's backward loses the dominant
// element to cancellation in the float32 compositions: 1.6e7 ULP for libm and sleef).
#pragma once

#include <algorithm>
#include <cmath>

#include "engine/sweep.hpp"

namespace actcheck::testing {

inline double measured_budget(const backends::Backend& backend, Fn fn, Format format) {
  const bool rows = !is_elementwise(activation(fn).kind);
  double worst = 0;
  for (backends::Pass pass : {backends::Pass::kForward, backends::Pass::kBackward}) {
    if (rows && pass == backends::Pass::kBackward) continue;
    const engine::Job job{fn, default_params(fn), format, pass,
                          engine::parse_input_spec(rows ? "sample:100" : "sample:20000")};
    worst = std::max(worst,
                     engine::measure_job(job, backend, reference::Tier::kFastThenMpfr).max_ulp());
  }
  return std::max(1.0, 2 * worst);
}

}  // namespace actcheck::testing

// Dispatch: the instruction set's table for the elementwise entries; the vector and gated entries
// for now run the float32 compositions of compositions.hpp (float16 and bfloat16 rows through a
// float32 copy).
#include "impl/kernels.hpp"

#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

#include "impl/compositions.hpp"
#include "impl/kernels/table.hpp"

namespace actcheck::impl {

namespace {

bool cpu_has_avx512() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw");
}
bool cpu_has_avx2() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }

Isa best_isa() {
  return cpu_has_avx512() ? Isa::kAvx512 : cpu_has_avx2() ? Isa::kAvx2 : Isa::kPortable;
}

std::atomic<Isa>& active() {
  static std::atomic<Isa> isa{best_isa()};
  return isa;
}

const kernels::IsaLoops& loops(Isa isa) {
  switch (isa) {
    case Isa::kAvx512:
      return avx512::loops();
    case Isa::kAvx2:
      return avx2::loops();
    default:
      return portable::loops();
  }
}

template <class T>
const kernels::Loops<T>& loops_of(Fn fn) {
  return loops(active().load(std::memory_order_relaxed))[static_cast<std::size_t>(fn)].of<T>();
}

float to_float32(Float16 x) { return static_cast<float>(x); }
float to_float32(BFloat16 x) { return to_float(x); }
template <class T>
T from_float32(float x) {
  if constexpr (std::is_same_v<T, float>) return x;
  if constexpr (std::is_same_v<T, Float16>) return static_cast<Float16>(x);
  if constexpr (std::is_same_v<T, BFloat16>) return to_bfloat16(x);
}

// The vector and gated entries: the float32 compositions, through float32 copies for the narrow
// formats.
template <class T>
void evaluate_rows_composed(Fn fn, const Params& params, Direction direction,
                            std::size_t row_length, std::span<const T> x, std::span<const T> dy,
                            std::span<T> out) {
  if constexpr (std::is_same_v<T, float>) {
    evaluate_composed<StdMath>(fn, params, direction, row_length, x, dy, out);
  } else {
    std::vector<float> xf(x.size()), dyf(dy.size()), outf(out.size());
    for (std::size_t i = 0; i < x.size(); ++i) xf[i] = to_float32(x[i]);
    for (std::size_t i = 0; i < dy.size(); ++i) dyf[i] = to_float32(dy[i]);
    evaluate_composed<StdMath>(fn, params, direction, row_length, xf, dyf, outf);
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = from_float32<T>(outf[i]);
  }
}

}  // namespace

std::string_view to_string(Isa isa) {
  switch (isa) {
    case Isa::kAvx512:
      return "avx512";
    case Isa::kAvx2:
      return "avx2";
    default:
      return "portable";
  }
}

bool is_supported(Isa isa) {
  switch (isa) {
    case Isa::kAvx512:
      return cpu_has_avx512();
    case Isa::kAvx2:
      return cpu_has_avx2();
    default:
      return true;
  }
}

Isa active_isa() { return active().load(); }

void use_isa(Isa isa) {
  if (!is_supported(isa)) {
    throw std::invalid_argument("this CPU does not support the " + std::string(to_string(isa)) +
                                " kernels");
  }
  active().store(isa);
}

std::size_t output_length(Fn fn, std::size_t row_length, const Params& params) {
  return composed_output_length(fn, row_length, params);
}

template <StorageType T>
void evaluate(Fn fn, const Params& params, Direction direction, std::size_t row_length,
              std::span<const T> x, std::span<const T> dy, std::span<T> out) {
  if (!is_elementwise(activation(fn).kind)) {
    evaluate_rows_composed<T>(fn, params, direction, row_length, x, dy, out);
    return;
  }
  output_length(fn, row_length, params);  // rejects an empty row
  check_size(fn, "x", x.size(), x.size() / row_length * row_length);
  check_size(fn, "out", out.size(), x.size());
  const kernels::Loops<T>& loops = loops_of<T>(fn);
  if (direction == Direction::kForward) {
    loops.forward(params, x.data(), out.data(), x.size());
  } else {
    check_size(fn, "dy", dy.size(), x.size());
    loops.backward(params, x.data(), dy.data(), out.data(), x.size());
  }
}

bool has_backward_from_output(Fn fn) {
  return is_elementwise(activation(fn).kind) &&
         loops(Isa::kPortable)[static_cast<std::size_t>(fn)].f32.backward_from_output != nullptr;
}

template <StorageType T>
void backward_from_output(Fn fn, const Params& params, std::span<const T> y, std::span<const T> dy,
                          std::span<T> dx) {
  if (!has_backward_from_output(fn)) {
    throw std::invalid_argument(std::string(activation(fn).name) +
                                " has no backward from the output; use its backward from x");
  }
  check_size(fn, "dy", dy.size(), y.size());
  check_size(fn, "dx", dx.size(), y.size());
  loops_of<T>(fn).backward_from_output(params, y.data(), dy.data(), dx.data(), y.size());
}

#define ACTCHECK_INSTANTIATE(T)                                                                    \
  template void evaluate<T>(Fn, const Params&, Direction, std::size_t, std::span<const T>,         \
                            std::span<const T>, std::span<T>);                                     \
  template void backward_from_output<T>(Fn, const Params&, std::span<const T>, std::span<const T>, \
                                        std::span<T>);
ACTCHECK_INSTANTIATE(float)
ACTCHECK_INSTANTIATE(Float16)
ACTCHECK_INSTANTIATE(BFloat16)
#undef ACTCHECK_INSTANTIATE

}  // namespace actcheck::impl

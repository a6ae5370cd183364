// Dispatch: the shapes are checked here, then the active instruction set's table runs the loop,
// elementwise or over rows, of the entry and storage format.
#include "impl/kernels.hpp"

#include <atomic>
#include <cmath>
#include <stdexcept>
#include <string>

#include "impl/kernels/table.hpp"

namespace actcheck::impl {

namespace {

bool cpu_has_avx512() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw");
}
bool cpu_has_avx2() {
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
         __builtin_cpu_supports("f16c");
}

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

template <class T>
const kernels::RowLoops<T>& row_loops_of(Fn fn) {
  return loops(active().load(std::memory_order_relaxed))[static_cast<std::size_t>(fn)].rows_of<T>();
}

void check_size(Fn fn, const char* what, std::size_t size, std::size_t expected) {
  if (size != expected) {
    throw std::invalid_argument(std::string(activation(fn).name) + ": " + what + " has " +
                                std::to_string(size) + " elements, the rows need " +
                                std::to_string(expected));
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
  const Activation& a = activation(fn);
  const std::string name(a.name);
  if (row_length == 0) throw std::invalid_argument(name + ": the row is empty");
  if (a.kind == Kind::kGated) {
    if (row_length % 2 != 0) {
      throw std::invalid_argument(name + ": the row length " + std::to_string(row_length) +
                                  " is odd; it must split into halves [a, b]");
    }
    return row_length / 2;
  }
  if (fn == Fn::maxout) {
    const double k = params[0];
    if (!(k >= 1) || k != std::floor(k) || row_length % static_cast<std::size_t>(k) != 0) {
      throw std::invalid_argument("maxout: the row length " + std::to_string(row_length) +
                                  " is not a multiple of k = " + std::to_string(k));
    }
    return row_length / static_cast<std::size_t>(k);
  }
  return row_length;
}

template <StorageType T>
void evaluate(Fn fn, const Params& params, Direction direction, std::size_t row_length,
              std::span<const T> x, std::span<const T> dy, std::span<T> out) {
  const std::size_t m = output_length(fn, row_length, params);  // rejects an empty row
  const std::size_t rows = x.size() / row_length;
  check_size(fn, "x", x.size(), rows * row_length);
  if (!is_elementwise(activation(fn).kind)) {
    const kernels::RowLoops<T>& loops = row_loops_of<T>(fn);
    if (direction == Direction::kForward) {
      check_size(fn, "out", out.size(), rows * m);
      loops.forward(params, row_length, rows, x.data(), nullptr, out.data());
    } else {
      check_size(fn, "dy", dy.size(), rows * m);
      check_size(fn, "out", out.size(), x.size());
      loops.backward(params, row_length, rows, x.data(), dy.data(), out.data());
    }
    return;
  }
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

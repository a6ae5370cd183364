// The one interface every implementation under test is reached through. A backend says which
// (function, format, pass) it supports and evaluates a batch; the engine does the rest (inputs,
// the exact reference, ULP metrics). Built-in adapters are listed in registry.hpp; outside ones
// (a C-ABI plugin loaded at run time, `.npy` files from another framework) will implement the
// same class.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "catalog/catalog.hpp"
#include "catalog/format.hpp"

namespace actcheck::backends {

enum class Pass : std::uint8_t {
  kForward,  // y = f(x)
  kBackward,  // dx = Jᵀ·dy: dy·f′(x) for elementwise entries, the vector-Jacobian product for rows
};
std::string_view to_string(Pass pass);
std::optional<Pass> parse_pass(std::string_view name);

// One batch to evaluate. Every entry is evaluated row by row: an elementwise entry's rows have
// length 1, a vector or gated entry's rows have `row_length` elements (its output rows have
// reference::output_length(fn, row_length, params), e.g. half of it for glu).
struct Problem {
  Fn fn;
  Params params;
  Format format;
  Pass pass;
  std::size_t row_length = 1;
};

class Backend {
 public:
  virtual ~Backend() = default;

  // As typed after --backend.
  virtual std::string_view name() const = 0;
  // One line for reports: the library and version it adapts, and how it composes the functions.
  virtual std::string_view description() const = 0;

  // Whether evaluate() can compute this; an unsupported combination is declared, never failed.
  virtual bool supports(Fn fn, Format format, Pass pass) const = 0;

  // Evaluates a batch of whole rows. Values travel as doubles that are exactly values of
  // problem.format (the carrier); the backend converts to its own storage type, computes, and
  // returns results that are again values of problem.format.
  //  - forward:  x holds the input rows, out receives the output rows; dy is empty.
  //  - backward: x holds the input rows, dy the upstream gradient (output-row shaped), out receives
  //    the gradient with respect to x (input-row shaped).
  // Must be safe to call from several threads at once.
  virtual void evaluate(const Problem& problem, std::span<const double> x,
                        std::span<const double> dy, std::span<double> out) const = 0;
};

}  // namespace actcheck::backends

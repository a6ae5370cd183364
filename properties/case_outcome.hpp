// What the checks of properties.cpp and gradient_checks.cpp share inside a rapidcheck case: the
// Approx type of an evaluator, hex formatting of inputs, and failing the case with a message that
// names the input and the tolerance it broke.
#pragma once

#include <fmt/format.h>
#include <rapidcheck.h>

#include <string>
#include <string_view>

#include "properties/approx.hpp"

namespace actcheck::properties {

template <class E>
using A = Approx<typename E::Number>;

inline std::string hex(double x) { return fmt::format("{:a}", x); }

// Fails the case with just this message (RC_FAIL would prepend its file, line and expression).
[[noreturn]] inline void fail(std::string message) {
  throw rc::detail::CaseResult(rc::detail::CaseResult::Type::Failure, std::move(message));
}

inline void require(const Comparison& c, const std::string& where, std::string_view what) {
  if (!c.holds) {
    fail(fmt::format("{}: {} = {:.3g} > tolerance {:.3g}", where, what, c.difference, c.tolerance));
  }
}
inline void require_agree(const Comparison& c, const std::string& where) {
  require(c, where, "|lhs - rhs|");
}

}  // namespace actcheck::properties

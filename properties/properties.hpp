// The registry of properties: identities, derivative identities, bounds, shape, limits and row
// invariants. Each is defined once, as a template over the evaluator (evaluator.hpp), and applies
// to a catalog entry when the entry's `identities` carry its flag (or, for the generic ones, when
// the entry's kind, kinks or tails say so). Each body draws its inputs with rapidcheck and fails
// with a message naming the input (hex) and the tolerance it broke. The tolerance of every
// property is the error bounds of the evaluated results carried through the expression by
// approx.hpp, plus any slack named in the property's comment in properties.cpp.
#pragma once

#include <span>
#include <string_view>

#include "catalog/catalog.hpp"
#include "properties/evaluator.hpp"

namespace actcheck::properties {

struct Property {
  std::string_view name;
  std::string_view statement;  // one line, as `actcheck properties --help` shows it
  bool (*applies)(const Activation& entry, Format format);
  void (*on_reference)(const ReferenceEvaluator& e, Fn fn);
  void (*on_backend)(const BackendEvaluator& e, Fn fn);  // nullptr: a check of the reference only
};

std::span<const Property> all_properties();

}  // namespace actcheck::properties

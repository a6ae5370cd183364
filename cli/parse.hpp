// Reading what the user typed: numbers, parameter assignments, rows. Every failure throws
// UsageError with a message that names the option and the offending text (exit status 2).
#pragma once

#include <Eigen/Core>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.hpp"
#include "engine/text.hpp"

namespace actcheck::cli {

// Bad input: exit status 2. The same class as the engine's, so that a bad input file and a bad
// option end alike.
using UsageError = engine::InputError;
using engine::parse_number;
using engine::parse_row;

// `fn`'s defaults overridden by "name=value" assignments.
Params parse_params(Fn fn, const std::vector<std::string>& assignments);

// The catalog entry called `name`.
const Activation& parse_function(std::string_view name);

}  // namespace actcheck::cli

// Reading what the user typed: numbers, parameter assignments, rows. Every failure throws
// UsageError with a message that names the option and the offending text (exit status 2).
#pragma once

#include <Eigen/Core>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "backends/backend.hpp"
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

// "a, b, c" as its trimmed items.
std::vector<std::string_view> split(std::string_view text);

// "tanh,sigmoid" or "all" as catalog entries.
std::vector<Fn> parse_functions(std::string_view text);

// "libm,eigen" or "all" as built-in backends.
std::vector<const backends::Backend*> parse_backends(std::string_view text);
// The built-in backends' names, comma-separated (for messages).
std::string backend_names();

// f32, f16 or bf16: the formats backends are measured in.
Format parse_measured_format(std::string_view text);

}  // namespace actcheck::cli

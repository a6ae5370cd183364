// Reading what the user typed: numbers, parameter assignments, rows. Every failure throws
// UsageError with a message that names the option and the offending text (exit status 2).
#pragma once

#include <Eigen/Core>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.hpp"

namespace actcheck::cli {

class UsageError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A decimal or hexadecimal floating-point number ("0.5", "-1e30", "0x1.8p+1", "inf", "nan"),
// which must fill `text` entirely. `option` names where it came from, for the message.
double parse_number(std::string_view text, std::string_view option);

// A comma-separated list of numbers ("1, 2, -inf").
Eigen::VectorXd parse_row(std::string_view text, std::string_view option);

// `fn`'s defaults overridden by "name=value" assignments.
Params parse_params(Fn fn, const std::vector<std::string>& assignments);

// The catalog entry called `name`.
const Activation& parse_function(std::string_view name);

}  // namespace actcheck::cli

// Reading numbers from text, for the command line and for input files alike. Every failure throws
// InputError with a message that says where (`where`: an option, or file:line) and what was wrong.
#pragma once

#include <Eigen/Core>
#include <stdexcept>
#include <string_view>

namespace actcheck::engine {

// Bad input from the user: exit status 2.
class InputError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string_view trim(std::string_view s);

// A decimal or hexadecimal floating-point number ("0.5", "-1e30", "0x1.8p+1", "inf", "nan"),
// which must fill `text` entirely.
double parse_number(std::string_view text, std::string_view where);

// A comma-separated list of numbers ("1, 2, -inf").
Eigen::VectorXd parse_row(std::string_view text, std::string_view where);

}  // namespace actcheck::engine

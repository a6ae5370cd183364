#include "catalog/format.hpp"

namespace actcheck {

std::optional<Format> parse_format(std::string_view name) {
  for (const FormatSpec& s : kFormats) {
    if (s.name == name) return s.format;
  }
  return std::nullopt;
}

}  // namespace actcheck

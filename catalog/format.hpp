// The floating-point formats actcheck measures. Every value travels as a double (the carrier);
// a format only says which doubles are representable in it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace actcheck {

enum class Format : std::uint8_t { kF64, kF32, kF16, kBF16 };

struct FormatSpec {
  Format format;
  std::string_view name;  // as typed on the command line
  int precision;          // significand bits, the implicit one included
  int emin;               // 2^emin is the smallest normal number
  int emax;               // 2^emax is the largest binade
  int storage_bits;
};

inline constexpr FormatSpec kFormats[] = {
    {Format::kF64, "f64", 53, -1022, 1023, 64},
    {Format::kF32, "f32", 24, -126, 127, 32},
    {Format::kF16, "f16", 11, -14, 15, 16},
    {Format::kBF16, "bf16", 8, -126, 127, 16},
};

constexpr const FormatSpec& spec(Format f) { return kFormats[static_cast<int>(f)]; }

std::optional<Format> parse_format(std::string_view name);

}  // namespace actcheck

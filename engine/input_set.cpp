#include "engine/input_set.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <type_traits>

#include "engine/bits.hpp"
#include "engine/in_lanes.hpp"
#include "engine/permutation.hpp"
#include "engine/text.hpp"
#include "engine/ulp.hpp"
#include "reference/lanes.hpp"
#include "reference/rounding.hpp"
#include "reference/vector.hpp"

namespace actcheck::engine {
namespace {

// A uniform double in [0, 1) from a counter.
double uniform(std::uint64_t seed, std::uint64_t counter) {
  return static_cast<double>(splitmix64(seed ^ splitmix64(counter)) >> 11) * 0x1p-53;
}

int exponent_bits(Format format) { return spec(format).storage_bits - spec(format).precision; }
std::uint64_t sign_bit(Format format) {
  return std::uint64_t{1} << (spec(format).storage_bits - 1);
}
std::uint64_t infinity_pattern(Format format) {
  return ((std::uint64_t{1} << exponent_bits(format)) - 1) << (spec(format).precision - 1);
}

std::string format_name(Format format) {
  switch (format) {
    case Format::kF64:
      return "float64";
    case Format::kF32:
      return "float32";
    case Format::kF16:
      return "float16";
    case Format::kBF16:
      return "bfloat16";
  }
  return "?";
}

double largest(Format format) { return from_bits(infinity_pattern(format) - 1, format); }

// The lines of a file with comments (# …) and blank lines dropped, with their line numbers.
std::vector<std::pair<int, std::string>> read_lines(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(fmt::format("--inputs: cannot read \"{}\"", path));
  std::vector<std::pair<int, std::string>> lines;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::string_view text = trim(std::string_view(line).substr(0, line.find('#')));
    if (!text.empty()) lines.emplace_back(number, std::string(text));
  }
  return lines;
}

// A value read from a file, which must be a value of the format: a file says exactly what to
// test, and a silently rounded input would test something else.
double format_value(double v, Format format, const std::string& where) {
  const double r = reference::round_to_format(v, format);
  if (!reference::same_bits(r, v) && !std::isnan(v)) {
    throw InputError(
        fmt::format("{}: {} is not a {} value (nearest: {:a})", where, v, format_name(format), r));
  }
  return v;
}

void sort_unique(std::vector<double>& values, Format format) {
  std::erase_if(values, [](double v) { return std::isnan(v); });
  std::sort(values.begin(), values.end(),
            [format](double a, double b) { return ordinal(a, format) < ordinal(b, format); });
  values.erase(std::unique(values.begin(), values.end(), reference::same_bits), values.end());
  values.push_back(NAN);
}

}  // namespace

std::string InputSpec::text() const {
  switch (kind) {
    case InputKind::kExhaustive:
      return "exhaustive";
    case InputKind::kSample:
      return fmt::format("sample:{}", count);
    case InputKind::kSpecial:
      return "special";
    case InputKind::kFile:
      return "file:" + path;
  }
  return "?";
}

InputSpec parse_input_spec(std::string_view text) {
  InputSpec s;
  if (text == "exhaustive") {
    s.kind = InputKind::kExhaustive;
  } else if (text == "special") {
    s.kind = InputKind::kSpecial;
  } else if (text.starts_with("file:") && text.size() > 5) {
    s.kind = InputKind::kFile;
    s.path = std::string(text.substr(5));
  } else if (text.starts_with("sample:")) {
    s.kind = InputKind::kSample;
    const std::string_view n = text.substr(7);
    const auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), s.count);
    if (ec != std::errc() || end != n.data() + n.size() || s.count == 0) {
      throw InputError(fmt::format("--inputs: \"{}\" is not a positive count in \"{}\"", n, text));
    }
  } else {
    throw InputError(fmt::format(
        "--inputs: unknown input set \"{}\" (exhaustive, sample:N, special, file:PATH)", text));
  }
  return s;
}

std::vector<double> special_values(Fn fn, const Params& params, Format format) {
  const double min_subnormal = from_bits(1, format);
  const double min_normal = std::ldexp(1.0, spec(format).emin);
  const double max = largest(format);
  std::vector<double> centres = {0.0, 1.0, min_subnormal, next_down(min_normal, format), min_normal,
                                 max, INFINITY,
                                 // where e^x overflows and where it underflows to 0 in the format
                                 std::log(max), std::log(min_subnormal)};
  for (const Kink& k : activation(fn).kinks) centres.push_back(k.at.eval(params));
  // The catalog's cutoffs hold for the default parameters only.
  for (const Cutoff& c : cutoffs(fn)) {
    if (c.format == format) centres.push_back(c.at);
  }
  std::vector<double> values;
  for (double c : centres) {
    for (double sign : {1.0, -1.0}) {
      const double v = reference::round_to_format(sign * c, format);
      values.insert(values.end(), {v, next_up(v, format), next_down(v, format)});
    }
  }
  sort_unique(values, format);
  return values;
}

ElementInputs::ElementInputs(const InputSpec& spec_in, Fn fn, const Params& params, Format format)
    : format_(format), kind_(spec_in.kind), seed_(spec_in.seed) {
  const std::uint64_t positives = infinity_pattern(format) + 1;  // +0 … +inf
  switch (kind_) {
    case InputKind::kExhaustive:
      size_ = 2 * positives + 1;
      description_ = fmt::format("all {} {} values (NaN once)", size_, format_name(format));
      break;
    case InputKind::kSample: {
      // One stratum per sign and exponent field (the subnormals and zero share field 0).
      const std::uint64_t strata = 2 * ((std::uint64_t{1} << exponent_bits(format)) - 1);
      const std::uint64_t per_binade = std::uint64_t{1} << (spec(format).precision - 1);
      per_stratum_ = std::min(per_binade, (spec_in.count + strata - 1) / strata);
      size_ = strata * per_stratum_;
      description_ =
          fmt::format("{} {} values: {} from each of the {} binades of both signs, seed {}", size_,
                      format_name(format), per_stratum_, strata, seed_);
      break;
    }
    case InputKind::kSpecial:
      values_ = special_values(fn, params, format);
      size_ = values_.size();
      description_ = fmt::format("{} special {} values of {}", size_, format_name(format),
                                 activation(fn).name);
      break;
    case InputKind::kFile:
      for (const auto& [number, text] : read_lines(spec_in.path)) {
        const std::string where = fmt::format("{}:{}", spec_in.path, number);
        values_.push_back(format_value(parse_number(text, where), format, where));
      }
      size_ = values_.size();
      description_ = fmt::format("{} {} values from {}", size_, format_name(format), spec_in.path);
      break;
  }
}

double ElementInputs::at(std::uint64_t i) const {
  double x;
  fill(i, std::span<double>(&x, 1));
  return x;
}

void ElementInputs::fill(std::uint64_t first, std::span<double> out) const {
  switch (kind_) {
    case InputKind::kExhaustive: {
      const std::uint64_t positives = infinity_pattern(format_) + 1;
      if (format_ == Format::kF32) {  // the runs of positive and of negative patterns in lanes
        static const auto consecutive = reference::lanes::for_this_cpu(
            &avx512::consecutive_floats, &avx2::consecutive_floats, &portable::consecutive_floats);
        const std::uint64_t end = first + out.size();
        if (first < positives) {
          const std::uint64_t n = std::min(end, positives) - first;
          consecutive(0, static_cast<std::uint32_t>(first), n, out.data());
        }
        if (first <= positives && positives < end) out[positives - first] = NAN;
        if (end > positives + 1) {
          const std::uint64_t start = std::max(first, positives + 1);
          consecutive(static_cast<std::uint32_t>(sign_bit(format_)),
                      static_cast<std::uint32_t>(start - positives - 1), end - start,
                      &out[start - first]);
        }
        return;
      }
      for (std::uint64_t i = first; double& x : out) {
        if (i < positives) {
          x = from_bits(i, format_);
        } else {
          x = i == positives ? NAN : from_bits((i - positives - 1) | sign_bit(format_), format_);
        }
        ++i;
      }
      return;
    }
    case InputKind::kSample: {
      const int significand_bits = spec(format_).precision - 1;
      const std::uint64_t fields = (std::uint64_t{1} << exponent_bits(format_)) - 1;
      const bool whole_binade = per_stratum_ == (std::uint64_t{1} << significand_bits);
      std::size_t done = 0;
      while (done < out.size()) {
        const std::uint64_t i = first + done;
        const std::uint64_t stratum = i / per_stratum_;
        const std::uint64_t sign = stratum >= fields ? sign_bit(format_) : 0;
        const std::uint64_t binade = (stratum % fields) << significand_bits;
        const Permutation within(significand_bits, seed_ ^ splitmix64(stratum));
        const std::uint64_t end =
            std::min<std::uint64_t>(out.size(), (stratum + 1) * per_stratum_ - first);
        const std::uint64_t k = i % per_stratum_;
        if (format_ == Format::kF32 && !whole_binade) {
          static const auto permuted = reference::lanes::for_this_cpu(
              &avx512::permuted_floats, &avx2::permuted_floats, &portable::permuted_floats);
          permuted(within, static_cast<std::uint32_t>(sign | binade), static_cast<std::uint32_t>(k),
                   end - done, &out[done]);
          done = end;
        }
        for (std::uint64_t j = k; done < end; ++done, ++j) {
          out[done] = from_bits(sign | binade | (whole_binade ? j : within(j)), format_);
        }
      }
      return;
    }
    default:
      std::copy_n(values_.begin() + static_cast<std::ptrdiff_t>(first), out.size(), out.begin());
  }
}

// ---- Rows ----------------------------------------------------------------------------------

namespace {

// The shortest length from n up that fn accepts (glu needs an even length, maxout a multiple of k).
Eigen::Index valid_length(Fn fn, Eigen::Index n, const Params& params) {
  for (;; ++n) {
    try {
      reference::output_length(fn, n, params);
      return n;
    } catch (const std::invalid_argument&) {
    }
  }
}

Eigen::VectorXd row_of(std::initializer_list<double> values) {
  Eigen::VectorXd r(static_cast<Eigen::Index>(values.size()));
  Eigen::Index i = 0;
  for (double v : values) r[i++] = v;
  return r;
}

// The design's adversarial rows: huge spread, ±inf, all −inf, NaN, long constant rows.
std::vector<Eigen::VectorXd> special_rows(Format format) {
  const double max = largest(format);
  const double big = std::min(max, 1e30);
  const double tiny = from_bits(1, format);
  std::vector<Eigen::VectorXd> rows = {
      row_of({big, 0}),
      row_of({max, -max}),
      row_of({0}),
      row_of({-big, 0, 1}),
      row_of({max, tiny, -max, 0}),
      row_of({INFINITY, 0}),
      row_of({INFINITY, 1, INFINITY}),
      row_of({-INFINITY, 0, 1}),
      row_of({-INFINITY, -INFINITY}),
      row_of({NAN, 1}),
      row_of({1, 2, 3, 4}),
      row_of({-1, -2, -3, -4}),
  };
  rows.push_back(Eigen::VectorXd::Constant(4096, 1.0));
  rows.push_back(Eigen::VectorXd::LinSpaced(4096, -big, big));
  return rows;
}

}  // namespace

RowInputs::RowInputs(const InputSpec& spec_in, Fn fn, const Params& params, Format format)
    : fn_(fn), params_(params), format_(format), seed_(spec_in.seed) {
  const std::string name(activation(fn).name);
  switch (spec_in.kind) {
    case InputKind::kExhaustive:
      throw InputError(fmt::format(
          "--inputs: {} takes rows, which have no exhaustive set; use sample:N, special or "
          "file:PATH",
          name));
    case InputKind::kSample:
      rows_ = special_rows(format);
      random_rows_ = spec_in.count;
      description_ = fmt::format(
          "{} adversarial {} rows (huge spread, ±inf, all −inf, NaN), then {} random rows of "
          "lengths 1 to 4096 and scales 2^-10 to the format's largest, seed {}",
          rows_.size(), format_name(format), random_rows_, seed_);
      break;
    case InputKind::kSpecial:
      rows_ = special_rows(format);
      description_ = fmt::format("{} adversarial {} rows (huge spread, ±inf, all −inf, NaN)",
                                 rows_.size(), format_name(format));
      break;
    case InputKind::kFile:
      for (const auto& [number, text] : read_lines(spec_in.path)) {
        const std::string where = fmt::format("{}:{}", spec_in.path, number);
        Eigen::VectorXd row = parse_row(text, where);
        for (double& v : row) v = format_value(v, format, where);
        rows_.push_back(std::move(row));
      }
      description_ =
          fmt::format("{} {} rows from {}", rows_.size(), format_name(format), spec_in.path);
      break;
  }
  for (Eigen::VectorXd& row : rows_) {
    for (double& v : row) v = reference::round_to_format(v, format);
    const Eigen::Index n = valid_length(fn, row.size(), params);
    if (n != row.size()) row.conservativeResizeLike(Eigen::VectorXd::Zero(n));
  }
  size_ = rows_.size() + random_rows_;
}

RowInput RowInputs::at(std::uint64_t i) const {
  if (i < rows_.size()) return with_gradient(rows_[i], i);
  const std::uint64_t seed = seed_ ^ splitmix64(i);
  std::uint64_t counter = 0;
  // Lengths spread over 1 … 4096 on a log scale; scales over the format's whole range.
  const double log_length = 12 * uniform(seed, counter++);
  const auto length = static_cast<Eigen::Index>(std::exp2(log_length));
  const int top = static_cast<int>(std::log2(largest(format_)));
  const double scale =
      std::ldexp(1.0, -10 + static_cast<int>((top + 10) * uniform(seed, counter++)));
  Eigen::VectorXd x(valid_length(fn_, std::max<Eigen::Index>(length, 1), params_));
  for (double& v : x) {
    v = reference::round_to_format(scale * (2 * uniform(seed, counter++) - 1), format_);
  }
  return with_gradient(std::move(x), i);
}

RowInput RowInputs::with_gradient(Eigen::VectorXd x, std::uint64_t i) const {
  const Eigen::Index n = reference::output_length(fn_, x.size(), params_);
  Eigen::VectorXd dy(n);
  const std::uint64_t seed = ~seed_ ^ splitmix64(i);
  for (Eigen::Index k = 0; k < n; ++k) {
    dy[k] =
        reference::round_to_format(2 * uniform(seed, static_cast<std::uint64_t>(k)) - 1, format_);
  }
  return {std::move(x), std::move(dy)};
}

}  // namespace actcheck::engine

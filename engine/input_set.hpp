// Input sets (design: Input sets). An elementwise set is a sequence of values of a format that can
// be addressed by index, so that threads and shards split it into ranges without materialising it;
// a row set is a sequence of rows (with upstream gradients) for the vector and gated entries.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.hpp"
#include "catalog/format.hpp"

namespace actcheck::engine {

enum class InputKind : std::uint8_t {
  kExhaustive,  // every value of the format (NaN once)
  kSample,      // stratified: every binade, both signs, the same count from each, seeded
  kSpecial,     // the function's special values and their neighbours
  kFile,        // values (or rows) from a file
};

inline constexpr std::uint64_t kDefaultSeed = 20261123;

struct InputSpec {
  InputKind kind = InputKind::kSample;
  std::uint64_t count = 0;  // kSample: about this many inputs (rows for row entries)
  std::string path;         // kFile
  std::uint64_t seed = kDefaultSeed;

  // As typed after --inputs: "exhaustive", "sample:N", "special", "file:PATH".
  std::string text() const;
};

// Throws InputError on anything that is not one of the forms above.
InputSpec parse_input_spec(std::string_view text);

class ElementInputs {
 public:
  // Throws InputError for a file that cannot be read or parsed (with file:line).
  ElementInputs(const InputSpec& spec, Fn fn, const Params& params, Format format);

  std::uint64_t size() const { return size_; }
  double at(std::uint64_t i) const;
  // Inputs first, first + 1, … into out (as many as it holds): at() for a whole block at once.
  void fill(std::uint64_t first, std::span<double> out) const;
  // What the set holds, in a few words ("all 63,489 float16 values, NaN once").
  const std::string& description() const { return description_; }

 private:
  Format format_;
  InputKind kind_;
  std::uint64_t size_ = 0;
  std::uint64_t per_stratum_ = 0;  // kSample
  std::uint64_t seed_ = 0;
  std::vector<double> values_;  // kSpecial, kFile
  std::string description_;
};

// A row and the upstream gradient its backward pass is measured with (output-row shaped).
struct RowInput {
  Eigen::VectorXd x;
  Eigen::VectorXd dy;
};

class RowInputs {
 public:
  // Throws InputError for kExhaustive (rows have no "every value") and for bad files.
  RowInputs(const InputSpec& spec, Fn fn, const Params& params, Format format);

  std::uint64_t size() const { return size_; }
  RowInput at(std::uint64_t i) const;
  const std::string& description() const { return description_; }

 private:
  Fn fn_;
  Params params_;
  Format format_;
  std::uint64_t size_ = 0;
  std::uint64_t seed_ = 0;
  std::vector<Eigen::VectorXd> rows_;  // the fixed rows (adversarial, or from a file)
  std::uint64_t random_rows_ = 0;      // kSample: then this many random rows
  std::string description_;

  RowInput with_gradient(Eigen::VectorXd x, std::uint64_t i) const;
};

// The special values of an elementwise entry in `format` (sorted in the bit-linear order).
std::vector<double> special_values(Fn fn, const Params& params, Format format);

}  // namespace actcheck::engine

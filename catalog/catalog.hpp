// The catalog: the one place that says which activations exist. `activations.inc` holds a row per
// activation; this header expands it into the `Fn` enum and the `kCatalog` descriptor table, and
// every other layer (reference, kernels, backends, tests, reports) iterates over those.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>

#include "catalog/format.hpp"

namespace actcheck {

enum class Fn : std::uint8_t {
#define ACTCHECK_ACTIVATION(id, ...) id,
#include "catalog/activations.inc"
#undef ACTCHECK_ACTIVATION
};

enum class Kind : std::uint8_t {
  kElementwise,  // y = f(x), no parameters
  kParametric,   // y = f(x; params)
  kVector,       // a row in, a row out (softmax, maxout)
  kGated,        // a row [a, b] in, a row of half the length out
};

std::string_view to_string(Kind kind);

// Is f applied to each element on its own (with or without parameters)?
constexpr bool is_elementwise(Kind kind) {
  return kind == Kind::kElementwise || kind == Kind::kParametric;
}

inline constexpr std::size_t kMaxParams = 2;

// A small fixed-capacity list, so that catalog rows can be written as braced lists in constexpr.
template <class T, std::size_t N>
class FixedList {
 public:
  constexpr FixedList() = default;
  constexpr FixedList(std::initializer_list<T> items) {
    for (const T& item : items) items_[size_++] = item;
  }
  constexpr std::size_t size() const { return size_; }
  constexpr bool empty() const { return size_ == 0; }
  constexpr const T& operator[](std::size_t i) const { return items_[i]; }
  constexpr const T* begin() const { return items_; }
  constexpr const T* end() const { return items_ + size_; }

 private:
  T items_[N] = {};
  std::size_t size_ = 0;
};

struct Param {
  std::string_view name;
  double default_value = 0;
};

// Parameter values for one evaluation, in the order the catalog row declares them.
struct Params {
  double values[kMaxParams] = {};
  constexpr double operator[](std::size_t i) const { return values[i]; }
};

// A number that is a constant, or scale times a parameter (kinks and limits move with them).
struct ParamExpr {
  double constant = 0;
  int param = -1;
  double scale = 1;
  constexpr double eval(const Params& p) const { return param < 0 ? constant : scale * p[param]; }
};

// Which one-sided derivative PyTorch's autograd returns at a kink.
enum class Side : std::uint8_t { kLeft, kRight };

struct Kink {
  ParamExpr at;
  Side autograd_takes = Side::kLeft;
};

// How f behaves as x → ±∞: it tends to a constant (`value`, signed zero included), or grows like
// `value`·x. The limits of f′ follow: 0 for a constant tail, `value` for a linear one.
enum class TailKind : std::uint8_t { kConstant, kLinear };
struct Tail {
  TailKind kind = TailKind::kConstant;
  ParamExpr value;
};

// The identities and shape facts that hold for an entry; properties/ checks each one.
enum Identity : std::uint32_t {
  kTanhFromSigmoid = 1u << 0,         // tanh(x) = 2σ(2x) − 1
  kSigmoidReflection = 1u << 1,       // σ(−x) = 1 − σ(x)
  kSigmoidDerivative = 1u << 2,       // σ′ = σ(1−σ) ≤ 1/4, maximum at 0
  kTanhDerivative = 1u << 3,          // tanh′ = 1 − tanh² ≤ 1
  kSoftplusDerivative = 1u << 4,      // softplus′(x) = σ(βx)
  kSoftplusReflection = 1u << 5,      // softplus(x) − softplus(−x) = x
  kLogsigmoidSoftplus = 1u << 6,      // logsigmoid(x) = −softplus(−x)
  kSwishDerivative = 1u << 7,         // swish′ = βf + σ(βx)(1 − βf)
  kSiluIsSwish = 1u << 8,             // silu = swish at β = 1 = x·σ(x)
  kMishComposition = 1u << 9,         // mish = x·tanh(softplus(x))
  kEluDerivative = 1u << 10,          // elu′ = f + α for x ≤ 0
  kSeluIsScaledElu = 1u << 11,        // selu = λ·elu(x, α)
  kGeluTanhClose = 1u << 12,          // |gelu − gelu_tanh| ≤ 4.74e-4
  kOdd = 1u << 13,                    // f(−x) = −f(x)
  kMonotone = 1u << 14,               // non-decreasing everywhere
  kBoundedUnit = 1u << 15,            // f ∈ [0, 1]
  kBoundedSymmetric = 1u << 16,       // f ∈ [−1, 1]
  kSumsToOne = 1u << 17,              // Σ f(x)ᵢ = 1
  kShiftInvariant = 1u << 18,         // f(x + c) = f(x)
  kSoftminIsSoftmaxOfNeg = 1u << 19,  // softmin(x) = softmax(−x)
  kLogOfSoftmax = 1u << 20,           // log_softmax = log(softmax) = x − logsumexp(x)
};
using IdentitySet = std::uint32_t;

// The accuracy our own kernels (impl/) promise, per format: a maximum error in ULPs (see the
// design's Numbers). A budget of 0.5 means correctly rounded: 0 steps from the rounded exact value.
struct UlpBudget {
  double f32 = 1.0;
  double f16 = 0.5;
  double bf16 = 0.5;
  constexpr double of(Format format) const {
    return format == Format::kF16 ? f16 : format == Format::kBF16 ? bf16 : f32;
  }
};

struct Activation {
  Fn id;
  std::string_view name;
  Kind kind = Kind::kElementwise;
  std::string_view definition;  // the mathematical definition the reference computes
  std::string_view derivative;  // f′ (or the vector-Jacobian product) and its convention
  std::string_view pytorch;     // the PyTorch function it matches
  FixedList<Param, kMaxParams> params = {};
  FixedList<Kink, 2> kinks = {};  // points where f′ jumps, with autograd's choice there
  Tail minus_inf = {};
  Tail plus_inf = {};
  IdentitySet identities = 0;
  int learnable_param = -1;  // index of the parameter with a gradient ∂f/∂param, or −1
  UlpBudget budget = {};     // impl/'s promise, forward and backward
};

inline constexpr Activation kCatalog[] = {
#define ACTCHECK_ACTIVATION(id_, ...) Activation{.id = Fn::id_, .name = #id_, __VA_ARGS__},
#include "catalog/activations.inc"
#undef ACTCHECK_ACTIVATION
};

inline constexpr std::size_t kNumActivations = std::size(kCatalog);

constexpr const Activation& activation(Fn fn) { return kCatalog[static_cast<std::size_t>(fn)]; }

// The entry called `name`, or nothing.
const Activation* find_activation(std::string_view name);

// The catalog's default parameter values of `fn`.
Params default_params(Fn fn);

// Index of `fn`'s parameter called `name`, or nothing.
std::optional<std::size_t> find_param(Fn fn, std::string_view name);

// Where a result stops changing, in one format, at the default parameters. Beyond a saturation
// cutoff `at` (from `at` outwards, towards the tail) the correctly rounded f or f′ is the tail's:
//  - f, constant tail: the rounded limit, bit for bit (signed zero included);
//  - f, linear tail with slope s: the rounding of the exact product s·x;
//  - f′: the rounded limit of f′, s for a linear tail, and 0 for a constant one (of either sign:
//    the catalog records the sign of f's limit, not of f′'s);
// and `at` is the value nearest zero from which on this holds (±0 when it holds on the whole
// half-line). Beyond an overflow threshold `at`, f or f′ rounds to ±inf although it is finite.
// A combination without a row has no such value. cutoffs.inc is generated by tools/find_cutoffs
// and checked against this definition by tests/cutoffs_test.cpp.
struct Cutoff {
  enum class Quantity : std::uint8_t { kValue, kDerivative };
  enum class Toward : std::uint8_t { kMinusInf, kPlusInf };
  enum class Kind : std::uint8_t { kSaturation, kOverflow };

  Fn fn;
  Quantity quantity;
  Format format;
  Toward toward;
  Kind kind;
  double at;
};

inline constexpr Cutoff kCutoffs[] = {
#define ACTCHECK_CUTOFF(fn, quantity, format, toward, kind, at) \
  Cutoff{Fn::fn,                                                \
         Cutoff::Quantity::quantity,                            \
         Format::format,                                        \
         Cutoff::Toward::toward,                                \
         Cutoff::Kind::kind,                                    \
         at},
#include "catalog/cutoffs.inc"
#undef ACTCHECK_CUTOFF
};

// The rows of `fn` (cutoffs.inc lists them in catalog order: catalog.cpp asserts it).
constexpr std::span<const Cutoff> cutoffs(Fn fn) {
  const Cutoff* first = std::begin(kCutoffs);
  while (first != std::end(kCutoffs) && first->fn != fn) ++first;
  const Cutoff* last = first;
  while (last != std::end(kCutoffs) && last->fn == fn) ++last;
  return {first, last};
}

}  // namespace actcheck

// Prints a digest of a float32 kernel's results on every one of the 2^32 inputs, so that a change
// meant to keep the bits (a refactor, an optimisation) can be shown to keep them everywhere, not
// on a sample: build before and after, compare the lines. Runs in seconds where a sweep takes
// minutes, and checks bits, not ULP.
//   kernel_digest softsign forward            # the best instruction set of this CPU
//   kernel_digest tanh backward --isa avx2    # another one (portable, avx2, avx512)
//   kernel_digest tanh backward --isa every   # each of this CPU's, exit 1 unless they agree
// The digest is FNV-1a (64 bits, a 32-bit word at a time) over the results' bit patterns in input
// order, NaN counted as one pattern (the kernels promise a NaN, not its payload). Backward takes dy
// = the input pattern times 2654435761 (mod 2^32, a permutation), so that every pattern, NaN
// included, is a dy once.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.hpp"
#include "impl/kernels.hpp"

namespace {

using namespace actcheck;

int usage(const char* problem) {
  std::fprintf(stderr,
               "kernel_digest: %s\nusage: kernel_digest ELEMENTWISE_FUNCTION forward|backward "
               "[--isa portable|avx2|avx512|every]\n",
               problem);
  return 2;
}

std::uint32_t bits_of(float v) {
  if (v != v) return 0x7fc00000;
  std::uint32_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

float float_of(std::uint32_t b) {
  float v;
  std::memcpy(&v, &b, sizeof v);
  return v;
}

// The digest of every result of `fn`'s pass under the active instruction set.
std::uint64_t digest_of(Fn fn, bool backward) {
  const Params params = default_params(fn);
  constexpr std::uint64_t kChunk = std::uint64_t{1} << 20;
  std::vector<float> x(kChunk), dy(kChunk, 1.0f), out(kChunk);
  std::uint64_t digest = 14695981039346656037u;
  for (std::uint64_t first = 0; first < (std::uint64_t{1} << 32); first += kChunk) {
    for (std::uint64_t i = 0; i < kChunk; ++i) {
      const auto pattern = static_cast<std::uint32_t>(first + i);
      x[i] = float_of(pattern);
      if (backward) dy[i] = float_of(pattern * 2654435761u);
    }
    impl::evaluate<float>(fn, params,
                          backward ? impl::Direction::kBackward : impl::Direction::kForward, 1, x,
                          dy, out);
    for (float v : out) digest = (digest ^ bits_of(v)) * 1099511628211u;
  }
  return digest;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && (std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h")) {
    std::printf(
        "usage: kernel_digest ELEMENTWISE_FUNCTION forward|backward "
        "[--isa portable|avx2|avx512|every]\n"
        "A digest of the float32 kernel's results on all 2^32 inputs (backward: dy a permutation\n"
        "of the inputs): equal digests, equal bits. Default instruction set: the best of this\n"
        "CPU. --isa every: one line per instruction set of this CPU, and exit status 1 unless\n"
        "there are two or more and their digests agree.\n");
    return 0;
  }
  if (argc != 3 && argc != 5) return usage("expected a function and a pass");
  const Activation* a = find_activation(argv[1]);
  if (!a || !is_elementwise(a->kind)) return usage("not an elementwise function of the catalog");
  const std::string_view pass = argv[2];
  if (pass != "forward" && pass != "backward") return usage("the pass is forward or backward");
  const bool backward = pass == "backward";

  std::vector<impl::Isa> isas = {impl::active_isa()};
  if (argc == 5) {
    if (std::string_view(argv[3]) != "--isa") return usage("unknown option");
    const std::string_view wanted = argv[4];
    isas.clear();
    for (impl::Isa isa : impl::kIsas) {
      if (wanted != "every" && impl::to_string(isa) != wanted) continue;
      if (impl::is_supported(isa)) {
        isas.push_back(isa);
      } else if (wanted != "every") {
        return usage("this CPU does not have that instruction set");
      }
    }
    if (isas.empty()) return usage("unknown instruction set");
  }

  std::vector<std::uint64_t> digests;
  for (impl::Isa isa : isas) {
    impl::use_isa(isa);
    digests.push_back(digest_of(a->id, backward));
    std::printf("%s %s %s %016llx\n", a->name.data(), argv[2],
                std::string(impl::to_string(isa)).c_str(),
                static_cast<unsigned long long>(digests.back()));
  }
  if (argc == 5 && std::string_view(argv[4]) == "every") {
    if (digests.size() < 2) {
      std::fprintf(stderr,
                   "kernel_digest: only one instruction set on this CPU: nothing to compare\n");
      return 1;
    }
    for (std::uint64_t d : digests) {
      if (d != digests.front()) {
        std::fprintf(stderr, "kernel_digest: the instruction sets give different bits\n");
        return 1;
      }
    }
  }
}

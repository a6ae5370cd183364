#include "engine/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace actcheck::engine {
namespace {

std::string duration(double seconds) {
  const auto s = static_cast<long>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

std::string count(double n) {
  if (n >= 1e9) return fmt::format("{:.1f}G", n / 1e9);
  if (n >= 1e6) return fmt::format("{:.1f}M", n / 1e6);
  if (n >= 1e3) return fmt::format("{:.1f}k", n / 1e3);
  return fmt::format("{:.0f}", n);
}

}  // namespace

Progress::Progress(std::uint64_t total, std::string unit, bool wanted)
    : total_(total), unit_(std::move(unit)), enabled_(wanted && isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() { finish(); }

void Progress::advance(std::uint64_t done) {
  if (!enabled_) return;
  std::lock_guard lock(mutex_);
  done_ += done;
  draw(false);
}

void Progress::set_label(std::string label) {
  if (!enabled_) return;
  std::lock_guard lock(mutex_);
  label_ = std::move(label);
  draw(false);
}

void Progress::finish() {
  if (!enabled_) return;
  std::lock_guard lock(mutex_);
  if (drawn_) std::fputs("\r\033[K", stderr);
  drawn_ = false;
}

void Progress::draw(bool force) {
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double fraction = total_ == 0 ? 1.0 : static_cast<double>(done_) / total_;
  const double rate = elapsed > 0 ? done_ / elapsed : 0;
  const std::string left = rate > 0 ? duration((total_ - done_) / rate) + " left" : "";
  constexpr int kWidth = 24;
  const int filled = static_cast<int>(fraction * kWidth);
  std::fprintf(stderr, "\r\033[K[%s%s] %3.0f%% %s %s/s %s %s", std::string(filled, '#').c_str(),
               std::string(kWidth - filled, '.').c_str(), 100 * fraction, count(rate).c_str(),
               unit_.c_str(), left.c_str(), label_.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace actcheck::engine

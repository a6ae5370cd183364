// A progress bar with rate and time left, drawn on stderr when stderr is a terminal and not at all
// otherwise (CI logs stay clean). Safe to advance from several threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace actcheck::engine {

class Progress {
 public:
  // `unit` names what is counted ("inputs"). Drawn only when `wanted` and stderr is a terminal.
  Progress(std::uint64_t total, std::string unit, bool wanted = true);
  ~Progress();

  void advance(std::uint64_t done);
  void set_label(std::string label);  // what is being done now (shown beside the bar)
  void finish();                      // clears the bar

 private:
  void draw(bool force);

  std::mutex mutex_;
  const std::uint64_t total_;
  const std::string unit_;
  const bool enabled_;
  std::uint64_t done_ = 0;
  std::string label_;
  bool drawn_ = false;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_draw_ = {};
};

}  // namespace actcheck::engine

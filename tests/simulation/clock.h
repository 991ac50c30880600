// Virtual time. The world has one global virtual time (microseconds since the
// start of the run); every simulated sentinel reads its own wall clock derived
// from it, with a constant drift and occasional jumps (NTP steps, VM pauses) —
// the inputs that exercise TILT. Nothing here reads the real clock.
#pragma once

#include <cstdint>

namespace vigil::sim {

using Micros = std::int64_t;  // global virtual time, microseconds

constexpr Micros kMicrosPerMs = 1000;
constexpr Micros kMicrosPerSecond = 1000 * kMicrosPerMs;

constexpr Micros ms(std::int64_t v) { return v * kMicrosPerMs; }
constexpr Micros seconds(std::int64_t v) { return v * kMicrosPerSecond; }

// A sentinel's wall clock: local = start_offset + global * (1 + drift) + jumps.
class LocalClock {
 public:
  LocalClock() = default;
  // start_ms: the wall-clock reading at global time 0 (sentinels disagree on it).
  LocalClock(std::int64_t start_ms, std::int64_t drift_ppm) : offset_us_(start_ms * kMicrosPerMs), drift_ppm_(drift_ppm) {}

  // Milliseconds the process would read from its wall clock at `global`.
  std::int64_t now_ms(Micros global) const {
    const Micros drifted = global + global * drift_ppm_ / 1'000'000;  // monotonic for drift > -1e6 ppm
    return (offset_us_ + drifted) / kMicrosPerMs;
  }

  // Step the clock forward by `delta_ms`. The core requires a monotonic clock, so a
  // jump models what a monotonic clock can do: leap ahead (VM pause, suspended host).
  void jump_forward(std::int64_t delta_ms) {
    if (delta_ms > 0) offset_us_ += delta_ms * kMicrosPerMs;
  }

  std::int64_t drift_ppm() const { return drift_ppm_; }

 private:
  Micros offset_us_ = 0;
  std::int64_t drift_ppm_ = 0;
};

}  // namespace vigil::sim

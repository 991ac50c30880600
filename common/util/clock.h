// Wall-clock time as Redis reports it (ustime/mstime): Unix epoch based, so it
// jumps with the system clock. Use it for what clients see (TTLs, INFO, logs);
// intervals belong to a monotonic clock.
#pragma once

#include <chrono>
#include <cstdint>

namespace vigil::util {

inline int64_t unix_time_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline int64_t unix_time_ms() { return unix_time_us() / 1000; }

}  // namespace vigil::util

// The simulator's event queue: callbacks ordered by (virtual time, insertion
// order). Running the world means popping the earliest event and jumping the
// global clock straight to it — no sleeps, no idle ticks. Ties are broken by
// insertion order so a run is a pure function of its seed.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "clock.h"

namespace vigil::sim {

class Scheduler {
 public:
  using Callback = std::function<void()>;

  Micros now() const { return now_; }

  // Runs `fn` at global time `at` (clamped to now: the past is not schedulable).
  void at(Micros at, Callback fn);
  void after(Micros delay, Callback fn) { at(now_ + delay, std::move(fn)); }

  bool empty() const { return heap_.empty(); }
  Micros next_time() const { return heap_.front().at; }

  // Pops the earliest event, advances the clock to it and runs it.
  void run_next();

  // Runs every event scheduled strictly before `until`, then sets the clock to `until`.
  void run_until(Micros until);

  std::uint64_t events_run() const { return events_run_; }

 private:
  // The heap holds small keys; callbacks live in a slab (cheap heap moves).
  struct Entry {
    Micros at;
    std::uint64_t seq;
    std::uint32_t slot;
  };
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const {
      return a.at != b.at ? a.at > b.at : a.seq > b.seq;
    }
  };

  std::vector<Entry> heap_;
  std::vector<Callback> slots_;
  std::vector<std::uint32_t> free_slots_;
  Micros now_ = 0;
  std::uint64_t next_seq_ = 0;
  std::uint64_t events_run_ = 0;
};

}  // namespace vigil::sim

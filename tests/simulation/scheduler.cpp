#include "scheduler.h"

#include <algorithm>

namespace vigil::sim {

void Scheduler::at(Micros at, Callback fn) {
  std::uint32_t slot;
  if (free_slots_.empty()) {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.push_back(std::move(fn));
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
    slots_[slot] = std::move(fn);
  }
  heap_.push_back(Entry{std::max(at, now_), next_seq_++, slot});
  std::push_heap(heap_.begin(), heap_.end(), Later{});
}

void Scheduler::run_next() {
  std::pop_heap(heap_.begin(), heap_.end(), Later{});
  const Entry entry = heap_.back();
  heap_.pop_back();
  Callback fn = std::move(slots_[entry.slot]);
  slots_[entry.slot] = nullptr;
  free_slots_.push_back(entry.slot);
  now_ = entry.at;
  ++events_run_;
  fn();
}

void Scheduler::run_until(Micros until) {
  while (!heap_.empty() && heap_.front().at < until) run_next();
  now_ = std::max(now_, until);
}

}  // namespace vigil::sim

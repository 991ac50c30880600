// The run's event trace: one compact line per event (TigerBeetle VOPR style),
//   "  63.412 s1  +sdown master mymaster 10.0.1.1 6379"
// Recording is off during campaigns (speed); a failing seed is replayed with
// the trace on, which reproduces the run exactly.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "scheduler.h"

namespace vigil::sim {

class Trace {
 public:
  Trace(const Scheduler& scheduler, bool enabled) : scheduler_(scheduler), enabled_(enabled) {}

  bool enabled() const { return enabled_; }
  // Verbose tracing also records every command and reply a sentinel exchanges.
  bool verbose() const { return verbose_; }
  void set_verbose(bool v) { verbose_ = v && enabled_; }

  // Records "<virtual seconds> <actor> <text>" if enabled.
  void add(std::string_view actor, std::string_view text) {
    if (!enabled_) return;
    char stamp[32];
    const Micros t = scheduler_.now();
    std::snprintf(stamp, sizeof stamp, "%8lld.%03lld ", static_cast<long long>(t / 1000000),
                  static_cast<long long>((t / 1000) % 1000));
    std::string line(stamp);
    line.append(actor);
    if (actor.size() < 4) line.append(4 - actor.size(), ' ');
    line.push_back(' ');
    line.append(text);
    lines_.push_back(std::move(line));
  }

  const std::vector<std::string>& lines() const { return lines_; }

  // Writes the last `max_lines` lines (all if 0) to `out`.
  void print(std::FILE* out, std::size_t max_lines = 0) const {
    std::size_t first = 0;
    if (max_lines != 0 && lines_.size() > max_lines) {
      first = lines_.size() - max_lines;
      std::fprintf(out, "... (%zu earlier trace lines omitted)\n", first);
    }
    for (std::size_t i = first; i < lines_.size(); ++i) std::fprintf(out, "%s\n", lines_[i].c_str());
  }

 private:
  const Scheduler& scheduler_;
  bool enabled_;
  bool verbose_ = false;
  std::vector<std::string> lines_;
};

}  // namespace vigil::sim

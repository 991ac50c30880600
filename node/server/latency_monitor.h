// LATENCY: latency spikes per event class (Redis's latency.c: the "command"
// and "fast-command" events, one sample per second, the last 160 seconds kept)
// and per-command latency histograms (LATENCY HISTOGRAM, on while
// latency-tracking is yes).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace vigil::node {

// One event class: a ring of (unix second, worst ms in that second).
struct LatencySeries {
  static constexpr size_t kLen = 160;  // LATENCY_TS_LEN
  struct Sample {
    int64_t unix_s = 0;  // 0 = unused slot
    uint32_t ms = 0;
  };
  std::array<Sample, kLen> samples{};
  size_t next = 0;    // slot the next new second goes to
  uint32_t max = 0;   // all-time high

  void add(int64_t unix_s, uint32_t ms);
  const Sample& latest() const { return samples[(next + kLen - 1) % kLen]; }
  // Used samples, oldest first.
  std::vector<Sample> in_order() const;
};

// Cumulative latency distribution of one command, bucketed as Redis's
// hdr_histogram log iteration reports it (1024 ns doubling, 2 significant
// digits): bucket k holds calls of at most kBucketUpperNs[k] ns.
struct CommandHistogram {
  static constexpr size_t kBuckets = 21;  // up to 1 s (LATENCY_HISTOGRAM_MAX_VALUE)
  std::string name;                       // "get", "client|list"
  uint64_t calls = 0;
  std::array<uint64_t, kBuckets> counts{};

  void record(int64_t duration_us);
  // (upper bound in µs as Redis prints it, cumulative calls) for every bucket
  // where the cumulative count grows, as LATENCY HISTOGRAM replies.
  std::vector<std::pair<int64_t, uint64_t>> cumulative() const;
};

class LatencyMonitor {
 public:
  // Adds a sample for event when threshold_ms > 0 and ms >= threshold_ms.
  void add_if_needed(const std::string& event, int64_t ms, int64_t threshold_ms, int64_t unix_s);
  // Event classes in the order they first had a sample.
  const std::vector<std::pair<std::string, LatencySeries>>& events() const { return events_; }
  const LatencySeries* find(const std::string& event) const;
  // Drops the named event (case-insensitive, as Redis), or all when event is
  // nullptr; returns how many were dropped.
  int reset(const std::string* event);

  // Per-command histograms, keyed by the command table entry (stable for the
  // server's lifetime); full_name labels a new histogram.
  void record_command(const void* cmd, const std::string& full_name, int64_t duration_us);
  const CommandHistogram* histogram(const void* cmd) const;
  const std::unordered_map<const void*, CommandHistogram>& histograms() const { return histograms_; }
  void reset_histograms() { histograms_.clear(); }

 private:
  std::vector<std::pair<std::string, LatencySeries>> events_;
  std::unordered_map<const void*, CommandHistogram> histograms_;
};

// LATENCY DOCTOR's report (event statistics and advice), as Redis words it
// for the events vigil-node records; threshold_ms and slowlog_slower_than_us
// are the current settings.
std::string latency_doctor_report(const LatencyMonitor& m, int64_t threshold_ms, int64_t slowlog_slower_than_us,
                                  int64_t unix_s);
// LATENCY GRAPH's ASCII sparkline of one event.
std::string latency_graph(const std::string& event, const LatencySeries& s, int64_t unix_s);

}  // namespace vigil::node

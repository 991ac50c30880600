#include "node/server/latency_monitor.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>

namespace vigil::node {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Histogram bucket k ends at the last value hdr_histogram (2 significant
// digits) treats as equal to 1024 * 2^k ns: its sub-bucket there is 2^(k+3) wide.
constexpr int64_t bucket_upper_ns(size_t k) {
  return (int64_t{1024} << k) + (int64_t{1} << (k + 3)) - 1;
}

template <class... Args>
std::string format(const char* fmt, Args... args) {
  int n = std::snprintf(nullptr, 0, fmt, args...);
  std::string out(static_cast<size_t>(std::max(n, 0)), '\0');
  std::snprintf(out.data(), out.size() + 1, fmt, args...);
  return out;
}

// Bytes of transparent huge pages mapped by this process (Redis's
// THPGetAnonHugePagesSize, which reads the same smaps field).
int64_t anon_huge_pages_bytes() {
  std::ifstream in("/proc/self/smaps_rollup");
  std::string field;
  int64_t kb = 0;
  while (in >> field) {
    if (field == "AnonHugePages:") {
      in >> kb;
      return kb * 1024;
    }
  }
  return 0;
}

}  // namespace

// ------------------------------------------------------------------ events

void LatencySeries::add(int64_t unix_s, uint32_t ms) {
  max = std::max(max, ms);
  // One sample per second: a second spike in the same second keeps the worst.
  Sample& prev = samples[(next + kLen - 1) % kLen];
  if (prev.unix_s == unix_s) {
    prev.ms = std::max(prev.ms, ms);
    return;
  }
  samples[next] = Sample{unix_s, ms};
  next = (next + 1) % kLen;
}

std::vector<LatencySeries::Sample> LatencySeries::in_order() const {
  std::vector<Sample> out;
  for (size_t j = 0; j < kLen; j++) {
    const Sample& s = samples[(next + j) % kLen];
    if (s.unix_s != 0) out.push_back(s);
  }
  return out;
}

void LatencyMonitor::add_if_needed(const std::string& event, int64_t ms, int64_t threshold_ms, int64_t unix_s) {
  if (threshold_ms <= 0 || ms < threshold_ms) return;
  auto it = std::find_if(events_.begin(), events_.end(), [&](const auto& e) { return e.first == event; });
  if (it == events_.end()) {
    events_.emplace_back(event, LatencySeries{});
    it = events_.end() - 1;
  }
  it->second.add(unix_s, static_cast<uint32_t>(std::min<int64_t>(ms, UINT32_MAX)));
}

const LatencySeries* LatencyMonitor::find(const std::string& event) const {
  for (const auto& [name, series] : events_) {
    if (name == event) return &series;
  }
  return nullptr;
}

int LatencyMonitor::reset(const std::string* event) {
  size_t before = events_.size();
  std::erase_if(events_, [&](const auto& e) { return event == nullptr || iequals(e.first, *event); });
  return static_cast<int>(before - events_.size());
}

// ------------------------------------------------------------------ histograms

void CommandHistogram::record(int64_t duration_us) {
  // Redis records nanoseconds clamped to [1 ns, 1 s].
  int64_t ns = std::clamp<int64_t>(duration_us * 1000, 1, 1000000000);
  size_t k = 0;
  while (k + 1 < kBuckets && ns > bucket_upper_ns(k)) k++;
  counts[k]++;
  calls++;
}

std::vector<std::pair<int64_t, uint64_t>> CommandHistogram::cumulative() const {
  std::vector<std::pair<int64_t, uint64_t>> out;
  uint64_t total = 0;
  for (size_t k = 0; k < kBuckets && total < calls; k++) {
    if (counts[k] == 0) continue;
    total += counts[k];
    out.emplace_back(bucket_upper_ns(k) / 1000, total);
  }
  return out;
}

void LatencyMonitor::record_command(const void* cmd, const std::string& full_name, int64_t duration_us) {
  auto [it, added] = histograms_.try_emplace(cmd);
  if (added) it->second.name = full_name;
  it->second.record(duration_us);
}

const CommandHistogram* LatencyMonitor::histogram(const void* cmd) const {
  auto it = histograms_.find(cmd);
  return it == histograms_.end() ? nullptr : &it->second;
}

// ------------------------------------------------------------------ DOCTOR

std::string latency_doctor_report(const LatencyMonitor& m, int64_t threshold_ms, int64_t slowlog_slower_than_us,
                                  int64_t unix_s) {
  std::string report;
  if (m.events().empty() && threshold_ms == 0) {
    return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use "
           "\"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep "
           "space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n";
  }
  bool slowlog_enable = false, slowlog_tuning = false, slowlog_inspect = false, scheduler = false;
  bool large_objects = false, disable_thp = false;
  int advices = 0, eventnum = 0;
  for (const auto& [event, series] : m.events()) {
    eventnum++;
    if (eventnum == 1) {
      report += "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do "
                "you Dave?\n\n";
    }
    // Average, mean absolute deviation and the average period between spikes.
    std::vector<LatencySeries::Sample> samples = series.in_order();
    uint64_t sum = 0;
    int64_t oldest = 0;
    for (const auto& s : samples) {
      sum += s.ms;
      if (oldest == 0 || s.unix_s < oldest) oldest = s.unix_s;
    }
    uint64_t n = samples.size();
    uint64_t avg = n ? sum / n : 0;
    int64_t period = n ? std::max<int64_t>(1, unix_s - oldest) : 0;
    uint64_t dev_sum = 0;
    for (const auto& s : samples) {
      int64_t d = static_cast<int64_t>(avg) - static_cast<int64_t>(s.ms);
      dev_sum += static_cast<uint64_t>(d < 0 ? -d : d);
    }
    uint64_t mad = n ? dev_sum / n : 0;
    report += format("%d. %s: %d latency spikes (average %lums, mean deviation %lums, period %.2f sec). Worst all "
                     "time event %lums.",
                     eventnum, event.c_str(), static_cast<int>(n), static_cast<unsigned long>(avg),
                     static_cast<unsigned long>(mad), n ? static_cast<double>(period) / static_cast<double>(n) : 0.0,
                     static_cast<unsigned long>(series.max));
    if (iequals(event, "command")) {
      if (slowlog_slower_than_us < 0) {
        slowlog_enable = true;
        advices++;
      } else if (slowlog_slower_than_us / 1000 > threshold_ms) {
        slowlog_tuning = true;
        advices++;
      }
      slowlog_inspect = large_objects = true;
      advices += 2;
    }
    if (iequals(event, "fast-command")) {
      scheduler = true;
      advices++;
    }
    report += "\n";
  }
  if (anon_huge_pages_bytes() > 0) {
    disable_thp = true;
    advices++;
  }
  if (eventnum == 0 && advices == 0) {
    report += "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest "
              "bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n";
    return report;
  }
  if (eventnum > 0 && advices == 0) {
    report += "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis "
              "community to get some help, providing this report in your help request.\n";
    return report;
  }
  report += "\nI have a few advices for you:\n\n";
  unsigned long long suggested_us = static_cast<unsigned long long>(threshold_ms) * 1000;
  if (slowlog_enable) {
    report += format("- There are latency issues with potentially slow commands you are using. Try to enable the "
                     "Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than %llu'. If the Slow "
                     "log is disabled Redis is not able to log slow commands execution for you.\n",
                     suggested_us);
  }
  if (slowlog_tuning) {
    report += format("- Your current Slow Log configuration only logs events that are slower than your configured "
                     "latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than %llu'.\n",
                     suggested_us);
  }
  if (slowlog_inspect) {
    report += "- Check your Slow Log to understand what are the commands you are running which are too slow to "
              "execute. Please check https://redis.io/commands/slowlog for more information.\n";
  }
  if (scheduler) {
    report += "- The system is slow to execute Redis code paths not containing system calls. This usually means the "
              "system does not provide Redis CPU time to run for long periods. You should try to:\n"
              "  1) Lower the system load.\n"
              "  2) Use a computer / VM just for Redis if you are running other software in the same system.\n"
              "  3) Check if you have a \"noisy neighbour\" problem.\n"
              "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n"
              "  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are "
              "using Jemalloc. However this may create fragmentation problems.\n";
  }
  if (large_objects) {
    report += "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. "
              "If you have very large objects that are often deleted, expired, or evicted, try to fragment those "
              "objects into multiple smaller objects.\n";
  }
  if (disable_thp) {
    report += "- I detected a non zero amount of anonymous huge pages used by your process. This creates very "
              "serious latency events in different conditions, especially when Redis is persisting on disk. To "
              "disable THP support use the command 'echo never > /sys/kernel/mm/transparent_hugepage/enabled', make "
              "sure to also add it into /etc/rc.local so that the command will be executed again after a reboot. "
              "Note that even if you have already disabled THP, you still need to restart the Redis process to get "
              "rid of the huge pages already created.\n";
  }
  return report;
}

// ------------------------------------------------------------------ GRAPH

namespace {

// The sparkline of Redis's LATENCY GRAPH: `rows` rows of "_o#" fill
// characters scaled between the lowest and highest sample, then the labels
// written vertically under their columns after one blank row.
void render_sparkline(std::string& out, const std::vector<std::pair<uint32_t, std::string>>& seq, size_t offset,
                      size_t len, int rows) {
  static constexpr char kFill[] = "_o#";
  constexpr int kCharsetLen = 3;
  double lo = seq[0].first, hi = seq[0].first;
  for (const auto& s : seq) {
    lo = std::min<double>(lo, s.first);
    hi = std::max<double>(hi, s.first);
  }
  double range = hi - lo;
  if (range == 0) range = 1;
  const int steps = kCharsetLen * rows;
  std::string line;
  for (int row = 0;; row++) {
    bool more = false;
    line.assign(len, ' ');
    for (size_t j = 0; j < len; j++) {
      const auto& [value, label] = seq[offset + j];
      int step = static_cast<int>(static_cast<int>((value - lo) * steps) / range);
      step = std::clamp(step, 0, steps - 1);
      if (row < rows) {
        more = true;
        int idx = step - (rows - row - 1) * kCharsetLen;
        if (idx >= 0 && idx < kCharsetLen) {
          line[j] = kFill[idx];
        } else if (idx >= kCharsetLen) {
          line[j] = '|';
        }
      } else if (row == rows) {
        more = true;  // the blank row between the graph and the labels
        break;
      } else {
        size_t label_char = static_cast<size_t>(row - rows - 1);
        if (label.size() > label_char) {
          more = true;
          line[j] = label[label_char];
        }
      }
    }
    if (!more) break;
    out += line;
    out += '\n';
  }
}

}  // namespace

std::string latency_graph(const std::string& event, const LatencySeries& s, int64_t unix_s) {
  std::vector<std::pair<uint32_t, std::string>> seq;
  uint32_t lo = 0, hi = 0;
  for (const auto& sample : s.in_order()) {
    if (seq.empty()) {
      lo = hi = sample.ms;
    } else {
      lo = std::min(lo, sample.ms);
      hi = std::max(hi, sample.ms);
    }
    // Label: how long ago, in the largest whole unit.
    int elapsed = static_cast<int>(unix_s - sample.unix_s);
    std::string label;
    if (elapsed < 60) {
      label = std::to_string(elapsed) + "s";
    } else if (elapsed < 3600) {
      label = std::to_string(elapsed / 60) + "m";
    } else if (elapsed < 86400) {
      label = std::to_string(elapsed / 3600) + "h";
    } else {
      label = std::to_string(elapsed / 86400) + "d";
    }
    seq.emplace_back(sample.ms, std::move(label));
  }
  constexpr size_t kCols = 80;
  std::string graph = format("%s - high %lu ms, low %lu ms (all time high %lu ms)\n", event.c_str(),
                             static_cast<unsigned long>(hi), static_cast<unsigned long>(lo),
                             static_cast<unsigned long>(s.max));
  graph.append(kCols, '-');
  graph += '\n';
  for (size_t j = 0; j < seq.size(); j += kCols) {
    if (j != 0) graph += '\n';
    render_sparkline(graph, seq, j, std::min(kCols, seq.size() - j), 4);
  }
  return graph;
}

}  // namespace vigil::node

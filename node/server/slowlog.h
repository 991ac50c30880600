// SLOWLOG: the most recent commands that ran longer than
// slowlog-log-slower-than microseconds, newest first, at most slowlog-max-len
// of them (Redis's slowlog.c). Arguments are trimmed as Redis trims them so a
// huge command cannot make the log huge.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace vigil::node {

struct SlowLogEntry {
  uint64_t id;
  int64_t unix_s;
  int64_t duration_us;
  std::vector<std::string> args;  // at most kMaxArgs, each at most kMaxArgLen (+ suffix)
  std::string peer;               // "ip:port"
  std::string client_name;
};

class SlowLog {
 public:
  static constexpr size_t kMaxArgs = 32;      // SLOWLOG_ENTRY_MAX_ARGC
  static constexpr size_t kMaxArgLen = 128;   // SLOWLOG_ENTRY_MAX_STRING

  // Logs the command when duration_us >= slower_than (never when slower_than
  // is negative), then trims the log to max_len entries.
  void push_if_slow(const std::vector<std::string>& argv, int64_t duration_us, int64_t slower_than,
                    uint64_t max_len, int64_t unix_s, const std::string& peer, const std::string& name);

  const std::deque<SlowLogEntry>& entries() const { return entries_; }  // newest first
  // Empties the log; ids keep counting (as Redis).
  void reset() { entries_.clear(); }

  // The argument list as stored (exposed for unit tests).
  static std::vector<std::string> trimmed_args(const std::vector<std::string>& argv);

 private:
  std::deque<SlowLogEntry> entries_;
  uint64_t next_id_ = 0;
};

}  // namespace vigil::node

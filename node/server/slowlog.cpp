#include "node/server/slowlog.h"

#include <algorithm>

#include "node/server/redaction.h"

namespace vigil::node {

std::vector<std::string> SlowLog::trimmed_args(const std::vector<std::string>& argv) {
  if (argv.empty()) return {};
  size_t n = std::min(argv.size(), kMaxArgs);
  std::vector<bool> redact = redacted_args(argv);
  std::vector<std::string> out;
  out.reserve(n);
  for (size_t j = 0; j < n; j++) {
    if (redact[j]) {
      out.push_back(kRedacted);
    } else if (n != argv.size() && j == n - 1) {
      // The last slot says how many arguments were left out (counting itself).
      out.push_back("... (" + std::to_string(argv.size() - n + 1) + " more arguments)");
    } else if (argv[j].size() > kMaxArgLen) {
      out.push_back(argv[j].substr(0, kMaxArgLen) + "... (" + std::to_string(argv[j].size() - kMaxArgLen) +
                    " more bytes)");
    } else {
      out.push_back(argv[j]);
    }
  }
  return out;
}

void SlowLog::push_if_slow(const std::vector<std::string>& argv, int64_t duration_us, int64_t slower_than,
                           uint64_t max_len, int64_t unix_s, const std::string& peer, const std::string& name) {
  if (slower_than < 0) return;
  if (duration_us >= slower_than) {
    entries_.push_front(SlowLogEntry{next_id_++, unix_s, duration_us, trimmed_args(argv), peer, name});
  }
  while (entries_.size() > max_len) entries_.pop_back();
}

}  // namespace vigil::node

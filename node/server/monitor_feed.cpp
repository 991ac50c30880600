#include "node/server/monitor_feed.h"

#include <algorithm>
#include <cstdio>

#include "common/config/directives.h"
#include "common/net/tcp_server.h"
#include "node/server/client.h"
#include "node/server/redaction.h"

namespace vigil::node {

void MonitorFeed::add(Client& c) {
  if (c.monitor) return;
  c.monitor = true;
  monitors_.push_back(&c);
}

void MonitorFeed::remove(Client& c) {
  if (!c.monitor) return;
  c.monitor = false;
  monitors_.erase(std::remove(monitors_.begin(), monitors_.end(), &c), monitors_.end());
}

std::string MonitorFeed::format(const Client& from, int db, const std::vector<std::string>& argv,
                                int64_t unix_us) {
  char head[64];
  std::snprintf(head, sizeof head, "%lld.%06lld [%d ", static_cast<long long>(unix_us / 1000000),
                static_cast<long long>(unix_us % 1000000), db);
  std::string line = head;
  if (from.conn) line += from.conn->peer_addr();
  line += "] ";
  std::vector<bool> redact = redacted_args(argv);
  for (size_t i = 0; i < argv.size(); i++) {
    if (i > 0) line += ' ';
    line += config::repr(redact[i] ? std::string_view(kRedacted) : std::string_view(argv[i]));
  }
  return line;
}

void MonitorFeed::feed(const Client& from, int db, const std::vector<std::string>& argv, int64_t unix_us) {
  if (argv.empty()) return;
  std::string line = "+" + format(from, db, argv, unix_us) + "\r\n";
  for (Client* m : monitors_) {
    // A monitor that just ran QUIT gets nothing more (Redis drops output
    // added after CLIENT_CLOSE_AFTER_REPLY).
    if (m->conn == nullptr || m->conn->closing() || m->conn->closing_after_reply()) continue;
    m->conn->reply().raw(line);
    m->conn->flush_later();
  }
}

}  // namespace vigil::node

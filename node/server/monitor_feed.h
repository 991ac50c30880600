// MONITOR: clients that receive every executed command as a status line
// ("+1700000000.123456 [0 127.0.0.1:54321] \"SET\" \"k\" \"v\""), in
// execution order, as Redis's replicationFeedMonitors. The dispatcher feeds
// a command only when somebody monitors (empty() is the whole per-command cost).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vigil::node {

struct Client;

class MonitorFeed {
 public:
  bool empty() const { return monitors_.empty(); }
  size_t size() const { return monitors_.size(); }

  // Client c starts monitoring (sets c.monitor). Idempotent.
  void add(Client& c);
  // Stops c monitoring (RESET, disconnect). No-op when c is not a monitor.
  void remove(Client& c);

  // Sends the executed command of client `from` (db = its db after the
  // command, as Redis prints it) to every monitor. Arguments that carry
  // secrets (AUTH passwords) are shown as "(redacted)".
  void feed(const Client& from, int db, const std::vector<std::string>& argv, int64_t unix_us);

  // The line without "+" and "\r\n" (exposed for unit tests).
  static std::string format(const Client& from, int db, const std::vector<std::string>& argv,
                            int64_t unix_us);

 private:
  std::vector<Client*> monitors_;  // in MONITOR order
};

}  // namespace vigil::node

// The plumbing every simulated process uses to talk to the others: the event
// queue, the network, the process table and address book, the run's trace,
// and a helper to open a TCP-like connection. One Fabric per run.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "network.h"
#include "process.h"
#include "scheduler.h"
#include "sentinel/core/types.h"
#include "trace.h"

namespace vigil::sim {

class Fabric {
 public:
  using Callback = std::function<void()>;

  Fabric(std::uint64_t seed, NetworkConfig net, int process_count, bool trace_enabled);

  Scheduler& scheduler() { return scheduler_; }
  Network& network() { return network_; }
  Trace& trace() { return trace_; }
  Micros now() const { return scheduler_.now(); }

  void add_process(Process* p, const std::string& host, int port);
  Process* process(ProcessId id) { return processes_[static_cast<std::size_t>(id)].process; }
  // The process listening at host:port, or nullptr (unknown address).
  Process* resolve(const std::string& host, int port);
  const std::string& host_of(ProcessId id) const { return processes_[static_cast<std::size_t>(id)].host; }
  int port_of(ProcessId id) const { return processes_[static_cast<std::size_t>(id)].port; }

  // Opens a connection from `from` to `to`. The server accepts it (even while
  // paused: the kernel completes the handshake); `established` then runs at the
  // client. If the server process is down the client sees `closed` (refused).
  // `closed` also runs when the server closes it or the network resets it.
  ConnId connect(ProcessId from, ProcessId to, Callback established, Callback closed);

  // Sends `fn` over `conn` from `from`; it runs inside the peer process (through
  // its inbox, so a paused peer handles it on resume).
  void send(ConnId conn, ProcessId from, Callback fn);

  // Sends a command over `conn`; the peer's receive() handles it.
  void send_request(ConnId conn, ProcessId from, Request req);

 private:
  struct Entry {
    Process* process = nullptr;
    std::string host;
    int port = 0;
  };
  Scheduler scheduler_;
  Network network_;
  Trace trace_;
  std::vector<Entry> processes_;
};

}  // namespace vigil::sim

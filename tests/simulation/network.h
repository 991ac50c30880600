// The simulated network: TCP-like connections between simulated processes.
//
// What is modelled, and why:
// - Each message gets a latency from a seeded distribution (mostly sub-ms,
//   sometimes slow). Within one connection delivery stays FIFO (TCP); across
//   connections messages reorder freely — as they do for a sentinel's command
//   and pub/sub links, or two peers.
// - A partition blocks one direction between two processes (asymmetric cuts are
//   two independent flags). Blocked traffic is not dropped: like TCP
//   retransmission it waits and flows once the cut heals, unless an end closed
//   the connection in the meantime. Hung links are detected by the sentinel's
//   own timeouts, as in production.
// - "Loss" on a TCP link surfaces as a connection reset seen by both ends.
// - A close (FIN, or the kernel closing a crashed process's sockets) travels
//   behind the data already sent in that direction.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include "clock.h"
#include "prng.h"
#include "scheduler.h"

namespace vigil::sim {

using ProcessId = int;
using ConnId = std::uint32_t;

struct NetworkConfig {
  Micros latency_min = 50;
  Micros latency_max = 800;
  double slow_probability = 0.01;    // chance a message takes a slow path
  Micros slow_max = ms(80);
  double reset_probability = 0.0;    // chance a message send resets its connection
};

class Network {
 public:
  using Callback = std::function<void()>;

  Network(Scheduler& scheduler, Prng prng, NetworkConfig config, int processes);

  // Opens a connection; `on_closed[i]` runs at end i (0 = client, 1 = server)
  // when the other end's close or a reset reaches it. Handshake semantics are
  // up to the caller (send a first message and answer it).
  ConnId open(ProcessId client, ProcessId server, Callback client_closed, Callback server_closed);

  // Replaces the close handler of one end (0 = client, 1 = server).
  void set_close_handler(ConnId conn, int end, Callback handler) { conns_[conn].on_closed[end] = std::move(handler); }

  // Sends from `from` (one of the connection's ends); `deliver` runs at the
  // other end after the latency, if that end is still open by then.
  void send(ConnId conn, ProcessId from, Callback deliver);

  // Graceful or crash close by one end: that end stops receiving; the peer is
  // told once everything already sent reaches it.
  void close(ConnId conn, ProcessId by);

  // Resets a connection (network loss): both ends learn after a latency.
  void reset(ConnId conn);

  bool is_open_at(ConnId conn, ProcessId end) const;
  ProcessId peer_of(ConnId conn, ProcessId end) const;

  // Directional partitions.
  void set_blocked(ProcessId from, ProcessId to, bool blocked);
  bool blocked(ProcessId from, ProcessId to) const { return blocked_[index(from, to)]; }
  void heal_all();

  void set_config(const NetworkConfig& config) { config_ = config; }
  const NetworkConfig& config() const { return config_; }

  // All connections with an open end at `p`, e.g. to close them on a crash.
  std::vector<ConnId> connections_of(ProcessId p) const;

 private:
  struct Direction {
    Micros last_delivery = 0;        // FIFO: nothing delivered before this
    std::deque<Callback> stalled;    // waiting for a partition to heal
  };
  struct Connection {
    ProcessId ends[2];
    bool open[2] = {true, true};
    Callback on_closed[2];
    Direction dir[2];  // dir[i] = traffic sent by end i
  };

  int end_index(const Connection& c, ProcessId p) const { return c.ends[0] == p ? 0 : 1; }
  std::size_t index(ProcessId from, ProcessId to) const {
    return static_cast<std::size_t>(from) * static_cast<std::size_t>(processes_) + static_cast<std::size_t>(to);
  }
  Micros latency();
  void transmit(ConnId id, int from_end, Callback deliver);
  void flush_stalled(ProcessId from, ProcessId to);
  void deliver_close(ConnId id, int to_end);

  Scheduler& scheduler_;
  Prng prng_;
  NetworkConfig config_;
  int processes_;
  std::vector<bool> blocked_;
  std::vector<Connection> conns_;
  std::vector<ConnId> stalled_conns_;  // connections that may hold stalled traffic
};

}  // namespace vigil::sim

#include "network.h"

#include <algorithm>

namespace vigil::sim {

Network::Network(Scheduler& scheduler, Prng prng, NetworkConfig config, int processes)
    : scheduler_(scheduler),
      prng_(prng),
      config_(config),
      processes_(processes),
      blocked_(static_cast<std::size_t>(processes) * static_cast<std::size_t>(processes), false) {}

ConnId Network::open(ProcessId client, ProcessId server, Callback client_closed, Callback server_closed) {
  Connection c;
  c.ends[0] = client;
  c.ends[1] = server;
  c.on_closed[0] = std::move(client_closed);
  c.on_closed[1] = std::move(server_closed);
  conns_.push_back(std::move(c));
  return static_cast<ConnId>(conns_.size() - 1);
}

Micros Network::latency() {
  if (prng_.chance(config_.slow_probability)) return prng_.between(config_.latency_max, config_.slow_max);
  return prng_.between(config_.latency_min, config_.latency_max);
}

void Network::send(ConnId id, ProcessId from, Callback deliver) {
  Connection& c = conns_[id];
  const int from_end = end_index(c, from);
  if (!c.open[from_end]) return;  // this end already closed: nothing leaves it
  if (config_.reset_probability > 0 && prng_.chance(config_.reset_probability)) {
    reset(id);
    return;
  }
  transmit(id, from_end, std::move(deliver));
}

void Network::transmit(ConnId id, int from_end, Callback deliver) {
  Connection& c = conns_[id];
  Direction& d = c.dir[from_end];
  const ProcessId from = c.ends[from_end];
  const ProcessId to = c.ends[1 - from_end];
  if (blocked(from, to) || !d.stalled.empty()) {
    if (c.dir[0].stalled.empty() && c.dir[1].stalled.empty()) stalled_conns_.push_back(id);
    d.stalled.push_back(std::move(deliver));
    return;
  }
  const Micros at = std::max(scheduler_.now() + latency(), d.last_delivery);
  d.last_delivery = at;
  const int to_end = 1 - from_end;
  scheduler_.at(at, [this, id, to_end, fn = std::move(deliver)]() {
    if (conns_[id].open[to_end]) fn();
  });
}

void Network::close(ConnId id, ProcessId by) {
  Connection& c = conns_[id];
  const int by_end = end_index(c, by);
  if (!c.open[by_end]) return;
  c.open[by_end] = false;
  const int peer_end = 1 - by_end;
  transmit(id, by_end, [this, id, peer_end]() { deliver_close(id, peer_end); });
}

void Network::reset(ConnId id) {
  Connection& c = conns_[id];
  for (int end = 0; end < 2; ++end) {
    if (!c.open[end]) continue;
    c.open[end] = false;
    scheduler_.after(latency(), [this, id, end]() {
      if (auto& cb = conns_[id].on_closed[end]) {
        Callback fn = std::move(cb);
        cb = nullptr;
        fn();
      }
    });
  }
}

void Network::deliver_close(ConnId id, int to_end) {
  Connection& c = conns_[id];
  c.open[to_end] = false;
  if (auto& cb = c.on_closed[to_end]) {
    Callback fn = std::move(cb);
    cb = nullptr;
    fn();
  }
}

bool Network::is_open_at(ConnId id, ProcessId end) const {
  const Connection& c = conns_[id];
  return c.open[end_index(c, end)];
}

ProcessId Network::peer_of(ConnId id, ProcessId end) const {
  const Connection& c = conns_[id];
  return c.ends[1 - end_index(c, end)];
}

void Network::set_blocked(ProcessId from, ProcessId to, bool value) {
  if (blocked_[index(from, to)] == value) return;
  blocked_[index(from, to)] = value;
  if (!value) flush_stalled(from, to);
}

void Network::heal_all() {
  for (ProcessId from = 0; from < processes_; ++from)
    for (ProcessId to = 0; to < processes_; ++to) set_blocked(from, to, false);
}

void Network::flush_stalled(ProcessId from, ProcessId to) {
  std::vector<ConnId> candidates;
  candidates.swap(stalled_conns_);
  for (ConnId id : candidates) {
    Connection& c = conns_[id];
    for (int end = 0; end < 2; ++end) {
      if (c.ends[end] != from || c.ends[1 - end] != to) continue;
      std::deque<Callback> pending = std::move(c.dir[end].stalled);
      c.dir[end].stalled.clear();
      for (auto& fn : pending) transmit(id, end, std::move(fn));  // may stall (and re-register) again
    }
    const bool still_stalled = !c.dir[0].stalled.empty() || !c.dir[1].stalled.empty();
    if (still_stalled && std::find(stalled_conns_.begin(), stalled_conns_.end(), id) == stalled_conns_.end())
      stalled_conns_.push_back(id);
  }
}

std::vector<ConnId> Network::connections_of(ProcessId p) const {
  std::vector<ConnId> out;
  for (ConnId id = 0; id < conns_.size(); ++id) {
    const Connection& c = conns_[id];
    for (int end = 0; end < 2; ++end)
      if (c.ends[end] == p && c.open[end]) out.push_back(id);
  }
  return out;
}

}  // namespace vigil::sim

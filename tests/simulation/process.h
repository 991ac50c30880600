// What every simulated process (data node, sentinel, client) shares with the
// world: an identity on the network, liveness (crash/restart), and SIGSTOP-like
// pausing — while paused, everything delivered to it waits in an inbox and is
// handled, in order, on resume.
#pragma once

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "network.h"
#include "sentinel/core/types.h"

namespace vigil::sim {

using sentinel::Reply;

// A RESP command travelling to a process. The continuation runs at the sender
// when the reply arrives back over the same connection (FIFO per connection).
// On a subscribed connection it also receives every later push.
struct Request {
  std::vector<std::string> argv;
  std::function<void(const Reply&)> on_reply;
};

class Process {
 public:
  using Callback = std::function<void()>;

  Process(ProcessId id, std::string name) : id_(id), name_(std::move(name)) {}
  virtual ~Process() = default;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  ProcessId id() const { return id_; }
  const std::string& name() const { return name_; }
  bool alive() const { return alive_; }
  bool paused() const { return paused_; }

  // Runs `fn` now, or when the process resumes; dropped if the process is dead.
  // (A template so the common, unpaused case wraps nothing in a std::function.)
  template <class F>
  void deliver(F&& fn) {
    if (!alive_) return;
    if (paused_) {
      inbox_.emplace_back(std::forward<F>(fn));
      return;
    }
    fn();
  }

  void pause() { paused_ = true; }
  void resume() {
    paused_ = false;
    // Handlers may pause again (or crash) the process: re-check each time.
    while (alive_ && !paused_ && !inbox_.empty()) {
      Callback fn = std::move(inbox_.front());
      inbox_.pop_front();
      fn();
    }
  }

  // A command arrived on `conn` (already through the inbox).
  virtual void receive(ConnId conn, Request req) = 0;
  // A connection to this process was accepted (kernel level: works while paused).
  virtual void accept(ConnId conn) = 0;
  // The peer closed `conn` (or it was reset).
  virtual void connection_closed(ConnId conn) = 0;

 protected:
  void set_alive(bool alive) {
    alive_ = alive;
    if (!alive) {
      paused_ = false;
      inbox_.clear();
    }
  }

 private:
  ProcessId id_;
  std::string name_;
  bool alive_ = true;
  bool paused_ = false;
  std::deque<Callback> inbox_;
};

}  // namespace vigil::sim

// Moving a full sync's RDB to replica sockets without holding it in memory
// (the snapshot itself is written by a fork child, see persistence.h):
//   - RdbPipeRelay: diskless sync; reads the child's pipe and copies each
//     chunk to every replica still receiving, reading on only when all of
//     them drained (the slowest replica sets the pace, as in Redis);
//   - RdbFileSender: disk-based sync; streams the saved RDB file to one
//     replica a chunk at a time as its socket drains.
// Both bound what sits in a replica's output buffer to kRdbTransferWindow.
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace vigil::net { class Connection; }

namespace vigil::node::replication {

// RDB bytes queued per replica before waiting for its socket to drain.
inline constexpr size_t kRdbTransferWindow = 1 << 20;

class RdbPipeRelay {
 public:
  struct Callbacks {
    // The connections still receiving the RDB (gone ones left out).
    std::function<std::vector<net::Connection*>()> targets;
    // The pipe ended (ok) or could not be read (!ok). Called last: the relay
    // may be destroyed inside.
    std::function<void(bool ok)> on_end;
    // Every target is gone. Called last, as on_end.
    std::function<void()> on_no_targets;
  };
  // Takes ownership of fd (non-blocking read end of the child's pipe).
  RdbPipeRelay(uv_loop_t* loop, int fd, Callbacks callbacks);
  ~RdbPipeRelay();
  RdbPipeRelay(const RdbPipeRelay&) = delete;
  RdbPipeRelay& operator=(const RdbPipeRelay&) = delete;

  uint64_t bytes_relayed() const { return relayed_; }

 private:
  static void on_poll(uv_poll_t* h, int status, int events);
  static void on_timer(uv_timer_t* t);
  void relay();
  // Polls the pipe when every target has room, else re-checks in 1 ms.
  void wait_for_room_or_data(bool room);
  void stop_waiting();

  int fd_;
  Callbacks cb_;
  uv_poll_t* poll_;
  uv_timer_t* timer_;
  bool polling_ = false;
  uint64_t relayed_ = 0;
  std::string chunk_;
};

class RdbFileSender {
 public:
  // Opens path; ok() is false (and error() says why) when it cannot.
  explicit RdbFileSender(const std::string& path);
  ~RdbFileSender();
  RdbFileSender(const RdbFileSender&) = delete;
  RdbFileSender& operator=(const RdbFileSender&) = delete;

  bool ok() const { return fd_ >= 0; }
  const std::string& error() const { return error_; }
  uint64_t size() const { return size_; }
  // Queues the "$<size>\r\n" header and file bytes on conn while its output
  // is under the window. Returns false on a read error (see error()).
  bool pump(net::Connection& conn);
  bool done() const { return header_sent_ && sent_ == size_; }

 private:
  int fd_ = -1;
  uint64_t size_ = 0;
  uint64_t sent_ = 0;
  bool header_sent_ = false;
  std::string error_;
  std::string chunk_;
};

}  // namespace vigil::node::replication

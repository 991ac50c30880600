#include "node/replication/rdb_transfer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>

#include "common/net/tcp_server.h"

namespace vigil::node::replication {

namespace {

constexpr size_t kPipeChunk = 64 * 1024;   // one pipe read
constexpr size_t kFileChunk = 256 * 1024;  // one file read
constexpr int kReadsPerWakeup = 16;        // then let the loop serve clients

template <class H>
void close_and_delete(H* h) {
  uv_close(reinterpret_cast<uv_handle_t*>(h), [](uv_handle_t* x) { delete reinterpret_cast<H*>(x); });
}

}  // namespace

// ------------------------------------------------------------------ RdbPipeRelay

RdbPipeRelay::RdbPipeRelay(uv_loop_t* loop, int fd, Callbacks callbacks)
    : fd_(fd), cb_(std::move(callbacks)), poll_(new uv_poll_t), timer_(new uv_timer_t) {
  uv_poll_init(loop, poll_, fd_);
  poll_->data = this;
  uv_timer_init(loop, timer_);
  timer_->data = this;
  wait_for_room_or_data(true);
}

RdbPipeRelay::~RdbPipeRelay() {
  stop_waiting();  // the descriptor leaves epoll before it is closed
  ::close(fd_);
  close_and_delete(poll_);
  close_and_delete(timer_);
}

void RdbPipeRelay::on_poll(uv_poll_t* h, int, int) { static_cast<RdbPipeRelay*>(h->data)->relay(); }
void RdbPipeRelay::on_timer(uv_timer_t* t) { static_cast<RdbPipeRelay*>(t->data)->relay(); }

void RdbPipeRelay::wait_for_room_or_data(bool room) {
  if (room) {
    uv_timer_stop(timer_);
    if (!polling_) uv_poll_start(poll_, UV_READABLE, on_poll);
    polling_ = true;
  } else {
    if (polling_) uv_poll_stop(poll_);
    polling_ = false;
    if (!uv_is_active(reinterpret_cast<uv_handle_t*>(timer_))) uv_timer_start(timer_, on_timer, 1, 1);
  }
}

void RdbPipeRelay::stop_waiting() {
  if (polling_) uv_poll_stop(poll_);
  polling_ = false;
  uv_timer_stop(timer_);
}

void RdbPipeRelay::relay() {
  for (int round = 0; round < kReadsPerWakeup; ++round) {
    std::vector<net::Connection*> targets = cb_.targets();
    if (targets.empty()) {
      stop_waiting();
      cb_.on_no_targets();
      return;
    }
    bool room = std::all_of(targets.begin(), targets.end(),
                            [](net::Connection* c) { return c->output_bytes() < kRdbTransferWindow; });
    if (!room) {
      wait_for_room_or_data(false);
      return;
    }
    chunk_.resize(kPipeChunk);
    ssize_t n = ::read(fd_, chunk_.data(), chunk_.size());
    if (n > 0) {
      std::string_view bytes(chunk_.data(), static_cast<size_t>(n));
      for (net::Connection* c : targets) {
        c->reply().raw(bytes);
        c->flush();
      }
      relayed_ += static_cast<uint64_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      wait_for_room_or_data(true);
      return;
    }
    // End of the pipe (the child closed it) or a read error.
    stop_waiting();
    cb_.on_end(n == 0);
    return;
  }
  wait_for_room_or_data(true);
}

// ------------------------------------------------------------------ RdbFileSender

RdbFileSender::RdbFileSender(const std::string& path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (fd_ < 0 || ::fstat(fd_, &st) != 0) {
    error_ = "Can't open/stat the RDB file " + path + ": " + std::strerror(errno);
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    return;
  }
  size_ = static_cast<uint64_t>(st.st_size);
}

RdbFileSender::~RdbFileSender() {
  if (fd_ >= 0) ::close(fd_);
}

bool RdbFileSender::pump(net::Connection& conn) {
  if (!header_sent_) {
    conn.reply().raw("$" + std::to_string(size_) + "\r\n");
    header_sent_ = true;
  }
  while (sent_ < size_ && conn.output_bytes() < kRdbTransferWindow) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(kFileChunk, size_ - sent_));
    chunk_.resize(want);
    ssize_t n = ::pread(fd_, chunk_.data(), want, static_cast<off_t>(sent_));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error_ = n == 0 ? std::string("the RDB file is shorter than its size") : std::strerror(errno);
      return false;
    }
    conn.reply().raw(std::string_view(chunk_.data(), static_cast<size_t>(n)));
    sent_ += static_cast<uint64_t>(n);
    conn.flush();
  }
  conn.flush();
  return true;
}

}  // namespace vigil::node::replication

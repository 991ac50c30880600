// Shared fixture for the NodeServer tests: a real NodeServer on a free
// loopback port, its libuv loop driven from the test thread, and raw RESP
// clients on non-blocking sockets (replies compared byte for byte).
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/config/registry.h"
#include "node/server/node_config.h"
#include "node/server/node_server.h"
#include "node/store/database.h"

namespace vigil::node::testing {

using Clock = std::chrono::steady_clock;

// Length of the first complete RESP value in buf, or 0 if incomplete.
inline size_t resp_value_length(const std::string& buf, size_t pos = 0) {
  if (pos >= buf.size()) return 0;
  size_t eol = buf.find("\r\n", pos);
  if (eol == std::string::npos) return 0;
  char type = buf[pos];
  std::string head = buf.substr(pos + 1, eol - pos - 1);
  size_t after = eol + 2;
  switch (type) {
    case '+': case '-': case ':': case '_': case ',': case '#': case '(':
      return after - pos;
    case '$': case '=': case '!': {
      long n = std::stol(head);
      if (n < 0) return after - pos;
      if (buf.size() < after + static_cast<size_t>(n) + 2) return 0;
      return after + static_cast<size_t>(n) + 2 - pos;
    }
    case '*': case '~': case '>': case '%': case '|': {
      long n = std::stol(head);
      if (n < 0) return after - pos;
      if (type == '%' || type == '|') n *= 2;
      size_t cur = after;
      for (long i = 0; i < n; i++) {
        size_t len = resp_value_length(buf, cur);
        if (len == 0) return 0;
        cur += len;
      }
      return cur - pos;
    }
    default:
      return 0;
  }
}

inline std::string encode_command(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

// Records what the server propagates.
struct RecordingPropagator : Propagator {
  std::vector<std::pair<int, std::vector<std::string>>> seen;
  void propagate(int db, const std::vector<std::string>& argv) override { seen.emplace_back(db, argv); }
};

class ServerFixture {
 public:
  explicit ServerFixture(const std::function<void(NodeConfig&)>& tweak = {}) {
    uv_loop_init(&loop_);
    register_node_config(registry_, config_);
    register_accepted_only_config(registry_, config_);
    config_.port = 0;  // any free port
    config_.bind = {"127.0.0.1"};
    if (tweak) tweak(config_);
    server_ = std::make_unique<NodeServer>(&loop_, config_, registry_);
    server_->add_propagator(&propagated);
    REQUIRE(server_->start().empty());
    port_ = server_->net().port();
  }
  ~ServerFixture() {
    for (int fd : fds_) close(fd);
    server_->stop();
    run_until([&] { return server_->net().connection_count() == 0; }, 2000);
    server_.reset();
    uv_run(&loop_, UV_RUN_NOWAIT);
    uv_loop_close(&loop_);
  }

  NodeServer& server() { return *server_; }
  NodeConfig& config() { return config_; }
  RecordingPropagator propagated;

  bool run_until(const std::function<bool()>& pred, int timeout_ms) {
    auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!pred()) {
      if (Clock::now() > deadline) return false;
      uv_run(&loop_, UV_RUN_NOWAIT);
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    return true;
  }
  void run_for(int ms) { run_until([] { return false; }, ms); }

  // A connected client socket; closed by the fixture.
  int connect() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port_));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    fds_.push_back(fd);
    buffers_.resize(static_cast<size_t>(fd) + 1);
    return fd;
  }

  void send(int fd, const std::string& raw) {
    size_t off = 0;
    auto deadline = Clock::now() + std::chrono::seconds(5);
    while (off < raw.size() && Clock::now() < deadline) {
      ssize_t n = ::send(fd, raw.data() + off, raw.size() - off, MSG_NOSIGNAL);
      if (n > 0) {
        off += static_cast<size_t>(n);
      } else {
        uv_run(&loop_, UV_RUN_NOWAIT);
      }
    }
    REQUIRE(off == raw.size());
  }

  // The next complete reply on fd ("" after timeout_ms).
  std::string read_reply(int fd, int timeout_ms = 2000) {
    std::string& buf = buffers_[static_cast<size_t>(fd)];
    size_t len = 0;
    run_until(
        [&] {
          pump(fd);
          len = resp_value_length(buf);
          return len > 0;
        },
        timeout_ms);
    if (len == 0) return {};
    std::string out = buf.substr(0, len);
    buf.erase(0, len);
    return out;
  }

  // Sends one command and returns its reply.
  std::string call(int fd, const std::vector<std::string>& args) {
    send(fd, encode_command(args));
    return read_reply(fd);
  }

  // True once the server closed fd.
  bool closed_by_server(int fd, int timeout_ms = 2000) {
    bool closed = false;
    run_until(
        [&] {
          closed = pump(fd);
          return closed;
        },
        timeout_ms);
    return closed;
  }

 private:
  // Appends readable bytes; returns true on EOF/error.
  bool pump(int fd) {
    char buf[65536];
    for (;;) {
      ssize_t r = ::recv(fd, buf, sizeof buf, 0);
      if (r > 0) {
        buffers_[static_cast<size_t>(fd)].append(buf, static_cast<size_t>(r));
        continue;
      }
      return r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
    }
  }

  uv_loop_t loop_{};
  NodeConfig config_;
  config::ConfigRegistry registry_;
  std::unique_ptr<NodeServer> server_;
  int port_ = 0;
  std::vector<int> fds_;
  std::vector<std::string> buffers_;
};

}  // namespace vigil::node::testing

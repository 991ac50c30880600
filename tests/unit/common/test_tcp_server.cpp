// TcpServer on a real libuv loop and real loopback sockets. The loop runs in
// the test thread: helpers alternate uv_run(NOWAIT) with non-blocking socket
// I/O until a condition holds or a deadline passes.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/net/tcp_server.h"

using vigil::net::Connection;
using vigil::net::ServerLimits;
using vigil::net::TcpServer;
using Clock = std::chrono::steady_clock;

namespace {

// A tiny command set: PING, ECHO x, BIG n (n-byte bulk), QUIT, BLOCK (suspend
// until WAKE from another client), POSTPONE (postpone once, run on WAKE).
struct TestService : vigil::net::Service {
  TcpServer* server = nullptr;
  std::set<uint64_t> open;
  int closed = 0;
  std::vector<uint64_t> suspended;
  bool postponed_once = false;
  std::vector<std::string> log;  // commands executed, in order

  bool on_connect(Connection& c) override {
    open.insert(c.id());
    return true;
  }
  void on_command(Connection& c, std::vector<std::string>& argv) override {
    const std::string& cmd = argv[0];
    log.push_back(cmd);
    auto& r = c.reply();
    if (cmd == "PING") {
      r.simple("PONG");
    } else if (cmd == "ECHO" && argv.size() == 2) {
      r.bulk(argv[1]);
    } else if (cmd == "BIG") {
      r.bulk(std::string(std::stoul(argv[1]), 'x'));
    } else if (cmd == "QUIT") {
      r.ok();
      c.close_after_reply();
    } else if (cmd == "BLOCK") {
      c.suspend();
      suspended.push_back(c.id());
    } else if (cmd == "POSTPONE" && !postponed_once) {
      postponed_once = true;
      suspended.push_back(c.id());
      log.pop_back();
      c.postpone(argv);
    } else if (cmd == "POSTPONE") {
      r.simple("RAN");
    } else if (cmd == "WAKE") {
      for (uint64_t id : suspended) {
        if (Connection* other = server->find(id)) {
          other->reply().simple("WOKEN");
          other->resume();
        }
      }
      suspended.clear();
      r.ok();
    } else {
      r.error("ERR unknown");
    }
  }
  void on_close(Connection& c) override {
    open.erase(c.id());
    ++closed;
  }
};

struct Fixture {
  uv_loop_t loop{};
  TestService service;
  std::unique_ptr<TcpServer> server;

  explicit Fixture(ServerLimits limits = {}) {
    uv_loop_init(&loop);
    server = std::make_unique<TcpServer>(&loop, service, limits);
    service.server = server.get();
    REQUIRE(server->listen({"127.0.0.1"}, 0).empty());
    REQUIRE(server->port() > 0);
  }
  ~Fixture() {
    server->shutdown();
    run_until([&] { return server->connection_count() == 0; }, 2000);
    server.reset();
    uv_run(&loop, UV_RUN_NOWAIT);
    uv_loop_close(&loop);
  }

  // Runs the loop until pred() or timeout; returns pred().
  bool run_until(const std::function<bool()>& pred, int timeout_ms) {
    auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!pred()) {
      if (Clock::now() > deadline) return false;
      uv_run(&loop, UV_RUN_NOWAIT);
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    return true;
  }

  int connect_client() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(server->port()));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
  }

  void send_all(int fd, const std::string& data) {
    size_t off = 0;
    auto deadline = Clock::now() + std::chrono::seconds(5);
    while (off < data.size() && Clock::now() < deadline) {
      ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n > 0) {
        off += static_cast<size_t>(n);
      } else {
        uv_run(&loop, UV_RUN_NOWAIT);
      }
    }
    REQUIRE(off == data.size());
  }

  // Reads until `n` bytes arrived, the peer closed (sets *eof), or timeout.
  std::string read_bytes(int fd, size_t n, int timeout_ms, bool* eof = nullptr) {
    std::string out;
    bool closed = false;
    run_until(
        [&] {
          char buf[65536];
          for (;;) {
            ssize_t r = ::recv(fd, buf, sizeof buf, 0);
            if (r > 0) {
              out.append(buf, static_cast<size_t>(r));
              continue;
            }
            if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) closed = true;
            break;
          }
          return closed || out.size() >= n;
        },
        timeout_ms);
    if (eof) *eof = closed;
    return out;
  }
};

}  // namespace

TEST_CASE("tcp server: pipelined commands are answered in order", "[tcp_server]") {
  Fixture f;
  int fd = f.connect_client();
  std::string expected;
  std::string req;
  for (int i = 0; i < 100; i++) {
    req += "*2\r\n$4\r\nECHO\r\n$" + std::to_string(std::to_string(i).size()) + "\r\n" + std::to_string(i) + "\r\n";
    expected += "$" + std::to_string(std::to_string(i).size()) + "\r\n" + std::to_string(i) + "\r\n";
  }
  req += "PING\r\n";  // inline command after multibulk ones
  expected += "+PONG\r\n";
  f.send_all(fd, req);
  CHECK(f.read_bytes(fd, expected.size(), 2000) == expected);
  CHECK(f.server->total_commands_processed == 101);
  close(fd);
}

TEST_CASE("tcp server: a request split across reads is reassembled", "[tcp_server]") {
  Fixture f;
  int fd = f.connect_client();
  std::string req = "*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n";
  for (char ch : req) {
    f.send_all(fd, std::string(1, ch));
    f.run_until([] { return false; }, 1);
  }
  CHECK(f.read_bytes(fd, 11, 2000) == "$5\r\nhello\r\n");
  close(fd);
}

TEST_CASE("tcp server: protocol error replies then closes", "[tcp_server]") {
  Fixture f;
  int fd = f.connect_client();
  f.send_all(fd, "PING\r\n*1\r\n$abc\r\nPING\r\n");
  bool eof = false;
  std::string got = f.read_bytes(fd, 1 << 20, 2000, &eof);
  CHECK(got == "+PONG\r\n-ERR Protocol error: invalid bulk length\r\n");
  CHECK(eof);
  CHECK(f.run_until([&] { return f.service.closed == 1; }, 2000));
  close(fd);
}

TEST_CASE("tcp server: QUIT-style close_after_reply flushes the reply first", "[tcp_server]") {
  Fixture f;
  int fd = f.connect_client();
  f.send_all(fd, "QUIT\r\nPING\r\n");
  bool eof = false;
  CHECK(f.read_bytes(fd, 1 << 20, 2000, &eof) == "+OK\r\n");
  CHECK(eof);
  close(fd);
}

TEST_CASE("tcp server: maxclients refuses extra clients with Redis's error", "[tcp_server]") {
  ServerLimits limits;
  limits.max_clients = 1;
  Fixture f(limits);
  int a = f.connect_client();
  REQUIRE(f.run_until([&] { return f.server->connection_count() == 1; }, 2000));
  int b = f.connect_client();
  bool eof = false;
  CHECK(f.read_bytes(b, 1 << 20, 2000, &eof) == "-ERR max number of clients reached\r\n");
  CHECK(eof);
  CHECK(f.server->rejected_connections == 1);
  // The first client still works.
  f.send_all(a, "PING\r\n");
  CHECK(f.read_bytes(a, 7, 2000) == "+PONG\r\n");
  close(a);
  close(b);
}

TEST_CASE("tcp server: idle clients are closed after timeout", "[tcp_server]") {
  ServerLimits limits;
  limits.idle_timeout_s = 1;
  Fixture f(limits);
  int fd = f.connect_client();
  auto start = Clock::now();
  bool eof = false;
  f.read_bytes(fd, 1 << 20, 4000, &eof);
  auto elapsed = Clock::now() - start;
  CHECK(eof);
  CHECK(elapsed >= std::chrono::milliseconds(900));
  CHECK(elapsed < std::chrono::milliseconds(3500));
  close(fd);
}

TEST_CASE("tcp server: suspended clients are never closed for idleness", "[tcp_server]") {
  ServerLimits limits;
  limits.idle_timeout_s = 1;
  Fixture f(limits);
  int fd = f.connect_client();
  f.send_all(fd, "BLOCK\r\n");
  bool eof = false;
  CHECK(f.read_bytes(fd, 1, 2500, &eof).empty());
  CHECK_FALSE(eof);
  close(fd);
}

TEST_CASE("tcp server: output buffer hard limit closes a slow reader", "[tcp_server]") {
  ServerLimits limits;
  limits.output[0] = {1 << 20, 0, 0};  // normal clients: 1 MB hard limit
  Fixture f(limits);
  int fd = f.connect_client();
  int rcv = 4096;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
  // 64 MB reply: far more than the socket buffers hold, so > 1 MB stays queued.
  f.send_all(fd, "BIG 67108864\r\n");
  CHECK(f.run_until([&] { return f.service.closed == 1; }, 5000));
  close(fd);
}

TEST_CASE("tcp server: a reply within limits is delivered completely", "[tcp_server]") {
  ServerLimits limits;
  limits.output[0] = {64 << 20, 0, 0};
  Fixture f(limits);
  int fd = f.connect_client();
  f.send_all(fd, "BIG 4000000\r\n");
  std::string got = f.read_bytes(fd, 4000000 + 12, 5000);
  CHECK(got.size() == 4000000 + 12);
  CHECK(f.service.closed == 0);
  close(fd);
}

TEST_CASE("tcp server: query buffer limit closes the client", "[tcp_server]") {
  ServerLimits limits;
  limits.max_query_buffer = 1 << 20;
  Fixture f(limits);
  int fd = f.connect_client();
  f.send_all(fd, "*2\r\n$4\r\nECHO\r\n$5000000\r\n" + std::string(2 << 20, 'a'));
  CHECK(f.run_until([&] { return f.service.closed == 1; }, 5000));
  close(fd);
}

TEST_CASE("tcp server: suspend holds later commands until resume, in order", "[tcp_server]") {
  Fixture f;
  int a = f.connect_client();
  int b = f.connect_client();
  f.send_all(a, "BLOCK\r\nPING\r\nECHO x\r\n");
  CHECK(f.read_bytes(a, 1, 300).empty());  // nothing answered while suspended
  f.send_all(b, "WAKE\r\n");
  CHECK(f.read_bytes(b, 5, 2000) == "+OK\r\n");
  CHECK(f.read_bytes(a, 25, 2000) == "+WOKEN\r\n+PONG\r\n$1\r\nx\r\n");
  close(a);
  close(b);
}

TEST_CASE("tcp server: a postponed command runs again on resume", "[tcp_server]") {
  Fixture f;
  int a = f.connect_client();
  int b = f.connect_client();
  f.send_all(a, "POSTPONE\r\nPING\r\n");
  CHECK(f.read_bytes(a, 1, 300).empty());
  f.send_all(b, "WAKE\r\n");
  CHECK(f.read_bytes(a, 21, 2000) == "+WOKEN\r\n+RAN\r\n+PONG\r\n");
  CHECK(f.service.log == std::vector<std::string>{"WAKE", "POSTPONE", "PING"});
  close(a);
  close(b);
}

TEST_CASE("tcp server: shutdown closes every client and the loop drains", "[tcp_server]") {
  uv_loop_t loop;
  uv_loop_init(&loop);
  TestService service;
  {
    TcpServer server(&loop, service);
    service.server = &server;
    REQUIRE(server.listen({"127.0.0.1"}, 0).empty());
    int fds[3];
    for (int& fd : fds) {
      fd = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(static_cast<uint16_t>(server.port()));
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    }
    auto deadline = Clock::now() + std::chrono::seconds(2);
    while (server.connection_count() < 3 && Clock::now() < deadline) uv_run(&loop, UV_RUN_NOWAIT);
    REQUIRE(server.connection_count() == 3);
    server.shutdown();
    // With everything closed the loop has no more handles: uv_run returns.
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK(service.closed == 3);
    CHECK(server.connection_count() == 0);
    for (int fd : fds) close(fd);
  }
  CHECK(uv_loop_close(&loop) == 0);
}

TEST_CASE("tcp server: listen errors and optional addresses", "[tcp_server]") {
  Fixture f;
  uv_loop_t loop;
  uv_loop_init(&loop);
  TestService service;
  {
    TcpServer second(&loop, service);
    std::string err = second.listen({"127.0.0.1"}, f.server->port());
    CHECK(err.find("Could not create server TCP listening socket 127.0.0.1:" +
                   std::to_string(f.server->port())) == 0);
    CHECK(err.find("address already in use") != std::string::npos);
    // "-addr" is optional: an unusable one is skipped.
    TcpServer third(&loop, service);
    CHECK(third.listen({"-192.0.2.1", "127.0.0.1"}, 0).empty());
    CHECK(third.port() > 0);
  }
  uv_run(&loop, UV_RUN_NOWAIT);
  uv_loop_close(&loop);
}

TEST_CASE("tcp server: peer and local addresses are ip:port", "[tcp_server]") {
  Fixture f;
  int fd = f.connect_client();
  REQUIRE(f.run_until([&] { return f.server->connection_count() == 1; }, 2000));
  Connection* c = f.server->connections().front();
  CHECK(c->local_addr() == "127.0.0.1:" + std::to_string(f.server->port()));
  CHECK(c->peer_addr().rfind("127.0.0.1:", 0) == 0);
  CHECK(c->fd() >= 0);
  close(fd);
}

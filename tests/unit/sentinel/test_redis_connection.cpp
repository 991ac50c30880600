// RedisConnection (hiredis async on libuv): connect failures, connect and command
// timeouts, replies, pub/sub messages, and release() from inside every kind of callback
// (the hiredis lifetime rules it encapsulates). Runs its own loop against in-process
// servers: a closed port, a listener that never answers, and a scripted RESP peer.
#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <functional>
#include <string>
#include <vector>

#include "sentinel/io/link_manager.h"
#include "sentinel/io/redis_connection.h"

using namespace vigil::sentinel;
using namespace vigil::sentinel::io;

namespace {

// A listening socket nobody accepts from: connects succeed (kernel backlog), nothing is
// ever answered, like a SIGSTOPped server.
struct SilentListener {
  int fd = -1;
  int port = 0;
  SilentListener() {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    listen(fd, 16);
    socklen_t len = sizeof(a);
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~SilentListener() { close(fd); }
};

int closed_port() {
  SilentListener l;
  return l.port;   // closed again when l goes away
}

// A scripted RESP peer on the loop: answers every command line it receives with
// `answer`, and after the first command also pushes one pub/sub message.
struct ScriptedPeer {
  uv_tcp_t server{};
  std::vector<uv_tcp_t*> clients;
  int port = 0;
  std::string answer = "+PONG\r\n";
  bool push_message = false;
  std::string received;

  explicit ScriptedPeer(uv_loop_t* loop) {
    uv_tcp_init(loop, &server);
    server.data = this;
    sockaddr_in a{};
    uv_ip4_addr("127.0.0.1", 0, &a);
    uv_tcp_bind(&server, reinterpret_cast<const sockaddr*>(&a), 0);
    uv_listen(reinterpret_cast<uv_stream_t*>(&server), 16, [](uv_stream_t* s, int) {
      auto* self = static_cast<ScriptedPeer*>(s->data);
      auto* client = new uv_tcp_t;
      self->clients.push_back(client);
      uv_tcp_init(s->loop, client);
      client->data = self;
      uv_accept(s, reinterpret_cast<uv_stream_t*>(client));
      uv_read_start(
          reinterpret_cast<uv_stream_t*>(client),
          [](uv_handle_t*, size_t n, uv_buf_t* b) {
            b->base = new char[n];
            b->len = n;
          },
          [](uv_stream_t* c, ssize_t n, const uv_buf_t* b) {
            auto* me = static_cast<ScriptedPeer*>(c->data);
            if (n > 0) {
              me->received.append(b->base, static_cast<size_t>(n));
              // One answer per complete multibulk command header seen.
              std::string out;
              size_t pos;
              while ((pos = me->received.find('*')) != std::string::npos) {
                me->received.erase(0, pos + 1);
                out += me->answer;
                if (me->push_message) {
                  out += "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$7\r\npayload\r\n";
                  me->push_message = false;
                }
              }
              if (!out.empty()) {
                auto* req = new uv_write_t;
                auto* data = new std::string(std::move(out));
                req->data = data;
                uv_buf_t wb = uv_buf_init(data->data(), static_cast<unsigned>(data->size()));
                uv_write(req, c, &wb, 1, [](uv_write_t* r, int) {
                  delete static_cast<std::string*>(r->data);
                  delete r;
                });
              }
            }
            delete[] b->base;
          });
    });
    sockaddr_in bound{};
    int len = sizeof(bound);
    uv_tcp_getsockname(&server, reinterpret_cast<sockaddr*>(&bound), &len);
    port = ntohs(bound.sin_port);
  }

  void close_all() {
    uv_close(reinterpret_cast<uv_handle_t*>(&server), nullptr);
    for (uv_tcp_t* client : clients)
      uv_close(reinterpret_cast<uv_handle_t*>(client),
               [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
  }
};

// Runs the loop until done() or the deadline; returns done().
bool run_until(uv_loop_t* loop, const std::function<bool()>& done, uint64_t timeout_ms = 3000) {
  const uint64_t deadline = uv_now(loop) + timeout_ms;
  while (!done() && uv_now(loop) < deadline) uv_run(loop, UV_RUN_ONCE);
  return done();
}

void drain(uv_loop_t* loop) {
  for (int i = 0; i < 50; ++i) uv_run(loop, UV_RUN_NOWAIT);
}

ConnectionOptions opts(int port, uint64_t connect_timeout = 1000) {
  ConnectionOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.connect_timeout_ms = connect_timeout;
  o.handshake = {{"CLIENT", "SETNAME", "sentinel-test-cmd"}};
  return o;
}

}  // namespace

TEST_CASE("refused connection reports down once, never up", "[io]") {
  uv_loop_t loop;
  uv_loop_init(&loop);
  int ups = 0, downs = 0;
  RedisConnection* c = RedisConnection::create(&loop, opts(closed_port()), [&] { ++ups; },
                                               [&](std::string_view) { ++downs; });
  REQUIRE(run_until(&loop, [&] { return downs > 0; }));
  CHECK(ups == 0);
  CHECK(downs == 1);
  CHECK_FALSE(c->send({"PING"}, 100, [](const Reply*) {}));
  c->release();
  drain(&loop);
  CHECK(uv_loop_close(&loop) == 0);
}

TEST_CASE("a server that never answers is torn down by the command timeout", "[io]") {
  uv_loop_t loop;
  uv_loop_init(&loop);
  SilentListener silent;
  int ups = 0, failed_replies = 0;
  std::string reason;
  RedisConnection* c = nullptr;
  c = RedisConnection::create(&loop, opts(silent.port), [&] { ++ups; },
                              [&](std::string_view r) {
                                reason = std::string(r);
                                c->release();   // releasing from inside the down callback
                                c = nullptr;
                              });
  REQUIRE(c->send({"PING"}, 300, [&](const Reply* r) { failed_replies += r == nullptr; }));
  REQUIRE(run_until(&loop, [&] { return c == nullptr; }));
  CHECK(ups == 1);
  CHECK(reason == "command timeout");
  CHECK(failed_replies == 1);
  drain(&loop);
  CHECK(uv_loop_close(&loop) == 0);
}

TEST_CASE("replies, pub/sub messages, and release inside a reply callback", "[io]") {
  uv_loop_t loop;
  uv_loop_init(&loop);
  ScriptedPeer peer(&loop);
  peer.push_message = true;
  std::string local_ip, got_reply, channel, payload;
  bool up = false;
  RedisConnection* c = RedisConnection::create(&loop, opts(peer.port), [&] { up = true; },
                                               [&](std::string_view) {});
  REQUIRE(c->subscribe("ch", 1000, [&](std::string_view ch, std::string_view p) {
    channel = std::string(ch);
    payload = std::string(p);
  }));
  REQUIRE(run_until(&loop, [&] { return up && !payload.empty(); }));
  CHECK(c->local_ip() == "127.0.0.1");
  CHECK(channel == "ch");
  CHECK(payload == "payload");

  RedisConnection* d = RedisConnection::create(&loop, opts(peer.port), [] {}, [](std::string_view) {});
  bool second_called = false;
  REQUIRE(d->send({"PING"}, 1000, [&](const Reply* r) {
    REQUIRE(r != nullptr);
    got_reply = r->str;
    d->release();   // inside hiredis's reply callback: freed later, never twice
  }));
  REQUIRE(d->send({"PING"}, 1000, [&](const Reply*) { second_called = true; }));
  REQUIRE(run_until(&loop, [&] { return !got_reply.empty(); }));
  CHECK(got_reply == "PONG");
  drain(&loop);
  CHECK_FALSE(second_called);   // released: no callback after release()
  c->release();
  peer.close_all();
  drain(&loop);
  CHECK(uv_loop_close(&loop) == 0);
}

TEST_CASE("LinkManager maps core effects onto connections and reports back", "[io]") {
  uv_loop_t loop;
  uv_loop_init(&loop);
  ScriptedPeer peer(&loop);
  std::vector<ConnId> ups, downs;
  std::vector<RequestId> replies;
  LinkManager::Events ev;
  ev.up = [&](ConnId id, const std::string&) { ups.push_back(id); };
  ev.down = [&](ConnId id, const std::string&) { downs.push_back(id); };
  ev.reply = [&](RequestId id, const Reply&) { replies.push_back(id); };
  LinkManager links(&loop, LinkLimits{}, ev);

  ConnectEffect good;
  good.conn_id = 1;
  good.addr = Address{"127.0.0.1", peer.port};
  good.handshake = {{"CLIENT", "SETNAME", "x"}};
  links.connect(good);
  ConnectEffect bad = good;
  bad.conn_id = 2;
  bad.addr.port = closed_port();
  links.connect(bad);
  SendCommandEffect ping;
  ping.id = 77;
  ping.conn_id = 1;
  ping.argv = {"PING"};
  links.send(ping);
  SendCommandEffect to_unknown = ping;
  to_unknown.conn_id = 99;   // already gone: ignored, no report
  links.send(to_unknown);

  const bool done = run_until(&loop, [&] { return !replies.empty() && !downs.empty(); });
  INFO("ups=" << ups.size() << " first up=" << (ups.empty() ? 0 : ups[0]) << " downs=" << downs.size() << " replies=" << replies.size());
  REQUIRE(done);
  CHECK(ups == std::vector<ConnId>{1});
  CHECK(downs == std::vector<ConnId>{2});
  CHECK(replies == std::vector<RequestId>{77});
  links.disconnect(1);   // asked by the core: no down report
  drain(&loop);
  CHECK(downs.size() == 1);
  CHECK(links.size() == 0);
  peer.close_all();
  drain(&loop);
  CHECK(uv_loop_close(&loop) == 0);
}

// One outbound RESP connection (hiredis 0.14 async on libuv) with the safety
// rails hiredis lacks: a connect timeout, per-command timeouts, a cap on pending
// commands, and teardown that is safe from inside any hiredis callback.
//
// Lifetime: create() returns an object the owner must give back with release();
// after release() no user callback runs again and the object frees itself once
// hiredis and libuv are done with it. hiredis rules this encapsulates: never
// free a context inside its connect/disconnect callback, a context is freed by
// hiredis itself after a failed connect or a disconnect callback, and
// redisAsyncFree() calls every pending reply callback with a NULL reply.
#pragma once

#include <uv.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/core/types.h"

struct redisAsyncContext;
struct redisReply;

namespace vigil::sentinel::io {

// Owned copy of a hiredis reply (the core's Reply type), so nothing above io/
// depends on hiredis.
Reply reply_from_hiredis(const redisReply* r);

struct ConnectionOptions {
  std::string host;
  int port = 0;
  uint64_t connect_timeout_ms = 1000;
  size_t max_pending = 100;        // SENTINEL_MAX_PENDING_COMMANDS
  // Sent pipelined right after connect, before any user command; their replies
  // are ignored (as Redis does), e.g. AUTH and CLIENT SETNAME.
  std::vector<std::vector<std::string>> handshake;
};

class RedisConnection {
 public:
  // reply == nullptr: the command failed (link closed or timed out).
  using ReplyFn = std::function<void(const Reply* reply)>;
  using MessageFn = std::function<void(std::string_view channel, std::string_view payload)>;
  // Called once when the connection is established, and once when it is lost
  // (for whatever reason: refused, timeout, EOF, error, close()).
  using UpFn = std::function<void()>;
  using DownFn = std::function<void(std::string_view reason)>;

  static RedisConnection* create(uv_loop_t* loop, ConnectionOptions opts, UpFn on_up,
                                 DownFn on_down);
  // Owner gives up the object: no further callbacks; freed asynchronously.
  void release();

  // Sends a command. Returns false (and never calls fn) if the connection is
  // closed or has max_pending commands in flight. A command not answered within
  // timeout_ms tears the whole connection down: an instance that stops
  // answering is unreachable, never a hanging link.
  bool send(const std::vector<std::string>& argv, uint64_t timeout_ms, ReplyFn fn);
  // SUBSCRIBE on this connection; fn receives each "message" on the channel.
  bool subscribe(const std::string& channel, uint64_t timeout_ms, MessageFn fn);

  // Closes the connection now (or as soon as hiredis allows); on_down runs.
  void close(std::string_view reason);

  bool connected() const { return connected_; }
  bool closed() const { return ctx_ == nullptr; }
  size_t pending() const { return pending_.size(); }
  // Local address of the socket (getsockname), "" if not connected.
  std::string local_ip() const;

 private:
  struct Pending {
    uint64_t id;
    uint64_t deadline_ms;   // uv_now based
    ReplyFn fn;
  };
  struct Tag {              // hiredis privdata for one command
    RedisConnection* self;
    uint64_t id;
  };

  RedisConnection(uv_loop_t* loop, ConnectionOptions opts, UpFn on_up, DownFn on_down);
  ~RedisConnection() = default;
  void start();
  void arm_watchdog();
  void schedule_watchdog_now();
  void on_watchdog();
  void fail(std::string reason);
  void teardown_context();
  void maybe_self_delete();
  void finish_pending_with_failure();

  static void connect_cb(const redisAsyncContext* ac, int status);
  static void disconnect_cb(const redisAsyncContext* ac, int status);
  static void reply_cb(redisAsyncContext* ac, void* reply, void* privdata);
  static void message_cb(redisAsyncContext* ac, void* reply, void* privdata);

  uv_loop_t* loop_;
  ConnectionOptions opts_;
  UpFn on_up_;
  DownFn on_down_;
  MessageFn on_message_;
  redisAsyncContext* ctx_ = nullptr;
  uv_timer_t* watchdog_ = nullptr;   // connect + command timeouts, deferred free
  uint64_t connect_deadline_ms_ = 0;
  std::deque<Pending> pending_;
  uint64_t next_id_ = 1;
  bool connected_ = false;
  bool down_reported_ = false;
  bool released_ = false;
  bool free_requested_ = false;      // redisAsyncFree wanted outside a callback
  int in_callback_ = 0;              // depth of hiredis callbacks on the stack
  std::string close_reason_;
};

}  // namespace vigil::sentinel::io

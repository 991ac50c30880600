#include "sentinel/io/redis_connection.h"

#include <arpa/inet.h>
#include "sentinel/io/hiredis_libuv.h"
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <utility>

namespace vigil::sentinel::io {

namespace {
constexpr uint64_t kWatchdogPeriodMs = 100;
}

Reply reply_from_hiredis(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING: out.type = Reply::Type::Bulk; break;
    case REDIS_REPLY_ARRAY: out.type = Reply::Type::Array; break;
    case REDIS_REPLY_INTEGER: out.type = Reply::Type::Integer; break;
    case REDIS_REPLY_STATUS: out.type = Reply::Type::Status; break;
    case REDIS_REPLY_ERROR: out.type = Reply::Type::Error; break;
    default: out.type = Reply::Type::Nil; break;
  }
  if (r->str != nullptr) out.str.assign(r->str, r->len);
  out.integer = r->integer;
  if (r->type == REDIS_REPLY_ARRAY) {
    out.elements.reserve(r->elements);
    for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(reply_from_hiredis(r->element[i]));
  }
  return out;
}

RedisConnection* RedisConnection::create(uv_loop_t* loop, ConnectionOptions opts, UpFn on_up,
                                         DownFn on_down) {
  auto* c = new RedisConnection(loop, std::move(opts), std::move(on_up), std::move(on_down));
  c->start();
  return c;
}

RedisConnection::RedisConnection(uv_loop_t* loop, ConnectionOptions opts, UpFn on_up,
                                 DownFn on_down)
    : loop_(loop), opts_(std::move(opts)), on_up_(std::move(on_up)), on_down_(std::move(on_down)) {}

void RedisConnection::start() {
  watchdog_ = new uv_timer_t;
  uv_timer_init(loop_, watchdog_);
  watchdog_->data = this;
  arm_watchdog();

  // Failures here are reported from the watchdog, never from inside create().
  ctx_ = redisAsyncConnect(opts_.host.c_str(), opts_.port);
  if (ctx_ == nullptr) {
    close_reason_ = "out of memory";
    schedule_watchdog_now();
    return;
  }
  if (ctx_->err) {
    // Immediate failure (bad address): hiredis did not start connecting.
    close_reason_ = ctx_->errstr;
    redisAsyncFree(ctx_);
    ctx_ = nullptr;
    schedule_watchdog_now();
    return;
  }
  ctx_->data = this;
  if (attach_hiredis_to_libuv(ctx_, loop_) != REDIS_OK) {
    redisAsyncFree(ctx_);
    ctx_ = nullptr;
    close_reason_ = "cannot attach to event loop";
    schedule_watchdog_now();
    return;
  }
  redisAsyncSetConnectCallback(ctx_, connect_cb);
  redisAsyncSetDisconnectCallback(ctx_, disconnect_cb);
  connect_deadline_ms_ = uv_now(loop_) + opts_.connect_timeout_ms;
  for (const auto& argv : opts_.handshake) send(argv, opts_.connect_timeout_ms, nullptr);
}

void RedisConnection::arm_watchdog() {
  uv_timer_start(
      watchdog_, [](uv_timer_t* t) { static_cast<RedisConnection*>(t->data)->on_watchdog(); },
      kWatchdogPeriodMs, kWatchdogPeriodMs);
}

void RedisConnection::schedule_watchdog_now() {
  uv_timer_start(
      watchdog_, [](uv_timer_t* t) { static_cast<RedisConnection*>(t->data)->on_watchdog(); }, 0,
      kWatchdogPeriodMs);
}

void RedisConnection::on_watchdog() {
  if (free_requested_ && in_callback_ == 0) {
    free_requested_ = false;
    teardown_context();
  }
  if (ctx_ == nullptr && !down_reported_) fail(close_reason_.empty() ? "closed" : close_reason_);
  if (ctx_ != nullptr) {
    const uint64_t now = uv_now(loop_);
    if (!connected_ && now >= connect_deadline_ms_) {
      close("connect timeout");
    } else if (!pending_.empty() && now >= pending_.front().deadline_ms) {
      close("command timeout");
    }
  }
  maybe_self_delete();
}

// Frees the hiredis context. Only ever called with no hiredis callback on the
// stack; redisAsyncFree runs the pending callbacks (NULL reply) and the
// disconnect callback synchronously, which clear ctx_ and pending_.
void RedisConnection::teardown_context() {
  if (ctx_ == nullptr) return;
  redisAsyncContext* ac = ctx_;
  ++in_callback_;
  redisAsyncFree(ac);
  --in_callback_;
  ctx_ = nullptr;
  connected_ = false;
  finish_pending_with_failure();
  if (!down_reported_) fail(close_reason_.empty() ? "closed" : close_reason_);
}

void RedisConnection::close(std::string_view reason) {
  if (close_reason_.empty()) close_reason_ = std::string(reason);
  if (ctx_ == nullptr) {
    if (!down_reported_) fail(close_reason_);
    return;
  }
  if (in_callback_ > 0) {
    // Inside a hiredis callback: free on the next loop iteration.
    free_requested_ = true;
    schedule_watchdog_now();
    return;
  }
  teardown_context();
}

void RedisConnection::release() {
  released_ = true;
  on_up_ = nullptr;
  on_down_ = nullptr;
  on_message_ = nullptr;
  for (auto& p : pending_) p.fn = nullptr;
  close("released");
  maybe_self_delete();
}

void RedisConnection::maybe_self_delete() {
  if (!released_ || watchdog_ == nullptr) return;
  if (ctx_ != nullptr || in_callback_ > 0) {
    schedule_watchdog_now();   // retry once hiredis has let go
    return;
  }
  uv_timer_stop(watchdog_);
  watchdog_->data = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(watchdog_),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
  watchdog_ = nullptr;
  delete this;
}

void RedisConnection::fail(std::string reason) {
  if (down_reported_) return;
  down_reported_ = true;
  connected_ = false;
  finish_pending_with_failure();
  if (on_down_) {
    auto fn = on_down_;   // the callback may release() us
    ++in_callback_;
    fn(reason);
    --in_callback_;
  }
}

void RedisConnection::finish_pending_with_failure() {
  auto failed = std::move(pending_);
  pending_.clear();
  for (auto& p : failed) {
    if (p.fn) {
      ++in_callback_;
      p.fn(nullptr);
      --in_callback_;
    }
  }
}

bool RedisConnection::send(const std::vector<std::string>& argv, uint64_t timeout_ms, ReplyFn fn) {
  if (ctx_ == nullptr || down_reported_ || free_requested_ || argv.empty()) return false;
  if (pending_.size() >= opts_.max_pending) return false;
  std::vector<const char*> args;
  std::vector<size_t> lens;
  for (const auto& a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* tag = new Tag{this, next_id_++};
  if (redisAsyncCommandArgv(ctx_, reply_cb, tag, static_cast<int>(args.size()), args.data(),
                            lens.data()) != REDIS_OK) {
    delete tag;
    return false;
  }
  pending_.push_back(Pending{tag->id, uv_now(loop_) + timeout_ms, std::move(fn)});
  return true;
}

bool RedisConnection::subscribe(const std::string& channel, uint64_t timeout_ms, MessageFn fn) {
  if (ctx_ == nullptr || down_reported_ || free_requested_) return false;
  on_message_ = std::move(fn);
  const char* args[] = {"SUBSCRIBE", channel.c_str()};
  size_t lens[] = {9, channel.size()};
  if (redisAsyncCommandArgv(ctx_, message_cb, this, 2, args, lens) != REDIS_OK) return false;
  // The subscription confirmation must arrive in time like any reply; it is
  // tracked as a pending entry completed by the first callback on the channel.
  pending_.push_back(Pending{0, uv_now(loop_) + timeout_ms, nullptr});
  return true;
}

std::string RedisConnection::local_ip() const {
  if (ctx_ == nullptr || !connected_) return {};
  sockaddr_storage sa{};
  socklen_t len = sizeof(sa);
  if (getsockname(ctx_->c.fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0) return {};
  char buf[INET6_ADDRSTRLEN] = {0};
  if (sa.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&sa)->sin_addr, buf, sizeof(buf));
  } else if (sa.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&sa)->sin6_addr, buf, sizeof(buf));
  }
  return buf;
}

void RedisConnection::connect_cb(const redisAsyncContext* ac, int status) {
  auto* self = static_cast<RedisConnection*>(ac->data);
  if (self == nullptr) return;
  if (status != REDIS_OK) {
    // hiredis frees the context right after this callback returns.
    std::string err = ac->errstr;
    self->ctx_ = nullptr;
    ++self->in_callback_;
    self->close_reason_ = err;
    self->fail(err);
    --self->in_callback_;
    // Deleting now would leave hiredis's pending reply callbacks dangling.
    if (self->released_) self->schedule_watchdog_now();
    return;
  }
  self->connected_ = true;
  if (self->on_up_) {
    auto fn = self->on_up_;
    ++self->in_callback_;
    fn();
    --self->in_callback_;
  }
}

void RedisConnection::disconnect_cb(const redisAsyncContext* ac, int /*status*/) {
  auto* self = static_cast<RedisConnection*>(ac->data);
  if (self == nullptr) return;
  // hiredis frees the context right after this callback returns.
  std::string err = ac->err ? ac->errstr : "connection closed";
  self->ctx_ = nullptr;
  ++self->in_callback_;
  self->fail(self->close_reason_.empty() ? err : self->close_reason_);
  --self->in_callback_;
  if (self->released_) self->schedule_watchdog_now();
}

void RedisConnection::reply_cb(redisAsyncContext* /*ac*/, void* reply, void* privdata) {
  auto* tag = static_cast<Tag*>(privdata);
  RedisConnection* self = tag->self;
  const uint64_t id = tag->id;
  delete tag;
  // Replies arrive in order: the answered command is the oldest pending one.
  ReplyFn fn;
  bool found = false;
  for (auto it = self->pending_.begin(); it != self->pending_.end(); ++it) {
    if (it->id == id) {
      fn = std::move(it->fn);
      self->pending_.erase(it);
      found = true;
      break;
    }
  }
  if (!found || !fn || self->released_) return;
  ++self->in_callback_;
  if (reply == nullptr) {
    fn(nullptr);
  } else {
    Reply r = reply_from_hiredis(static_cast<redisReply*>(reply));
    fn(&r);
  }
  --self->in_callback_;
}

void RedisConnection::message_cb(redisAsyncContext* /*ac*/, void* reply, void* privdata) {
  auto* self = static_cast<RedisConnection*>(privdata);
  if (reply == nullptr) return;
  // First callback on the channel is the subscription confirmation.
  for (auto it = self->pending_.begin(); it != self->pending_.end(); ++it) {
    if (it->id == 0) {
      self->pending_.erase(it);
      break;
    }
  }
  auto* r = static_cast<redisReply*>(reply);
  if (r->type != REDIS_REPLY_ARRAY || r->elements != 3) return;
  const redisReply* kind = r->element[0];
  const redisReply* chan = r->element[1];
  const redisReply* payload = r->element[2];
  if (kind->type != REDIS_REPLY_STRING || chan->type != REDIS_REPLY_STRING ||
      payload->type != REDIS_REPLY_STRING)
    return;
  if (std::string_view(kind->str, kind->len) != "message") return;
  if (!self->on_message_ || self->released_) return;
  auto fn = self->on_message_;
  ++self->in_callback_;
  fn(std::string_view(chan->str, chan->len), std::string_view(payload->str, payload->len));
  --self->in_callback_;
}

}  // namespace vigil::sentinel::io

#include "common/net/tcp_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

namespace vigil::net {

namespace {

constexpr size_t kReadBufSize = 64 * 1024;
constexpr uint64_t kCronIntervalMs = 250;

using Clock = std::chrono::steady_clock;

// "ip:port", with IPv6 addresses in brackets as Redis's anetFormatAddr prints them.
std::string format_addr(const sockaddr_storage& ss) {
  char ip[INET6_ADDRSTRLEN] = {0};
  int port = 0;
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    uv_ip4_name(a, ip, sizeof ip);
    port = ntohs(a->sin_port);
    return std::string(ip) + ":" + std::to_string(port);
  }
  if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    uv_ip6_name(a, ip, sizeof ip);
    port = ntohs(a->sin6_port);
    return "[" + std::string(ip) + "]:" + std::to_string(port);
  }
  return "?:0";
}

struct WriteReq {
  uv_write_t req;
  std::string data;
};

}  // namespace

// libuv callbacks, friends of Connection and TcpServer.
struct ConnectionIo {
  static void alloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
    auto* c = static_cast<Connection*>(h->data);
    buf->base = c->server_->read_buf_.get();
    buf->len = kReadBufSize;
  }

  static void read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
    auto* c = static_cast<Connection*>(s->data);
    if (nread < 0) {  // EOF or error
      c->close();
      return;
    }
    if (nread == 0 || c->closing_ || c->close_after_reply_) return;
    TcpServer* srv = c->server_;
    srv->total_net_input_bytes += static_cast<uint64_t>(nread);
    c->last_interaction_ = Clock::now();
    c->parser_.feed(buf->base, static_cast<size_t>(nread));
    c->process_input();
    if (!c->closing_ && c->parser_.buffered() > srv->limits_.max_query_buffer) {
      spdlog::warn("Closing client that reached max query buffer length: id={} addr={} (qbuf={})",
                   c->id_, c->peer_addr_, c->parser_.buffered());
      c->close();
    }
  }

  static void written(uv_write_t* req, int status) {
    auto* w = reinterpret_cast<WriteReq*>(req);
    auto* c = static_cast<Connection*>(req->handle->data);
    size_t n = w->data.size();
    delete w;
    c->on_write_done(n, status);
  }

  static void closed(uv_handle_t* h) {
    auto* c = static_cast<Connection*>(h->data);
    c->server_->destroy(c);
  }
};

// ---------------------------------------------------------------- Connection

Connection::Connection(TcpServer* server, uint64_t id)
    : server_(server), id_(id), parser_(server->limits_.parser) {
  created_ = last_interaction_ = Clock::now();
}

int Connection::fd() const {
  uv_os_fd_t fd = -1;
  if (handle_ == nullptr || uv_fileno(reinterpret_cast<const uv_handle_t*>(handle_), &fd) != 0) {
    return -1;
  }
  return fd;
}

void Connection::process_input() {
  if (in_dispatch_) return;  // never re-entrant; the outer loop picks up the rest
  in_dispatch_ = true;
  std::vector<std::string>& argv = server_->argv_;
  if (has_postponed_ && !suspended_ && !closing_) {
    has_postponed_ = false;
    argv = std::move(postponed_);
    postponed_.clear();
    ++server_->total_commands_processed;
    server_->service_.on_command(*this, argv);
  }
  while (!closing_ && !close_after_reply_ && !suspended_) {
    auto st = parser_.next(argv);
    if (st == resp::RequestParser::Status::kNeedMore) break;
    if (st == resp::RequestParser::Status::kError) {
      // Redis replies the protocol error, then closes once it is written.
      reply_.error("ERR " + parser_.error());
      close_after_reply_ = true;
      break;
    }
    ++server_->total_commands_processed;
    server_->service_.on_command(*this, argv);
    // Redis checks the limit on every reply it appends. Checking only at flush() lets
    // one 64 KB read of pipelined GETs queue hundreds of MB before the check runs.
    if (over_hard_output_limit()) {
      close_for_output_limit();
      break;
    }
  }
  in_dispatch_ = false;
  // As Redis's handleClientsWithPendingWrites: replies go out once every
  // readable client of this loop iteration has run its commands (the check
  // phase, right after the poll). One burst of writes wakes a peer that
  // serves many connections once instead of once per reply.
  if (!out_.empty()) flush_later();
  close_if_done();
}

void Connection::flush() {
  if (closing_ || out_.empty()) return;
  auto* stream = reinterpret_cast<uv_stream_t*>(handle_);
  size_t written = 0;
  if (in_flight_bytes_ == 0) {
    // Fast path: the kernel usually takes the whole batch at once.
    uv_buf_t b = uv_buf_init(out_.data(), static_cast<unsigned>(out_.size()));
    int n = uv_try_write(stream, &b, 1);
    if (n > 0) {
      written = static_cast<size_t>(n);
      server_->total_net_output_bytes += written;
    } else if (n < 0 && n != UV_EAGAIN && n != UV_ENOSYS) {
      close();
      return;
    }
    if (written == out_.size()) {
      out_.clear();
      return;
    }
  }
  auto* w = new WriteReq;
  if (written == 0) {
    w->data = std::move(out_);
  } else {
    w->data.assign(out_, written, std::string::npos);
  }
  out_.clear();
  uv_buf_t b = uv_buf_init(w->data.data(), static_cast<unsigned>(w->data.size()));
  size_t n = w->data.size();
  int rc = uv_write(&w->req, stream, &b, 1, ConnectionIo::written);
  if (rc < 0) {
    delete w;
    close();
    return;
  }
  in_flight_bytes_ += n;
  if (over_output_limit(Clock::now())) close_for_output_limit();
}

bool Connection::over_hard_output_limit() const {
  uint64_t hard = server_->limits_.output[static_cast<int>(class_)].hard_bytes;
  return hard != 0 && output_bytes() >= hard;
}

void Connection::close_for_output_limit() {
  spdlog::warn("Client id={} addr={} closed for overcoming of output buffer limits.", id_,
               peer_addr_);
  close();
}

void Connection::flush_later() {
  if (flush_queued_ || closing_) return;
  flush_queued_ = true;
  server_->flush_queue_.push_back(id_);
}

void Connection::on_write_done(size_t bytes, int status) {
  in_flight_bytes_ -= bytes;
  if (status < 0) {
    close();
    return;
  }
  server_->total_net_output_bytes += bytes;
  close_if_done();
}

void Connection::close_if_done() {
  if (close_after_reply_ && !closing_ && out_.empty() && in_flight_bytes_ == 0) close();
}

bool Connection::over_output_limit(Clock::time_point now) {
  const OutputBufferLimit& lim = server_->limits_.output[static_cast<int>(class_)];
  uint64_t used = output_bytes();
  if (over_hard_output_limit()) return true;
  if (lim.soft_bytes && used >= lim.soft_bytes) {
    if (soft_limit_since_ == Clock::time_point{}) {
      soft_limit_since_ = now;
      return false;
    }
    return now - soft_limit_since_ > std::chrono::seconds(lim.soft_seconds);
  }
  soft_limit_since_ = {};
  return false;
}

void Connection::close_after_reply() {
  if (closing_) return;
  close_after_reply_ = true;
  if (handle_) uv_read_stop(reinterpret_cast<uv_stream_t*>(handle_));
  if (!in_dispatch_) {
    flush();
    close_if_done();
  }
}

void Connection::close() {
  if (closing_) return;
  closing_ = true;
  out_.clear();
  auto* h = reinterpret_cast<uv_handle_t*>(handle_);
  uv_read_stop(reinterpret_cast<uv_stream_t*>(handle_));
  uv_close(h, ConnectionIo::closed);
}

void Connection::suspend() { suspended_ = true; }

void Connection::resume() {
  if (!suspended_) return;
  suspended_ = false;
  if (!closing_) server_->queue_resume(this);
}

void Connection::postpone(std::vector<std::string> argv) {
  postponed_ = std::move(argv);
  has_postponed_ = true;
  suspended_ = true;
}

// ---------------------------------------------------------------- TcpServer

template <class T>
void TcpServer::close_owned(T* h) {
  h->data = this;
  ++handles_open_;
  uv_close(reinterpret_cast<uv_handle_t*>(h), [](uv_handle_t* x) {
    static_cast<TcpServer*>(x->data)->handles_open_--;
    delete reinterpret_cast<T*>(x);
  });
}

TcpServer::TcpServer(uv_loop_t* loop, Service& service, ServerLimits limits)
    : loop_(loop), service_(service), limits_(limits), read_buf_(new char[kReadBufSize]) {
  cron_ = new uv_timer_t;
  uv_timer_init(loop_, cron_);
  cron_->data = this;
  uv_timer_start(cron_, on_cron, kCronIntervalMs, kCronIntervalMs);
  prepare_ = new uv_prepare_t;
  uv_prepare_init(loop_, prepare_);
  prepare_->data = this;
  uv_prepare_start(prepare_, on_prepare);
  check_ = new uv_check_t;
  uv_check_init(loop_, check_);
  check_->data = this;
  uv_check_start(check_, on_check);
}

TcpServer::~TcpServer() {
  service_gone_ = true;
  shutdown();
  while (handles_open_ > 0 || !conns_.empty()) uv_run(loop_, UV_RUN_NOWAIT);
}

std::string TcpServer::open_listeners(const std::vector<std::string>& addrs, int port, int backlog,
                                      std::vector<uv_tcp_t*>* opened, int* bound_port) {
  *bound_port = port;
  for (const std::string& spec : addrs) {
    // "-addr" = optional: skip it quietly when unavailable (Redis 7 "bind * -::*").
    bool optional = !spec.empty() && spec[0] == '-';
    std::string addr = optional ? spec.substr(1) : spec;
    if (addr == "*") addr = "0.0.0.0";
    if (addr == "::*") addr = "::";
    bool v6 = addr.find(':') != std::string::npos;
    sockaddr_storage ss{};
    int rc = v6 ? uv_ip6_addr(addr.c_str(), *bound_port, reinterpret_cast<sockaddr_in6*>(&ss))
                : uv_ip4_addr(addr.c_str(), *bound_port, reinterpret_cast<sockaddr_in*>(&ss));
    std::string where = addr + ":" + std::to_string(*bound_port);
    if (rc != 0) {
      if (optional) continue;
      return "Could not create server TCP listening socket " + where + ": " + uv_strerror(rc);
    }
    auto* h = new uv_tcp_t;
    uv_tcp_init(loop_, h);
    h->data = this;
    rc = uv_tcp_bind(h, reinterpret_cast<const sockaddr*>(&ss), v6 ? UV_TCP_IPV6ONLY : 0);
    if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(h), backlog, on_new_connection);
    if (rc != 0) {
      close_owned(h);
      if (optional) continue;
      return "Could not create server TCP listening socket " + where + ": bind: " + uv_strerror(rc);
    }
    if (*bound_port == 0) {  // port 0: every address gets the port the first one got
      sockaddr_storage bound{};
      int len = sizeof bound;
      uv_tcp_getsockname(h, reinterpret_cast<sockaddr*>(&bound), &len);
      *bound_port = bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                                : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    }
    opened->push_back(h);
  }
  if (opened->empty()) return "Failed listening on port " + std::to_string(port) + " (tcp), aborting.";
  return {};
}

std::string TcpServer::listen(const std::vector<std::string>& addrs, int port, int backlog) {
  return rebind(addrs, port, backlog);
}

std::string TcpServer::rebind(const std::vector<std::string>& addrs, int port, int backlog) {
  std::vector<uv_tcp_t*> opened;
  int bound = 0;
  std::string err = open_listeners(addrs, port, backlog, &opened, &bound);
  if (!err.empty()) {
    for (uv_tcp_t* h : opened) close_owned(h);
    return err;
  }
  // The new sockets are up: only now drop the old ones (clients stay connected).
  for (uv_tcp_t* h : listeners_) close_owned(h);
  listeners_ = std::move(opened);
  port_ = bound;
  return {};
}

void TcpServer::on_new_connection(uv_stream_t* listener, int status) {
  if (status < 0) return;
  static_cast<TcpServer*>(listener->data)->accept_one(listener);
}

void TcpServer::accept_one(uv_stream_t* listener) {
  auto* h = new uv_tcp_t;
  uv_tcp_init(loop_, h);
  if (uv_accept(listener, reinterpret_cast<uv_stream_t*>(h)) != 0) {
    close_owned(h);
    return;
  }
  if (shutting_down_ || conns_.size() >= limits_.max_clients) {
    ++rejected_connections;
    static const char kMsg[] = "-ERR max number of clients reached\r\n";
    uv_buf_t b = uv_buf_init(const_cast<char*>(kMsg), sizeof kMsg - 1);
    uv_try_write(reinterpret_cast<uv_stream_t*>(h), &b, 1);
    close_owned(h);
    return;
  }
  ++total_connections_received;
  uv_tcp_nodelay(h, 1);
  if (limits_.tcp_keepalive_s > 0) uv_tcp_keepalive(h, 1, limits_.tcp_keepalive_s);

  uint64_t id = next_id_++;
  auto conn = std::unique_ptr<Connection>(new Connection(this, id));
  Connection* c = conn.get();
  c->handle_ = h;
  h->data = c;
  sockaddr_storage ss{};
  int len = sizeof ss;
  if (uv_tcp_getpeername(h, reinterpret_cast<sockaddr*>(&ss), &len) == 0) c->peer_addr_ = format_addr(ss);
  len = sizeof ss;
  if (uv_tcp_getsockname(h, reinterpret_cast<sockaddr*>(&ss), &len) == 0) c->local_addr_ = format_addr(ss);
  conns_.emplace(id, std::move(conn));

  uv_read_start(reinterpret_cast<uv_stream_t*>(h), ConnectionIo::alloc, ConnectionIo::read);
  if (!service_.on_connect(*c)) c->close();
}

void TcpServer::destroy(Connection* c) {
  if (!service_gone_) service_.on_close(*c);
  delete c->handle_;
  c->handle_ = nullptr;
  conns_.erase(c->id_);  // frees c
}

void TcpServer::queue_resume(Connection* c) { resume_queue_.push_back(c->id_); }

void TcpServer::on_prepare(uv_prepare_t* p) { static_cast<TcpServer*>(p->data)->drain_queues(); }

void TcpServer::on_check(uv_check_t* p) { static_cast<TcpServer*>(p->data)->drain_queues(); }

void TcpServer::drain_queues() {
  // Dispatching a resumed client may resume others (chained unblocks): drain
  // until stable so nothing waits for an unrelated event. The three vectors
  // trade buffers, so a busy loop does not allocate here.
  std::vector<uint64_t>& ids = drain_scratch_;
  while (!resume_queue_.empty() || !flush_queue_.empty()) {
    ids.clear();
    ids.swap(resume_queue_);
    for (uint64_t id : ids) {
      Connection* c = find(id);
      if (c && !c->closing_ && !c->suspended_) c->process_input();
    }
    ids.clear();
    ids.swap(flush_queue_);
    for (uint64_t id : ids) {
      Connection* c = find(id);
      if (c == nullptr) continue;
      c->flush_queued_ = false;
      c->flush();
      c->close_if_done();
    }
  }
}

void TcpServer::on_cron(uv_timer_t* t) {
  auto* s = static_cast<TcpServer*>(t->data);
  auto now = Clock::now();
  for (Connection* c : s->connections()) s->enforce_limits(*c, now);
}

void TcpServer::enforce_limits(Connection& c, Clock::time_point now) {
  // Idle timeout, as Redis: never for blocked/paused (suspended), pub/sub or replica clients.
  if (limits_.idle_timeout_s > 0 && c.class_ == ClientClass::kNormal && !c.suspended_ &&
      now - c.last_interaction_ > std::chrono::seconds(limits_.idle_timeout_s)) {
    spdlog::debug("Closing idle client id={} addr={}", c.id_, c.peer_addr_);
    c.close();
    return;
  }
  if (c.output_bytes() > 0 && c.over_output_limit(now)) {
    spdlog::warn("Client id={} addr={} closed for overcoming of output buffer limits.", c.id_,
                 c.peer_addr_);
    c.close();
  }
}

void TcpServer::shutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  for (uv_tcp_t* l : listeners_) close_owned(l);
  listeners_.clear();
  if (cron_) close_owned(cron_);
  if (prepare_) close_owned(prepare_);
  if (check_) close_owned(check_);
  cron_ = nullptr;
  prepare_ = nullptr;
  check_ = nullptr;
  for (auto& [id, c] : conns_) c->close();
}

Connection* TcpServer::find(uint64_t id) {
  auto it = conns_.find(id);
  return it == conns_.end() ? nullptr : it->second.get();
}

std::vector<Connection*> TcpServer::connections() {
  std::vector<Connection*> out;
  out.reserve(conns_.size());
  for (auto& [id, c] : conns_) {
    if (!c->closing_) out.push_back(c.get());
  }
  // Creation order, as CLIENT LIST prints clients.
  std::sort(out.begin(), out.end(), [](Connection* a, Connection* b) { return a->id() < b->id(); });
  return out;
}

void TcpServer::set_parser_limits(resp::ParserLimits p) {
  limits_.parser = p;
  for (auto& [id, c] : conns_) c->parser_.set_limits(p);
}

}  // namespace vigil::net

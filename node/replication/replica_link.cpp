#include "node/replication/replica_link.h"

#include <netdb.h>
#include <sys/socket.h>

#include <cstring>

#include "common/log/log.h"
#include "common/util/clock.h"
#include "common/util/numbers.h"

namespace vigil::node::replication {

namespace {

std::string encode_command(const std::vector<std::string>& argv) {
  std::string out = "*" + std::to_string(argv.size()) + "\r\n";
  for (const auto& a : argv) {
    out += "$" + std::to_string(a.size()) + "\r\n";
    out += a;
    out += "\r\n";
  }
  return out;
}

// Takes one "\n"-terminated line off the front of buf (without "\r\n").
bool take_line(std::string& buf, std::string* line) {
  size_t nl = buf.find('\n');
  if (nl == std::string::npos) return false;
  size_t end = (nl > 0 && buf[nl - 1] == '\r') ? nl - 1 : nl;
  line->assign(buf, 0, end);
  buf.erase(0, nl + 1);
  return true;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Resolves host (an address or a name) for a TCP connection.
bool resolve(const std::string& host, int port, sockaddr_storage* out) {
  std::memset(out, 0, sizeof *out);
  if (uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(out)) == 0) return true;
  if (uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(out)) == 0) return true;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0 || res == nullptr) return false;
  std::memcpy(out, res->ai_addr, res->ai_addrlen);
  freeaddrinfo(res);
  return true;
}

struct WriteReq {
  uv_write_t req;
  std::string data;
};

}  // namespace

const char* link_state_name(LinkState s) {
  switch (s) {
    case LinkState::kConnect: return "connect";
    case LinkState::kConnecting: return "connecting";
    case LinkState::kHandshake: return "handshake";
    case LinkState::kTransfer: return "sync";
    case LinkState::kConnected: return "connected";
  }
  return "connect";
}

struct ReplicaLink::Socket {
  uv_tcp_t tcp;
  uv_connect_t connect_req;
  ReplicaLink* link = nullptr;  // cleared when the link lets go of the socket
  char buf[64 * 1024];
};

ReplicaLink::ReplicaLink(uv_loop_t* loop, LinkOwner& owner, LinkSettings settings)
    : loop_(loop), owner_(owner), settings_(std::move(settings)) {
  last_io_ms_ = util::unix_time_ms();
}

ReplicaLink::~ReplicaLink() { close_socket(); }

void ReplicaLink::close_socket() {
  if (sock_ == nullptr) return;
  sock_->link = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(&sock_->tcp),
           [](uv_handle_t* h) { delete reinterpret_cast<Socket*>(h->data); });
  sock_ = nullptr;
}

void ReplicaLink::connect() {
  if (state_ != LinkState::kConnect) return;
  last_attempt_ms_ = util::unix_time_ms();
  last_io_ms_ = last_attempt_ms_;
  log::notice("Connecting to MASTER {}:{}", settings_.host, settings_.port);
  sockaddr_storage addr;
  if (!resolve(settings_.host, settings_.port, &addr)) {
    log::warning("Unable to connect to MASTER: can't resolve {}", settings_.host);
    return;
  }
  auto* s = new Socket;
  s->link = this;
  uv_tcp_init(loop_, &s->tcp);
  uv_unref(reinterpret_cast<uv_handle_t*>(&s->tcp));  // never keeps a stopping server alive
  s->tcp.data = s;
  s->connect_req.data = s;
  int rc = uv_tcp_connect(&s->connect_req, &s->tcp, reinterpret_cast<const sockaddr*>(&addr), on_connected);
  sock_ = s;
  if (rc != 0) {
    log::warning("Unable to connect to MASTER: {}", uv_strerror(rc));
    close_socket();
    return;
  }
  state_ = LinkState::kConnecting;
  log::notice("MASTER <-> REPLICA sync started");
}

void ReplicaLink::on_connected(uv_connect_t* req, int status) {
  auto* s = static_cast<Socket*>(req->data);
  ReplicaLink* self = s->link;
  if (self == nullptr) return;  // dropped meanwhile
  if (status != 0) {
    self->drop(std::string("Error condition on socket for SYNC: ") + uv_strerror(status));
    return;
  }
  uv_tcp_nodelay(&s->tcp, 1);
  self->state_ = LinkState::kHandshake;
  self->last_io_ms_ = util::unix_time_ms();
  uv_read_start(reinterpret_cast<uv_stream_t*>(&s->tcp), on_alloc, on_read);
  self->expect_ = {Expect::kPing};
  self->send_command({"PING"});
}

void ReplicaLink::on_alloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
  auto* s = static_cast<Socket*>(h->data);
  *buf = uv_buf_init(s->buf, sizeof s->buf);
}

void ReplicaLink::on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* s = static_cast<Socket*>(stream->data);
  ReplicaLink* self = s->link;
  if (self == nullptr || nread == 0) return;
  if (nread < 0) {
    self->drop(nread == UV_EOF ? "Connection with master lost." : std::string("Error reading from MASTER: ") +
                                                                      uv_strerror(static_cast<int>(nread)));
    return;
  }
  self->on_data(buf->base, static_cast<size_t>(nread));
}

void ReplicaLink::write(std::string bytes) {
  if (sock_ == nullptr) return;
  auto* w = new WriteReq;
  w->data = std::move(bytes);
  uv_buf_t b = uv_buf_init(w->data.data(), static_cast<unsigned>(w->data.size()));
  int rc = uv_write(&w->req, reinterpret_cast<uv_stream_t*>(&sock_->tcp), &b, 1,
                    [](uv_write_t* req, int) { delete reinterpret_cast<WriteReq*>(req); });
  if (rc != 0) delete w;
}

void ReplicaLink::send_command(const std::vector<std::string>& argv) { write(encode_command(argv)); }

void ReplicaLink::send_ack(int64_t offset) {
  if (sock_ == nullptr || state_ != LinkState::kConnected) return;
  last_ack_ms_ = util::unix_time_ms();
  send_command({"REPLCONF", "ACK", std::to_string(offset)});
}

void ReplicaLink::drop(const std::string& why) {
  LinkState was = state_;
  if (was == LinkState::kConnect && sock_ == nullptr) return;
  log::warning("{}", why);
  close_socket();
  state_ = LinkState::kConnect;
  in_.clear();
  expect_.clear();
  transfer_header_seen_ = false;
  eof_mark_.clear();
  transfer_size_ = -1;
  std::string().swap(rdb_);
  stream_ = StreamParser();
  owner_.on_link_down(was == LinkState::kConnected);
}

void ReplicaLink::cron(int64_t now, int64_t applied_offset) {
  switch (state_) {
    case LinkState::kConnect:
      if (now - last_attempt_ms_ >= 1000) connect();
      return;
    case LinkState::kConnecting:
    case LinkState::kHandshake:
      if (now - last_io_ms_ > static_cast<int64_t>(settings_.timeout_s) * 1000) {
        drop("Timeout connecting to the MASTER...");
      }
      return;
    case LinkState::kTransfer:
      if (now - last_io_ms_ > static_cast<int64_t>(settings_.timeout_s) * 1000) {
        drop("Timeout receiving bulk data from MASTER... If the problem persists try to set the "
             "'repl-timeout' parameter in redis.conf to a larger value.");
      }
      return;
    case LinkState::kConnected:
      if (now - last_io_ms_ > static_cast<int64_t>(settings_.timeout_s) * 1000) {
        drop("MASTER timeout: no data nor PING received...");
        return;
      }
      if (now - last_ack_ms_ >= 1000) send_ack(applied_offset);
      return;
  }
}

void ReplicaLink::on_data(const char* data, size_t len) {
  last_io_ms_ = util::unix_time_ms();
  if (state_ == LinkState::kConnected) {
    process_stream(data, len);
    return;
  }
  in_.append(data, len);
  if (state_ == LinkState::kHandshake && !process_handshake()) return;
  if (state_ == LinkState::kTransfer && !process_transfer()) return;
  if (state_ == LinkState::kConnected && !in_.empty()) {
    std::string rest;
    rest.swap(in_);
    process_stream(rest.data(), rest.size());
  }
}

bool ReplicaLink::process_handshake() {
  std::string line;
  while (state_ == LinkState::kHandshake && !expect_.empty() && take_line(in_, &line)) {
    Expect e = expect_.front();
    if (e == Expect::kPsync) {
      if (line.empty()) continue;  // keepalive while the master prepares the sync
      expect_.clear();
      if (starts_with(line, "+FULLRESYNC")) {
        // "+FULLRESYNC <replid> <offset>"
        size_t sp1 = line.find(' ');
        size_t sp2 = sp1 == std::string::npos ? sp1 : line.find(' ', sp1 + 1);
        long long off = 0;
        if (sp2 == std::string::npos || sp2 - sp1 - 1 != 40 || !util::string2ll(line.substr(sp2 + 1), &off)) {
          drop("Master replied with wrong +FULLRESYNC syntax.");
          return false;
        }
        fullsync_replid_ = line.substr(sp1 + 1, 40);
        fullsync_offset_ = off;
        log::notice("Full resync from master: {}:{}", fullsync_replid_, fullsync_offset_);
        state_ = LinkState::kTransfer;
        owner_.on_psync_accepted();
        return true;
      }
      if (starts_with(line, "+CONTINUE")) {
        std::string id = line.size() > 10 ? line.substr(10) : std::string();
        if (!id.empty() && id.size() != 40) id.clear();
        log::notice("Successful partial resynchronization with master.");
        state_ = LinkState::kConnected;
        last_ack_ms_ = 0;
        owner_.on_psync_accepted();
        owner_.on_continue(id);
        log::notice("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
        return state_ == LinkState::kConnected;
      }
      if (starts_with(line, "-NOMASTERLINK") || starts_with(line, "-LOADING")) {
        drop("Master is currently unable to PSYNC but should be in the future: " + line);
      } else {
        drop("Unexpected reply to PSYNC from master: " + line);
      }
      return false;
    }
    expect_.pop_front();
    switch (e) {
      case Expect::kPing:
        if (!line.empty() && line[0] == '-' && !starts_with(line, "-NOAUTH") && !starts_with(line, "-NOPERM") &&
            !starts_with(line, "-ERR operation not permitted")) {
          drop("Error reply to PING from master: '" + line + "'");
          return false;
        }
        log::notice("Master replied to PING, replication can continue...");
        if (!settings_.masterauth.empty()) {
          std::vector<std::string> auth = {"AUTH"};
          if (!settings_.masteruser.empty()) auth.push_back(settings_.masteruser);
          auth.push_back(settings_.masterauth);
          send_command(auth);
          expect_.push_back(Expect::kAuth);
        }
        send_command({"REPLCONF", "listening-port", std::to_string(settings_.listening_port)});
        expect_.push_back(Expect::kReplconfPort);
        if (!settings_.announce_ip.empty()) {
          send_command({"REPLCONF", "ip-address", settings_.announce_ip});
          expect_.push_back(Expect::kReplconfIp);
        }
        send_command({"REPLCONF", "capa", "eof", "capa", "psync2"});
        expect_.push_back(Expect::kReplconfCapa);
        break;
      case Expect::kAuth:
        if (!line.empty() && line[0] == '-') {
          drop("Unable to AUTH to MASTER: " + line);
          return false;
        }
        break;
      case Expect::kReplconfPort:
      case Expect::kReplconfIp:
      case Expect::kReplconfCapa:
        if (!line.empty() && line[0] == '-') log::notice("(Non critical) Master does not understand REPLCONF: {}", line);
        if (expect_.empty()) start_psync();
        break;
      case Expect::kPsync:
        break;
    }
  }
  return state_ != LinkState::kConnect;
}

void ReplicaLink::start_psync() {
  auto [replid, offset] = owner_.psync_args();
  if (replid == "?") {
    log::notice("Partial resynchronization not possible (no cached master)");
  } else {
    log::notice("Trying a partial resynchronization (request {}:{}).", replid, offset);
  }
  std::vector<std::string> psync = {"PSYNC", replid, offset};
  if (owner_.psync_failover()) psync.push_back("FAILOVER");
  send_command(psync);
  expect_.push_back(Expect::kPsync);
}

bool ReplicaLink::process_transfer() {
  if (!transfer_header_seen_) {
    std::string line;
    while (true) {
      if (!take_line(in_, &line)) return true;
      if (line.empty()) continue;  // keepalive
      break;
    }
    if (line[0] == '-') {
      drop("MASTER aborted replication with an error: " + line.substr(1));
      return false;
    }
    if (line[0] != '$') {
      drop("Bad protocol from MASTER, the first byte is not '$' (we received '" + line + "'), are you sure the host and port are right?");
      return false;
    }
    if (starts_with(line, "$EOF:") && line.size() >= 45) {
      eof_mark_ = line.substr(5, 40);
      log::notice("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk");
    } else {
      long long size = 0;
      if (!util::string2ll(line.substr(1), &size) || size < 0) {
        drop("Bad RDB size from MASTER: " + line);
        return false;
      }
      transfer_size_ = size;
      log::notice("MASTER <-> REPLICA sync: receiving {} bytes from master to disk", size);
    }
    transfer_header_seen_ = true;
  }
  bool done = false;
  if (eof_mark_.empty()) {
    size_t need = static_cast<size_t>(transfer_size_) - rdb_.size();
    size_t take = std::min(need, in_.size());
    rdb_.append(in_, 0, take);
    in_.erase(0, take);
    done = rdb_.size() == static_cast<size_t>(transfer_size_);
  } else {
    rdb_.append(in_);
    in_.clear();
    if (rdb_.size() >= eof_mark_.size() &&
        rdb_.compare(rdb_.size() - eof_mark_.size(), eof_mark_.size(), eof_mark_) == 0) {
      rdb_.resize(rdb_.size() - eof_mark_.size());
      done = true;
    }
  }
  if (!done) return true;
  state_ = LinkState::kConnected;
  last_ack_ms_ = 0;
  std::string rdb;
  rdb.swap(rdb_);
  transfer_header_seen_ = false;
  transfer_size_ = -1;
  eof_mark_.clear();
  std::string err = owner_.on_full_sync(fullsync_replid_, fullsync_offset_, rdb);
  if (!err.empty()) {
    drop("Failed trying to load the MASTER synchronization DB from socket: " + err);
    return false;
  }
  if (state_ != LinkState::kConnected) return false;
  // A diskless master holds the stream until this first ACK.
  send_ack(fullsync_offset_);
  log::notice("MASTER <-> REPLICA sync: Finished with success");
  return true;
}

bool ReplicaLink::process_stream(const char* data, size_t len) {
  stream_.feed(data, len);
  std::string_view raw;
  while (state_ == LinkState::kConnected) {
    auto st = stream_.next(argv_, &raw);
    if (st == StreamParser::Status::kNeedMore) break;
    if (st == StreamParser::Status::kError) {
      drop("Protocol error from MASTER: " + stream_.error());
      return false;
    }
    if (!owner_.on_stream_command(argv_, raw)) {
      if (state_ == LinkState::kConnected) drop("Dropping the link: a command from the MASTER could not be applied");
      return false;
    }
  }
  if (state_ != LinkState::kConnected) return false;
  owner_.on_stream_batch();
  return true;
}

}  // namespace vigil::node::replication

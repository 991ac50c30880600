#include "cli/conn.h"

#include <cerrno>
#include <cstring>

#include "common/util/numbers.h"

namespace vigil::cli {

namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

Reply copy_reply(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = Reply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::kInteger;
      out.integer = r->integer;
      out.str = std::to_string(r->integer);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(copy_reply(r->element[i]));
      break;
    default:
      out.type = Reply::Type::kNil;
  }
  return out;
}

// hiredis reports a socket timeout as EAGAIN's text; say what it means.
std::string describe_io_error(const redisContext* ctx) {
  std::string text = ctx->errstr;
  if (ctx->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINPROGRESS ||
                                   text.find("temporarily unavailable") != std::string::npos)) {
    return "timed out";
  }
  if (ctx->err == REDIS_ERR_EOF) return "connection closed by the server";
  return text.empty() ? "I/O error" : text;
}

}  // namespace

std::string Endpoint::str() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

std::string parse_endpoint(std::string_view text, int default_port, Endpoint* out) {
  std::string host;
  std::string_view port_text;
  if (text.empty()) return "empty address";
  if (text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return "unbalanced '[' in address '" + std::string(text) + "'";
    host = std::string(text.substr(1, close - 1));
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return "expected ':port' after ']' in '" + std::string(text) + "'";
      port_text = rest.substr(1);
    }
  } else {
    const size_t colon = text.rfind(':');
    if (colon != std::string_view::npos && text.find(':') == colon) {
      host = std::string(text.substr(0, colon));
      port_text = text.substr(colon + 1);
    } else {
      host = std::string(text);  // a bare IPv6 literal or a host name
    }
  }
  if (host.empty()) return "missing host in address '" + std::string(text) + "'";
  long long port = default_port;
  if (!port_text.empty() || (text.size() && text.back() == ':')) {
    if (!util::string2ll(port_text, &port) || port < 1 || port > 65535)
      return "invalid port in address '" + std::string(text) + "'";
  }
  out->host = std::move(host);
  out->port = static_cast<int>(port);
  return "";
}

std::map<std::string, std::string> Reply::as_map() const {
  std::map<std::string, std::string> m;
  for (size_t i = 0; i + 1 < elements.size(); i += 2) m[elements[i].str] = elements[i + 1].str;
  return m;
}

Connection::~Connection() {
  if (ctx_ != nullptr) redisFree(ctx_);
}

std::unique_ptr<Connection> Connection::open(const Endpoint& ep, std::chrono::milliseconds timeout,
                                             const std::string& password, std::string* err) {
  redisContext* ctx = redisConnectWithTimeout(ep.host.c_str(), ep.port, to_timeval(timeout));
  if (ctx == nullptr) {
    *err = "out of memory";
    return nullptr;
  }
  if (ctx->err != 0) {
    std::string text = ctx->errstr;
    if (text.find("temporarily unavailable") != std::string::npos || text.find("in progress") != std::string::npos)
      text = "connect timed out";
    *err = text;
    redisFree(ctx);
    return nullptr;
  }
  if (redisSetTimeout(ctx, to_timeval(timeout)) != REDIS_OK) {
    *err = "cannot set the socket timeout";
    redisFree(ctx);
    return nullptr;
  }
  std::unique_ptr<Connection> conn(new Connection(ctx, ep));
  if (!password.empty()) {
    auto r = conn->call({"AUTH", password}, err);
    if (!r) return nullptr;
    // A server without a password answers AUTH with an error that says so: fine.
    if (r->is_error() && r->str.find("without any password configured") == std::string::npos) {
      *err = "authentication failed: " + r->str;
      return nullptr;
    }
  }
  return conn;
}

std::optional<Reply> Connection::call(const std::vector<std::string>& argv, std::string* err) {
  if (broken_) {
    *err = "connection is broken";
    return std::nullopt;
  }
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  ptrs.reserve(argv.size());
  lens.reserve(argv.size());
  for (const auto& a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  errno = 0;
  auto* r = static_cast<redisReply*>(
      redisCommandArgv(ctx_, static_cast<int>(argv.size()), ptrs.data(), lens.data()));
  if (r == nullptr) {
    broken_ = true;
    *err = describe_io_error(ctx_);
    return std::nullopt;
  }
  Reply out = copy_reply(r);
  freeReplyObject(r);
  return out;
}

void Connection::set_timeout(std::chrono::milliseconds timeout) { redisSetTimeout(ctx_, to_timeval(timeout)); }

std::string error_text(const std::optional<Reply>& r, const std::string& io_err) {
  if (!r) return io_err.empty() ? "no reply" : io_err;
  if (r->is_error()) return r->str;
  return "";
}

}  // namespace vigil::cli

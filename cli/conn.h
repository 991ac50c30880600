// vigil-cli's RESP client: a thin synchronous wrapper around hiredis with a
// timeout on every network call (connect, each command), replies copied into
// plain values, and errors as text an operator can read.
#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::cli {

struct Endpoint {
  std::string host;
  int port = 0;
  std::string str() const;  // "host:port", "[v6]:port"
  bool operator==(const Endpoint& o) const { return host == o.host && port == o.port; }
  bool operator<(const Endpoint& o) const { return host < o.host || (host == o.host && port < o.port); }
};

// "host:port", "[::1]:port", or "host" alone (default_port). "" on success, else why not.
std::string parse_endpoint(std::string_view text, int default_port, Endpoint* out);

struct Reply {
  enum class Type { kNil, kStatus, kError, kString, kInteger, kArray };
  Type type = Type::kNil;
  std::string str;              // status, error and bulk text
  long long integer = 0;
  std::vector<Reply> elements;  // arrays

  bool is_error() const { return type == Type::kError; }
  bool is_nil() const { return type == Type::kNil; }
  // A flat [field, value, field, value...] array (SENTINEL MASTER, REPLICAS items).
  std::map<std::string, std::string> as_map() const;
};

class Connection {
 public:
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Connects within `timeout` and uses the same timeout for every command.
  // AUTHs with `password` when it is not empty (a server without a password
  // that says so is fine). nullptr and *err set when any step fails.
  static std::unique_ptr<Connection> open(const Endpoint& ep, std::chrono::milliseconds timeout,
                                          const std::string& password, std::string* err);

  // One command. nullopt and *err on an I/O error, a timeout or a closed
  // connection (the connection is then broken(): open a new one). Error
  // replies are returned as Reply{kError}, not as failures.
  std::optional<Reply> call(const std::vector<std::string>& argv, std::string* err);

  // Changes the per-command timeout (e.g. longer for SHUTDOWN).
  void set_timeout(std::chrono::milliseconds timeout);

  bool broken() const { return broken_; }
  const Endpoint& endpoint() const { return ep_; }

 private:
  Connection(redisContext* ctx, Endpoint ep) : ctx_(ctx), ep_(std::move(ep)) {}
  redisContext* ctx_;
  Endpoint ep_;
  bool broken_ = false;
};

// Convenience: the text of a failed call or an error reply, "" otherwise.
std::string error_text(const std::optional<Reply>& r, const std::string& io_err);

}  // namespace vigil::cli

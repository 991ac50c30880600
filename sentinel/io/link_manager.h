// Executes the core's link effects (Connect / Disconnect / SendCommand) on real
// connections and reports what happens on them (up, down, replies, pub/sub
// messages) back as core inputs. No failover logic lives here: which instance
// to connect to, what to send and when to give up is the core's decision; this
// layer only adds what hiredis lacks (timeouts, a pending-command cap) so a
// connection that stops answering is reported down instead of hanging.
#pragma once

#include <uv.h>

#include <functional>
#include <string>
#include <unordered_map>

#include "sentinel/core/effects.h"
#include "sentinel/core/types.h"
#include "sentinel/io/redis_connection.h"

namespace vigil::sentinel::io {

struct LinkLimits {
  uint64_t connect_timeout_ms = 5000;
  // Safety net only: the core already kills idle links the Redis way. A reply
  // later than this means the instance is wedged (e.g. SIGSTOPped).
  uint64_t command_timeout_ms = 30000;
  // Above the core's own cap (100 per link): reaching it means the instance
  // stopped answering while commands kept coming.
  size_t max_pending = 1000;
};

class LinkManager {
 public:
  struct Events {
    std::function<void(ConnId, const std::string& local_ip)> up;
    std::function<void(ConnId, const std::string& error)> down;
    std::function<void(RequestId, const Reply&)> reply;
    std::function<void(ConnId, const std::string& channel, const std::string& payload)> message;
  };

  LinkManager(uv_loop_t* loop, LinkLimits limits, Events events);
  ~LinkManager();
  LinkManager(const LinkManager&) = delete;
  LinkManager& operator=(const LinkManager&) = delete;

  void connect(const ConnectEffect& e);
  void disconnect(ConnId id);
  void send(const SendCommandEffect& e);
  // Closes every connection without reporting (shutdown).
  void close_all();

  size_t size() const { return conns_.size(); }

 private:
  void drop(ConnId id, const std::string& error);

  uv_loop_t* loop_;
  LinkLimits limits_;
  Events events_;
  std::unordered_map<ConnId, RedisConnection*> conns_;
};

}  // namespace vigil::sentinel::io

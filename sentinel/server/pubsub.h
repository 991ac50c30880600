// The sentinel's own pub/sub: clients SUBSCRIBE to event names (+switch-master,
// +sdown, ...) or PSUBSCRIBE to globs (Redis glob semantics, e.g. "*" or
// "[-+]sdown"), and every event is delivered in Redis's message shape:
// ["message", channel, payload] / ["pmessage", pattern, channel, payload].
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/net/tcp_server.h"

namespace vigil::sentinel::server {

class PubSub {
 public:
  // Replies as Redis does: one ["subscribe", channel, count] per channel.
  void subscribe(net::Connection& c, const std::vector<std::string>& channels);
  void psubscribe(net::Connection& c, const std::vector<std::string>& patterns);
  // Empty list = all of them; with nothing subscribed replies [kind, nil, count].
  void unsubscribe(net::Connection& c, const std::vector<std::string>& channels);
  void punsubscribe(net::Connection& c, const std::vector<std::string>& patterns);
  // Forget a closing connection.
  void drop(uint64_t conn_id);

  // Delivers to every subscriber; returns the number of receivers.
  size_t publish(net::TcpServer& server, const std::string& channel, const std::string& message);

  // Subscriptions (channels + patterns) of one connection: >0 = subscribed context.
  size_t subscription_count(uint64_t conn_id) const;
  size_t channel_count() const { return channels_.size(); }
  size_t pattern_count() const { return patterns_.size(); }

 private:
  std::map<std::string, std::set<uint64_t>> channels_;
  std::map<std::string, std::set<uint64_t>> patterns_;
  std::map<uint64_t, std::set<std::string>> conn_channels_;
  std::map<uint64_t, std::set<std::string>> conn_patterns_;
};

}  // namespace vigil::sentinel::server

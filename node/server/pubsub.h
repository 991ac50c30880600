// Pub/sub registry of vigil-node: channel and pattern subscriptions, message
// delivery in Redis 7.0's shapes (RESP2 arrays, RESP3 pushes).
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

namespace vigil::node {

struct Client;

class PubSub {
 public:
  // Each returns true when the subscription set changed. The caller writes the
  // confirmation (write_confirmation) and fixes the client's output class.
  bool subscribe(Client& c, const std::string& channel);
  bool unsubscribe(Client& c, const std::string& channel);
  bool psubscribe(Client& c, const std::string& pattern);
  bool punsubscribe(Client& c, const std::string& pattern);
  // Drops every subscription of a disconnecting / RESET client.
  void remove_client(Client& c);

  // Delivers message to channel subscribers and matching patterns (queued on
  // their connections, flushed before the loop polls). Returns the receiver count.
  size_t publish(const std::string& channel, const std::string& message);

  // PUBSUB CHANNELS [pattern] / NUMSUB / NUMPAT.
  std::vector<std::string> active_channels(const std::string* pattern) const;
  size_t subscribers(const std::string& channel) const;
  size_t pattern_count() const { return patterns_.size(); }

  // Writes `kind` ("subscribe", "unsubscribe", "psubscribe", "punsubscribe")
  // with the target (nullptr = nil) and c's subscription count, as a push.
  static void write_confirmation(Client& c, const char* kind, const std::string* target);

 private:
  // Subscribers in subscription order (delivery order, as Redis's lists).
  std::unordered_map<std::string, std::vector<Client*>> channels_;
  std::unordered_map<std::string, std::vector<Client*>> patterns_;
};

}  // namespace vigil::node

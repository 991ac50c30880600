#include "node/server/pubsub.h"

#include <algorithm>

#include "common/net/tcp_server.h"
#include "common/util/glob.h"
#include "node/server/client.h"

namespace vigil::node {

namespace {

void erase_client(std::unordered_map<std::string, std::vector<Client*>>& m,
                  const std::string& name, Client* c) {
  auto it = m.find(name);
  if (it == m.end()) return;
  auto& v = it->second;
  v.erase(std::remove(v.begin(), v.end(), c), v.end());
  if (v.empty()) m.erase(it);
}

// A pub/sub client's output buffer is limited by the pubsub class.
void update_class(Client& c) {
  if (c.is_replica || c.is_master) return;
  c.conn->set_class(c.subscription_count() > 0 ? net::ClientClass::kPubSub
                                               : net::ClientClass::kNormal);
}

}  // namespace

bool PubSub::subscribe(Client& c, const std::string& channel) {
  if (!c.channels.insert(channel).second) return false;
  channels_[channel].push_back(&c);
  update_class(c);
  return true;
}

bool PubSub::unsubscribe(Client& c, const std::string& channel) {
  if (c.channels.erase(channel) == 0) return false;
  erase_client(channels_, channel, &c);
  update_class(c);
  return true;
}

bool PubSub::psubscribe(Client& c, const std::string& pattern) {
  if (!c.patterns.insert(pattern).second) return false;
  patterns_[pattern].push_back(&c);
  update_class(c);
  return true;
}

bool PubSub::punsubscribe(Client& c, const std::string& pattern) {
  if (c.patterns.erase(pattern) == 0) return false;
  erase_client(patterns_, pattern, &c);
  update_class(c);
  return true;
}

void PubSub::remove_client(Client& c) {
  for (const auto& ch : c.channels) erase_client(channels_, ch, &c);
  for (const auto& p : c.patterns) erase_client(patterns_, p, &c);
  c.channels.clear();
  c.patterns.clear();
  update_class(c);
}

size_t PubSub::publish(const std::string& channel, const std::string& message) {
  size_t receivers = 0;
  auto it = channels_.find(channel);
  if (it != channels_.end()) {
    for (Client* c : it->second) {
      auto& r = c->conn->reply();
      r.push(3);
      r.bulk("message");
      r.bulk(channel);
      r.bulk(message);
      c->conn->flush_later();
      ++receivers;
    }
  }
  for (auto& [pattern, clients] : patterns_) {
    if (!util::stringmatchlen(pattern, channel)) continue;
    for (Client* c : clients) {
      auto& r = c->conn->reply();
      r.push(4);
      r.bulk("pmessage");
      r.bulk(pattern);
      r.bulk(channel);
      r.bulk(message);
      c->conn->flush_later();
      ++receivers;
    }
  }
  return receivers;
}

std::vector<std::string> PubSub::active_channels(const std::string* pattern) const {
  std::vector<std::string> out;
  for (const auto& [name, clients] : channels_) {
    if (pattern == nullptr || util::stringmatchlen(*pattern, name)) out.push_back(name);
  }
  return out;
}

size_t PubSub::subscribers(const std::string& channel) const {
  auto it = channels_.find(channel);
  return it == channels_.end() ? 0 : it->second.size();
}

void PubSub::write_confirmation(Client& c, const char* kind, const std::string* target) {
  auto& r = c.conn->reply();
  r.push(3);
  r.bulk(kind);
  if (target) {
    r.bulk(*target);
  } else {
    r.null_bulk();
  }
  r.integer(static_cast<int64_t>(c.subscription_count()));
}

}  // namespace vigil::node

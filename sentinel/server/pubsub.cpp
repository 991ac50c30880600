#include "sentinel/server/pubsub.h"

#include "common/util/glob.h"

namespace vigil::sentinel::server {

namespace {

using Registry = std::map<std::string, std::set<uint64_t>>;
using PerConn = std::map<uint64_t, std::set<std::string>>;

void add(Registry& reg, PerConn& per_conn, net::Connection& c, const std::vector<std::string>& names,
         const char* kind, size_t other_count) {
  for (const auto& name : names) {
    reg[name].insert(c.id());
    per_conn[c.id()].insert(name);
    auto& r = c.reply();
    r.push(3);
    r.bulk(kind);
    r.bulk(name);
    r.integer(static_cast<int64_t>(per_conn[c.id()].size() + other_count));
  }
}

void remove(Registry& reg, PerConn& per_conn, net::Connection& c, std::vector<std::string> names,
            const char* kind, size_t other_count) {
  auto& mine = per_conn[c.id()];
  if (names.empty()) names.assign(mine.begin(), mine.end());
  auto& r = c.reply();
  if (names.empty()) {
    r.push(3);
    r.bulk(kind);
    r.null_bulk();
    r.integer(static_cast<int64_t>(other_count));
  }
  for (const auto& name : names) {
    mine.erase(name);
    auto it = reg.find(name);
    if (it != reg.end()) {
      it->second.erase(c.id());
      if (it->second.empty()) reg.erase(it);
    }
    r.push(3);
    r.bulk(kind);
    r.bulk(name);
    r.integer(static_cast<int64_t>(mine.size() + other_count));
  }
  if (mine.empty()) per_conn.erase(c.id());
}

size_t count_of(const PerConn& per_conn, uint64_t id) {
  auto it = per_conn.find(id);
  return it == per_conn.end() ? 0 : it->second.size();
}

}  // namespace

void PubSub::subscribe(net::Connection& c, const std::vector<std::string>& channels) {
  add(channels_, conn_channels_, c, channels, "subscribe", count_of(conn_patterns_, c.id()));
}

void PubSub::psubscribe(net::Connection& c, const std::vector<std::string>& patterns) {
  add(patterns_, conn_patterns_, c, patterns, "psubscribe", count_of(conn_channels_, c.id()));
}

void PubSub::unsubscribe(net::Connection& c, const std::vector<std::string>& channels) {
  remove(channels_, conn_channels_, c, channels, "unsubscribe", count_of(conn_patterns_, c.id()));
}

void PubSub::punsubscribe(net::Connection& c, const std::vector<std::string>& patterns) {
  remove(patterns_, conn_patterns_, c, patterns, "punsubscribe", count_of(conn_channels_, c.id()));
}

void PubSub::drop(uint64_t id) {
  auto forget = [id](Registry& reg, PerConn& per_conn) {
    auto it = per_conn.find(id);
    if (it == per_conn.end()) return;
    for (const auto& name : it->second) {
      auto r = reg.find(name);
      if (r == reg.end()) continue;
      r->second.erase(id);
      if (r->second.empty()) reg.erase(r);
    }
    per_conn.erase(it);
  };
  forget(channels_, conn_channels_);
  forget(patterns_, conn_patterns_);
}

size_t PubSub::publish(net::TcpServer& server, const std::string& channel, const std::string& message) {
  size_t receivers = 0;
  auto it = channels_.find(channel);
  if (it != channels_.end()) {
    for (uint64_t id : it->second) {
      net::Connection* c = server.find(id);
      if (c == nullptr || c->closing()) continue;
      auto& r = c->reply();
      r.push(3);
      r.bulk("message");
      r.bulk(channel);
      r.bulk(message);
      c->flush();
      ++receivers;
    }
  }
  for (const auto& [pattern, ids] : patterns_) {
    if (!util::stringmatchlen(pattern, channel)) continue;
    for (uint64_t id : ids) {
      net::Connection* c = server.find(id);
      if (c == nullptr || c->closing()) continue;
      auto& r = c->reply();
      r.push(4);
      r.bulk("pmessage");
      r.bulk(pattern);
      r.bulk(channel);
      r.bulk(message);
      c->flush();
      ++receivers;
    }
  }
  return receivers;
}

size_t PubSub::subscription_count(uint64_t id) const {
  return count_of(conn_channels_, id) + count_of(conn_patterns_, id);
}

}  // namespace vigil::sentinel::server

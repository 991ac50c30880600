#include "world.h"

#include <algorithm>
#include <deque>

namespace vigil::sentinel::test {
namespace {

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Config basic_config(int quorum, TimeMs down_after) {
  Config cfg;
  cfg.myid = std::string(40, 'a');
  cfg.port = 26379;
  cfg.globals.announce_ip = "10.0.0.1";
  MasterConfig m;
  m.name = "mymaster";
  m.addr = Address{"127.0.0.1", 6379};
  m.quorum = quorum;
  m.down_after_ms = down_after;
  m.failover_timeout_ms = 60000;
  cfg.masters.push_back(m);
  cfg.rng_seed = 42;
  return cfg;
}

World::World(Config cfg, std::optional<PersistedState> state, TimeMs start) : now_(start) {
  sentinel_ = std::make_unique<Sentinel>(std::move(cfg), std::move(state), Environment{}, now_);
  drain();
}

FakeNode& World::add_node(const std::string& host, int port, const std::string& runid) {
  FakeNode n;
  n.addr = Address{host, port};
  n.runid = runid;
  return nodes_[n.addr.to_name()] = n;
}

FakePeer& World::add_peer(const std::string& host, int port, const std::string& runid) {
  FakePeer p;
  p.addr = Address{host, port};
  p.runid = runid;
  return peers_[p.addr.to_name()] = p;
}

void World::hello_from(const FakePeer& peer, const std::string& master_name, const Address& master_addr,
                       uint64_t config_epoch, uint64_t current_epoch) {
  std::string payload = peer.addr.host + "," + std::to_string(peer.addr.port) + "," + peer.runid + "," +
                        std::to_string(current_epoch) + "," + master_name + "," + master_addr.host + "," +
                        std::to_string(master_addr.port) + "," + std::to_string(config_epoch);
  sentinel_->on_hello_publish(now_, payload);
  drain();
}

void World::kill(const std::string& name) {
  nodes_.at(name).alive = false;
  std::vector<ConnId> dropped;
  for (auto& [id, c] : conns_)
    if (c.addr.to_name() == name) dropped.push_back(id);
  for (ConnId id : dropped) {
    conns_.erase(id);
    sentinel_->on_link_down(now_, id, "Connection reset by peer");
    drain();
  }
}

void World::apply_promotions() {
  for (auto& [name, n] : nodes_) {
    if (n.promote_at && *n.promote_at <= now_) {
      n.master = true;
      n.promote_at.reset();
    }
  }
}

void World::tick() {
  apply_promotions();
  sentinel_->tick(now_);
  drain();
}

void World::run_for(TimeMs duration, TimeMs step) {
  TimeMs end = now_ + duration;
  while (now_ < end && !crashed) {
    now_ += step;
    tick();
  }
}

bool World::run_until(const std::function<bool()>& pred, TimeMs limit, TimeMs step) {
  TimeMs end = now_ + limit;
  while (now_ < end && !crashed) {
    now_ += step;
    tick();
    if (pred()) return true;
  }
  return false;
}

void World::drain() { execute(sentinel_->take_effects()); }

void World::execute(std::vector<Effect> batch) {
  std::deque<Effect> work(batch.begin(), batch.end());
  auto feed = [&] {
    for (auto& e : sentinel_->take_effects()) work.push_back(std::move(e));
  };
  while (!work.empty() && !crashed) {
    Effect e = std::move(work.front());
    work.pop_front();
    if (auto* c = std::get_if<ConnectEffect>(&e)) {
      effect_order.push_back("connect");
      connects.push_back(*c);
      std::string name = c->addr.to_name();
      bool up = (nodes_.count(name) && nodes_[name].alive) || (peers_.count(name) && peers_[name].alive);
      if (up) {
        conns_[c->conn_id] = Conn{c->addr, c->conn};
        sentinel_->on_link_up(now_, c->conn_id, "10.0.0.1");
      } else {
        sentinel_->on_link_down(now_, c->conn_id, "Connection refused");
      }
      feed();
    } else if (auto* d = std::get_if<DisconnectEffect>(&e)) {
      effect_order.push_back("disconnect");
      conns_.erase(d->conn_id);
    } else if (auto* cmd = std::get_if<SendCommandEffect>(&e)) {
      effect_order.push_back("send:" + upper(cmd->argv[0]));
      commands.push_back(*cmd);
      auto it = conns_.find(cmd->conn_id);
      if (it == conns_.end()) continue;  // connection already gone: no reply
      Address addr = it->second.addr;
      if (auto r = answer(addr, cmd->argv)) {
        sentinel_->on_reply(now_, cmd->id, *r);
        feed();
      }
      // Hello published on a node reaches every sentinel subscribed to it (including us).
      if (upper(cmd->argv[0]) == "PUBLISH" && nodes_.count(addr.to_name())) {
        std::vector<ConnId> subscribers;
        for (auto& [id, c] : conns_)
          if (c.which == Connection::PubSub && c.addr == addr) subscribers.push_back(id);
        for (ConnId id : subscribers) {
          sentinel_->on_pubsub_message(now_, id, cmd->argv[1], cmd->argv[2]);
          feed();
        }
      }
    } else if (auto* ev = std::get_if<PublishEventEffect>(&e)) {
      effect_order.push_back("event:" + ev->channel);
      events.push_back(*ev);
      event_times.emplace_back(now_, ev->channel);
    } else if (auto* p = std::get_if<PersistEffect>(&e)) {
      effect_order.push_back("persist");
      persists.push_back(p->state);
    } else if (auto* sc = std::get_if<RunScriptEffect>(&e)) {
      effect_order.push_back("script");
      scripts.push_back(*sc);
    } else if (std::get_if<CrashEffect>(&e)) {
      effect_order.push_back("crash");
      crashed = true;
    }
  }
}

std::string World::info_of(const FakeNode& n) const {
  std::string s = "# Server\r\nredis_version:7.0.15\r\nrun_id:" + n.runid +
                  "\r\ntcp_port:" + std::to_string(n.addr.port) + "\r\n\r\n# Replication\r\n";
  if (n.master) {
    std::vector<const FakeNode*> replicas;
    for (auto& [name, r] : nodes_)
      if (r.alive && !r.master && r.replica_of == n.addr) replicas.push_back(&r);
    s += "role:master\r\nconnected_slaves:" + std::to_string(replicas.size()) + "\r\n";
    for (size_t i = 0; i < replicas.size(); ++i)
      s += "slave" + std::to_string(i) + ":ip=" + replicas[i]->addr.host + ",port=" +
           std::to_string(replicas[i]->addr.port) + ",state=online,offset=" +
           std::to_string(replicas[i]->offset) + ",lag=0\r\n";
  } else {
    auto m = nodes_.find(n.replica_of.to_name());
    bool link_up = m != nodes_.end() && m->second.alive && m->second.master && !n.link_stuck_down;
    s += "role:slave\r\nmaster_host:" + n.replica_of.host + "\r\nmaster_port:" +
         std::to_string(n.replica_of.port) + "\r\nmaster_link_status:" + (link_up ? "up" : "down") +
         "\r\nslave_repl_offset:" + std::to_string(n.offset) + "\r\n";
    if (!link_up) s += "master_link_down_since_seconds:1\r\n";
    s += "slave_priority:" + std::to_string(n.priority) + "\r\nreplica_announced:1\r\n";
  }
  s += "master_repl_offset:" + std::to_string(n.offset) + "\r\n";
  return s;
}

std::optional<Reply> World::answer(const Address& addr, const std::vector<std::string>& argv) {
  std::string cmd = upper(argv[0]);
  if (auto pit = peers_.find(addr.to_name()); pit != peers_.end()) {
    FakePeer& p = pit->second;
    if (!p.alive) return std::nullopt;
    if (cmd == "PING") return Reply::status("PONG");
    if (cmd == "PUBLISH") return Reply::integer_reply(1);
    if (cmd == "SENTINEL" && argv.size() == 6) {
      uint64_t epoch = std::stoull(argv[4]);
      const std::string& runid = argv[5];
      if (runid != "*" && !p.forced_vote.empty()) {
        p.voted_epoch = epoch;
        p.voted_for = p.forced_vote;
      } else if (runid != "*" && p.votes && epoch > p.voted_epoch) {
        p.voted_epoch = epoch;
        p.voted_for = runid;
      }
      return Reply::array({Reply::integer_reply(p.says_down ? 1 : 0),
                           Reply::bulk(runid == "*" || p.voted_for.empty() ? "*" : p.voted_for),
                           Reply::integer_reply(runid == "*" ? 0 : static_cast<int64_t>(p.voted_epoch))});
    }
    return Reply::error("ERR unknown command");
  }
  auto nit = nodes_.find(addr.to_name());
  if (nit == nodes_.end()) return std::nullopt;
  FakeNode& n = nit->second;
  if (!n.alive || n.muted) return std::nullopt;
  if (cmd == "PING")
    return n.ping_reply[0] == '-' ? Reply::error(n.ping_reply.substr(1)) : Reply::status(n.ping_reply);
  if (cmd == "INFO") return Reply::bulk(info_of(n));
  if (cmd == "PUBLISH") return Reply::integer_reply(1);
  if (cmd == "SLAVEOF" || cmd == "REPLICAOF") {
    if (upper(argv[1]) == "NO") {
      if (n.promote_delay > 0) n.promote_at = now_ + n.promote_delay;
      else n.master = true;
    } else {
      n.master = false;
      n.replica_of = Address{argv[1], std::stoi(argv[2])};
    }
    return Reply::status("OK");
  }
  if (cmd == "CLIENT" && argv.size() > 1 && upper(argv[1]) == "PAUSE") {
    if (!n.accept_pause) return Reply::error("ERR syntax error");
    n.paused = true;
    return Reply::status("OK");
  }
  if (cmd == "CLIENT" && argv.size() > 1 && upper(argv[1]) == "UNPAUSE") {
    n.paused = false;
    return Reply::status("OK");
  }
  return Reply::status("OK");
}

int World::count_events(const std::string& channel) const {
  return static_cast<int>(std::count_if(events.begin(), events.end(),
                                        [&](const PublishEventEffect& e) { return e.channel == channel; }));
}

std::optional<std::string> World::last_event(const std::string& channel) const {
  for (auto it = events.rbegin(); it != events.rend(); ++it)
    if (it->channel == channel) return it->message;
  return std::nullopt;
}

std::optional<TimeMs> World::first_event_time(const std::string& channel) const {
  for (auto& [t, c] : event_times)
    if (c == channel) return t;
  return std::nullopt;
}

int World::count_commands(const std::string& addr_name, const std::vector<std::string>& prefix) const {
  int count = 0;
  for (auto& c : commands) {
    if (c.addr.to_name() != addr_name || c.argv.size() < prefix.size()) continue;
    bool match = true;
    for (size_t i = 0; i < prefix.size(); ++i)
      if (upper(c.argv[i]) != upper(prefix[i])) match = false;
    if (match) ++count;
  }
  return count;
}

}  // namespace vigil::sentinel::test

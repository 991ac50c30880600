#include "sim_node.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace vigil::sim {

namespace {

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

bool iequals(const std::string& a, const char* b) { return upper(a) == b; }

std::optional<int> parse_port(const std::string& s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0 || v > 65535) return std::nullopt;
  return v;
}

std::optional<std::int64_t> parse_int(const std::string& s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

SimNode::SimNode(Fabric& fabric, History& history, ProcessId id, NodeSpec spec, NodeTimings timings,
                 Prng prng)
    : Process(id, spec.host + ":" + std::to_string(spec.port)),
      fabric_(fabric),
      history_(history),
      spec_(std::move(spec)),
      timings_(timings),
      prng_(prng) {
  set_alive(false);
}

std::string SimNode::new_replid() {
  static const char* hex = "0123456789abcdef";
  std::string id(40, '0');
  for (auto& c : id) c = hex[prng_.below(16)];
  return id;
}

std::int64_t SimNode::offset() const {
  return static_cast<std::int64_t>(history_.depth(tip_)) * kBytesPerEntry;
}

bool SimNode::write_paused() const { return fabric_.now() < write_pause_until_; }

void SimNode::boot(std::optional<Address> replicaof) {
  config_replicaof_ = std::move(replicaof);
  tip_ = 0;
  restart(false);
}

void SimNode::restart(bool keep_data) {
  if (alive()) return;
  ++boot_gen_;
  ++link_gen_;
  set_alive(true);
  run_id_ = new_replid();
  if (!keep_data) tip_ = 0;
  // A replica restarted with its data keeps its replication id (RDB aux fields) so it
  // can partially resync; anything else starts a new history id.
  if (!(keep_data && config_replicaof_)) {
    replid_ = new_replid();
    replid2_ = std::string(40, '0');
    second_repl_offset_ = -1;
  }
  master_target_ = config_replicaof_;
  link_state_ = LinkState::None;
  link_down_since_ = -1;
  work_.clear();
  worker_scheduled_ = false;
  write_pause_until_ = 0;
  clients_.clear();
  replicas_.clear();
  fabric_.trace().add(name(), keep_data ? "boot (with data)" : "boot (empty)");
  schedule_cron();
  if (master_target_) connect_to_master();
}

void SimNode::crash() {
  if (!alive()) return;
  for (ConnId c : fabric_.network().connections_of(id())) fabric_.network().close(c, id());
  set_alive(false);
  ++boot_gen_;
  ++link_gen_;
  clients_.clear();
  replicas_.clear();
  work_.clear();
  worker_scheduled_ = false;
  link_state_ = LinkState::None;
  fabric_.trace().add(name(), "crash");
}

void SimNode::accept(ConnId conn) { clients_[conn] = ClientConn{}; }

void SimNode::connection_closed(ConnId conn) {
  clients_.erase(conn);
  replicas_.erase(conn);
}

void SimNode::close_conn(ConnId conn) {
  fabric_.network().close(conn, id());
  clients_.erase(conn);
  replicas_.erase(conn);
}

// ---- command processing ----------------------------------------------------------------

bool SimNode::blocks_under_pause(const std::vector<std::string>& argv) const {
  if (argv.empty()) return false;
  const std::string name = upper(argv[0]);
  // Writes and may-replicate commands (PUBLISH) wait under CLIENT PAUSE WRITE (Redis 7.0).
  return name == "SET" || name == "PUBLISH";
}

void SimNode::receive(ConnId conn, Request req) {
  if (service_delay_ == 0 && work_.empty()) return serve(conn, std::move(req));
  work_.push_back(Work{conn, std::move(req)});
  schedule_work();
}

void SimNode::schedule_work() {
  if (worker_scheduled_ || work_.empty()) return;
  worker_scheduled_ = true;
  const std::uint64_t boot = boot_gen_;
  fabric_.scheduler().after(service_delay_, [this, boot]() {
    if (boot != boot_gen_) return;
    deliver([this, boot]() {
      if (boot != boot_gen_) return;
      worker_scheduled_ = false;
      // Requests of connections closed while they waited are dropped unserved.
      while (!work_.empty() && clients_.find(work_.front().conn) == clients_.end()) work_.pop_front();
      if (work_.empty()) return;
      Work w = std::move(work_.front());
      work_.pop_front();
      serve(w.conn, std::move(w.req));
      // Once the node is fast again, drain the backlog without further delay.
      while (service_delay_ == 0 && !work_.empty()) {
        Work next = std::move(work_.front());
        work_.pop_front();
        if (clients_.find(next.conn) != clients_.end()) serve(next.conn, std::move(next.req));
      }
      schedule_work();
    });
  });
}

void SimNode::serve(ConnId conn, Request req) {
  auto it = clients_.find(conn);
  if (it == clients_.end()) return;
  ClientConn& c = it->second;
  if (!c.blocked.empty() || (!c.in_multi && write_paused() && blocks_under_pause(req.argv))) {
    c.blocked.push_back(std::move(req));
    return;
  }
  execute(conn, std::move(req));
}

void SimNode::execute(ConnId conn, Request req) {
  ClientConn& c = clients_[conn];
  const std::string name = req.argv.empty() ? std::string() : upper(req.argv[0]);
  if (c.in_multi && name != "EXEC" && name != "DISCARD" && name != "MULTI") {
    c.multi_queue.push_back(std::move(req));
    reply(conn, c.multi_queue.back().on_reply, Reply::status("QUEUED"));
    return;
  }
  if (name == "MULTI") {
    if (c.in_multi) return reply(conn, std::move(req.on_reply), Reply::error("ERR MULTI calls can not be nested"));
    c.in_multi = true;
    return reply(conn, std::move(req.on_reply), Reply::status("OK"));
  }
  if (name == "DISCARD") {
    if (!c.in_multi) return reply(conn, std::move(req.on_reply), Reply::error("ERR DISCARD without MULTI"));
    c.in_multi = false;
    c.multi_queue.clear();
    return reply(conn, std::move(req.on_reply), Reply::status("OK"));
  }
  if (name == "EXEC") {
    if (!c.in_multi) return reply(conn, std::move(req.on_reply), Reply::error("ERR EXEC without MULTI"));
    c.in_multi = false;
    std::vector<Request> queued = std::move(c.multi_queue);
    c.multi_queue.clear();
    std::vector<Reply> results;
    for (auto& q : queued) results.push_back(dispatch(conn, q.argv));
    return reply(conn, std::move(req.on_reply), Reply::array(std::move(results)));
  }
  if (name == "SUBSCRIBE") {
    if (req.argv.size() < 2) return reply(conn, std::move(req.on_reply), Reply::error("ERR wrong number of arguments for 'subscribe' command"));
    c.kind = ConnKind::PubSub;
    c.push = req.on_reply;
    return reply(conn, req.on_reply,
                 Reply::array({Reply::bulk("subscribe"), Reply::bulk(req.argv[1]), Reply::integer_reply(1)}));
  }
  reply(conn, std::move(req.on_reply), dispatch(conn, req.argv));
}

void SimNode::reply(ConnId conn, std::function<void(const Reply&)> to, Reply r) {
  if (!to) return;
  fabric_.send(conn, id(), [to = std::move(to), r = std::move(r)]() { to(r); });
}

Reply SimNode::dispatch(ConnId conn, const std::vector<std::string>& argv) {
  if (argv.empty()) return Reply::error("ERR empty command");
  const std::string name = upper(argv[0]);
  if (name == "PING") return Reply::status("PONG");
  if (name == "INFO") return cmd_info(argv);
  if (name == "ROLE") return cmd_role();
  if (name == "REPLICAOF" || name == "SLAVEOF") return cmd_replicaof(argv);
  if (name == "CLIENT") return cmd_client(conn, argv);
  if (name == "PUBLISH") {
    if (argv.size() != 3) return Reply::error("ERR wrong number of arguments for 'publish' command");
    return cmd_publish(argv[1], argv[2]);
  }
  if (name == "SET") return cmd_set();
  if (name == "CONFIG") {
    if (argv.size() >= 2 && iequals(argv[1], "REWRITE")) {
      config_replicaof_ = master_target_;  // the role survives a restart from now on
      return Reply::status("OK");
    }
    return Reply::error("ERR unsupported CONFIG subcommand in the simulator");
  }
  if (name == "SCRIPT") return Reply::error("NOTBUSY No scripts in execution right now.");
  if (name == "AUTH")
    return Reply::error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
  return Reply::error("ERR unknown command '" + argv[0] + "', with args beginning with: ");
}

Reply SimNode::cmd_set() {
  if (!is_master()) return Reply::error("READONLY You can't write against a read only replica.");
  tip_ = history_.append(tip_);
  propagate("", "");
  Reply r = Reply::status("OK");
  r.integer = tip_;  // simulator-only: tells the client which History vertex it wrote
  return r;
}

Reply SimNode::cmd_publish(const std::string& channel, const std::string& payload) {
  std::int64_t receivers = 0;
  for (auto& [conn, c] : clients_)
    if (c.kind == ConnKind::PubSub) ++receivers;
  deliver_local(channel, payload);
  if (is_master()) {
    // PUBLISH is propagated through replication (and moves the offset), as in Redis.
    tip_ = history_.append(tip_);
    propagate(channel, payload);
  }
  return Reply::integer_reply(receivers);
}

void SimNode::deliver_local(const std::string& channel, const std::string& payload) {
  const Reply msg = Reply::array({Reply::bulk("message"), Reply::bulk(channel), Reply::bulk(payload)});
  for (auto& [conn, c] : clients_)
    if (c.kind == ConnKind::PubSub && c.push) reply(conn, c.push, msg);
}

Reply SimNode::cmd_client(ConnId conn, const std::vector<std::string>& argv) {
  const std::string sub = argv.size() >= 2 ? upper(argv[1]) : std::string();
  if (sub == "SETNAME") return Reply::status("OK");
  if (sub == "KILL" && argv.size() == 4 && iequals(argv[2], "TYPE")) {
    const std::string type = upper(argv[3]);
    std::vector<ConnId> victims;
    for (auto& [other, c] : clients_) {
      if (other == conn) continue;  // skipme yes
      const bool match = (type == "NORMAL" && c.kind == ConnKind::Normal) ||
                         (type == "PUBSUB" && c.kind == ConnKind::PubSub) ||
                         ((type == "REPLICA" || type == "SLAVE") && c.kind == ConnKind::Replica);
      if (match) victims.push_back(other);
    }
    for (ConnId v : victims) close_conn(v);
    return Reply::integer_reply(static_cast<std::int64_t>(victims.size()));
  }
  if (sub == "PAUSE" && argv.size() >= 3) {
    auto timeout = parse_int(argv[2]);
    if (!timeout || *timeout < 0) return Reply::error("ERR timeout is not an integer or out of range");
    const Micros until = fabric_.now() + ms(*timeout);
    if (until > write_pause_until_) write_pause_until_ = until;
    const std::uint64_t gen = ++pause_gen_;
    const std::uint64_t boot = boot_gen_;
    fabric_.scheduler().at(write_pause_until_, [this, gen, boot]() {
      if (boot != boot_gen_ || gen != pause_gen_) return;
      deliver([this, gen, boot]() {
        if (boot == boot_gen_ && gen == pause_gen_) release_paused_clients();
      });
    });
    if (fabric_.trace().enabled()) fabric_.trace().add(name(), "client pause write " + argv[2] + "ms");
    return Reply::status("OK");
  }
  if (sub == "UNPAUSE") {
    write_pause_until_ = 0;
    ++pause_gen_;
    fabric_.trace().add(name(), "client unpause");
    release_paused_clients();
    return Reply::status("OK");
  }
  return Reply::status("OK");
}

void SimNode::release_paused_clients() {
  std::vector<ConnId> conns;
  for (auto& [conn, c] : clients_)
    if (!c.blocked.empty()) conns.push_back(conn);
  for (ConnId conn : conns) {
    while (!write_paused()) {
      auto it = clients_.find(conn);
      if (it == clients_.end() || it->second.blocked.empty()) break;
      Request req = std::move(it->second.blocked.front());
      it->second.blocked.erase(it->second.blocked.begin());
      execute(conn, std::move(req));
    }
  }
}

Reply SimNode::cmd_replicaof(const std::vector<std::string>& argv) {
  if (argv.size() != 3) return Reply::error("ERR wrong number of arguments for 'replicaof' command");
  if (iequals(argv[1], "NO") && iequals(argv[2], "ONE")) {
    if (master_target_) {
      fabric_.trace().add(name(), "replicaof no one (promoted)");
      become_master();
      if (on_promoted) on_promoted(*this);
    }
    return Reply::status("OK");
  }
  auto port = parse_port(argv[2]);
  if (!port) return Reply::error("ERR Invalid master port");
  const Address target{argv[1], *port};
  if (master_target_ && *master_target_ == target) return Reply::status("OK Already connected to specified master");
  if (fabric_.trace().enabled()) fabric_.trace().add(name(), "replicaof " + target.to_name());
  become_replica_of(target);
  return Reply::status("OK");
}

Reply SimNode::cmd_role() const {
  if (is_master()) {
    std::vector<Reply> reps;
    for (auto& [conn, r] : replicas_)
      reps.push_back(Reply::array({Reply::bulk(r.host), Reply::bulk(std::to_string(r.port)),
                                   Reply::bulk(std::to_string(r.ack_offset))}));
    return Reply::array({Reply::bulk("master"), Reply::integer_reply(offset()), Reply::array(std::move(reps))});
  }
  const char* state = link_state_ == LinkState::Connected ? "connected"
                      : link_state_ == LinkState::Connecting ? "connecting"
                                                              : "connect";
  return Reply::array({Reply::bulk("slave"), Reply::bulk(master_target_->host),
                       Reply::integer_reply(master_target_->port), Reply::bulk(state),
                       Reply::integer_reply(offset())});
}

Reply SimNode::cmd_info(const std::vector<std::string>& argv) const {
  const std::string section = argv.size() >= 2 ? upper(argv[1]) : "DEFAULT";
  const bool all = section == "DEFAULT" || section == "ALL" || section == "EVERYTHING";
  const Micros now = fabric_.now();
  std::string out;
  auto line = [&out](const std::string& k, const std::string& v) { out += k + ":" + v + "\r\n"; };
  if (all || section == "SERVER") {
    out += "# Server\r\n";
    line("redis_version", "7.0.15");
    line("redis_mode", "standalone");
    line("run_id", run_id_);
    line("tcp_port", std::to_string(spec_.port));
    out += "\r\n";
  }
  if (all || section == "REPLICATION") {
    out += "# Replication\r\n";
    if (is_master()) {
      line("role", "master");
    } else {
      const bool up = link_state_ == LinkState::Connected;
      line("role", "slave");
      line("master_host", master_target_->host);
      line("master_port", std::to_string(master_target_->port));
      line("master_link_status", up ? "up" : "down");
      line("master_last_io_seconds_ago", up ? std::to_string((now - last_io_) / kMicrosPerSecond) : "-1");
      line("master_sync_in_progress", link_state_ == LinkState::Syncing ? "1" : "0");
      line("slave_read_repl_offset", std::to_string(offset()));
      line("slave_repl_offset", std::to_string(offset()));
      if (!up)
        line("master_link_down_since_seconds",
             link_down_since_ < 0 ? "-1" : std::to_string((now - link_down_since_) / kMicrosPerSecond));
      line("slave_priority", std::to_string(spec_.priority));
      line("slave_read_only", "1");
      line("replica_announced", spec_.replica_announced ? "1" : "0");
    }
    line("connected_slaves", std::to_string(replicas_.size()));
    int i = 0;
    for (auto& [conn, r] : replicas_) {
      line("slave" + std::to_string(i++),
           "ip=" + r.host + ",port=" + std::to_string(r.port) + ",state=" + (r.online ? "online" : "wait_bgsave") +
               ",offset=" + std::to_string(r.ack_offset) + ",lag=" + std::to_string((now - r.last_ack) / kMicrosPerSecond));
    }
    line("master_failover_state", "no-failover");
    line("master_replid", replid_);
    line("master_replid2", replid2_);
    line("master_repl_offset", std::to_string(offset()));
    line("second_repl_offset", std::to_string(second_repl_offset_));
    line("repl_backlog_active", "1");
    line("repl_backlog_size", "1048576");
    line("repl_backlog_first_byte_offset", "1");
    line("repl_backlog_histlen", std::to_string(offset()));
  }
  return Reply::bulk(std::move(out));
}

// ---- replication: replica side --------------------------------------------------------------

void SimNode::become_master() {
  // shiftReplicationId: replicas of the old history can still PSYNC with us.
  replid2_ = replid_;
  second_repl_offset_ = offset() + 1;
  replid_ = new_replid();
  if (link_state_ != LinkState::None) fabric_.network().close(master_conn_, id());
  ++link_gen_;
  link_state_ = LinkState::None;
  master_target_.reset();
  drop_replicas();  // they reconnect and learn the new id
}

void SimNode::become_replica_of(const Address& target) {
  if (link_state_ != LinkState::None) {
    fabric_.network().close(master_conn_, id());
    if (link_state_ == LinkState::Connected) link_down_since_ = fabric_.now();
  }
  ++link_gen_;
  link_state_ = LinkState::None;
  master_target_ = target;
  drop_replicas();
  connect_to_master();
}

void SimNode::connect_to_master() {
  auto* master = dynamic_cast<SimNode*>(fabric_.resolve(master_target_->host, master_target_->port));
  if (!master || master == this) return;  // retried by cron
  const std::uint64_t gen = ++link_gen_;
  link_state_ = LinkState::Connecting;
  sync_started_ = fabric_.now();
  master_conn_ = fabric_.connect(id(), master->id(), []() {}, [this, gen]() {
    if (gen == link_gen_) master_link_lost();
  });
  const ConnId conn = master_conn_;
  const std::string replid = replid_;
  const std::int64_t off = offset();
  fabric_.send(conn, id(), [master, self = this, conn, gen, replid, off]() {
    master->on_psync_request(conn, self, gen, replid, off);
  });
}

void SimNode::master_link_lost() {
  if (link_state_ == LinkState::Connected) link_down_since_ = fabric_.now();
  if (link_state_ != LinkState::None) fabric_.network().close(master_conn_, id());
  ++link_gen_;
  link_state_ = LinkState::None;
}

void SimNode::on_psync_reply(std::uint64_t link_gen, bool full, const std::string& replid, WriteId tip, bool error) {
  if (link_gen != link_gen_ || link_state_ != LinkState::Connecting) return;
  if (error) {
    master_link_lost();
    return;
  }
  if (full) {
    tip_ = tip;
    replid_ = replid;
    replid2_ = std::string(40, '0');
    second_repl_offset_ = -1;
    drop_replicas();
  } else {
    if (replid != replid_) {
      replid2_ = replid_;
      second_repl_offset_ = offset() + 1;
      replid_ = replid;
    }
    tip_ = tip;
    propagate("", "");
  }
  link_state_ = LinkState::Connected;
  last_io_ = fabric_.now();
  if (fabric_.trace().enabled()) fabric_.trace().add(name(), std::string("master link up (") + (full ? "full" : "partial") + " sync)");
}

void SimNode::on_stream(std::uint64_t link_gen, WriteId tip, const std::string& channel, const std::string& payload) {
  if (link_gen != link_gen_ || link_state_ != LinkState::Connected) return;
  tip_ = tip;
  last_io_ = fabric_.now();
  if (!channel.empty()) deliver_local(channel, payload);
  propagate(channel, payload);
}

// ---- replication: master side -----------------------------------------------------------

void SimNode::on_psync_request(ConnId conn, SimNode* replica, std::uint64_t replica_link_gen,
                               const std::string& replid, std::int64_t replica_offset) {
  if (clients_.find(conn) == clients_.end()) return;
  auto answer = [this, conn, replica, replica_link_gen](bool full, bool error) {
    fabric_.send(conn, id(), [replica, replica_link_gen, full, error, rid = replid_, tip = tip_]() {
      replica->on_psync_reply(replica_link_gen, full, rid, tip, error);
    });
  };
  // A replica that is not itself in sync refuses to serve (-NOMASTERLINK).
  if (master_target_ && link_state_ != LinkState::Connected) return answer(false, true);
  const bool partial = (replid == replid_ && replica_offset <= offset()) ||
                       (replid == replid2_ && replica_offset + 1 <= second_repl_offset_);
  clients_[conn].kind = ConnKind::Replica;
  replicas_[conn] = ReplicaInfo{replica, replica_link_gen, replica->spec_.host, replica->spec_.port, false,
                                replica_offset, fabric_.now()};
  auto finish = [this, conn, partial, answer]() {
    auto it = replicas_.find(conn);
    if (it == replicas_.end()) return;
    it->second.online = true;
    it->second.ack_offset = offset();
    answer(!partial, false);
  };
  if (partial) return finish();
  const std::uint64_t boot = boot_gen_;
  const Micros delay = prng_.between(timings_.full_sync_min, timings_.full_sync_max);
  fabric_.scheduler().after(delay, [this, boot, finish]() {
    if (boot == boot_gen_) deliver([this, boot, finish]() { if (boot == boot_gen_) finish(); });
  });
}

void SimNode::on_replica_ack(ConnId conn, std::int64_t ack_offset) {
  auto it = replicas_.find(conn);
  if (it == replicas_.end()) return;
  it->second.ack_offset = ack_offset;
  it->second.last_ack = fabric_.now();
}

void SimNode::propagate(const std::string& channel, const std::string& payload) {
  for (auto& [conn, r] : replicas_) {
    if (!r.online) continue;
    fabric_.send(conn, id(), [rep = r.node, gen = r.link_gen, tip = tip_, channel, payload]() {
      rep->on_stream(gen, tip, channel, payload);
    });
  }
}

void SimNode::drop_replicas() {
  std::vector<ConnId> conns;
  for (auto& [conn, r] : replicas_) conns.push_back(conn);
  for (ConnId c : conns) close_conn(c);
}

// ---- periodic work ----------------------------------------------------------------------

void SimNode::schedule_cron() {
  const std::uint64_t gen = boot_gen_;
  fabric_.scheduler().after(timings_.cron_period, [this, gen]() {
    if (gen != boot_gen_) return;
    deliver([this, gen]() {
      if (gen != boot_gen_) return;
      cron();
      schedule_cron();
    });
  });
}

void SimNode::cron() {
  const Micros now = fabric_.now();
  // Replica side (replicationCron): reconnect, time out a silent master, ACK our offset.
  if (master_target_) {
    if (link_state_ == LinkState::None) {
      connect_to_master();
    } else if (link_state_ == LinkState::Connected) {
      if (now - last_io_ > timings_.repl_timeout) {
        fabric_.trace().add(name(), "master link timeout");
        master_link_lost();
      } else {
        auto* master = dynamic_cast<SimNode*>(fabric_.network().is_open_at(master_conn_, id())
                                                  ? fabric_.process(fabric_.network().peer_of(master_conn_, id()))
                                                  : nullptr);
        if (master)
          fabric_.send(master_conn_, id(), [master, conn = master_conn_, off = offset()]() {
            master->on_replica_ack(conn, off);
          });
      }
    } else if (now - sync_started_ > timings_.repl_timeout) {
      master_link_lost();
    }
  }
  // Master side: keep replicas' links alive, forget replicas that stopped ACKing.
  if (now - last_ping_to_replicas_ >= timings_.repl_ping_period) {
    last_ping_to_replicas_ = now;
    propagate("", "");
  }
  std::vector<ConnId> silent;
  for (auto& [conn, r] : replicas_)
    if (r.online && now - r.last_ack > timings_.repl_timeout) silent.push_back(conn);
  for (ConnId c : silent) close_conn(c);
}

}  // namespace vigil::sim

// Links: connection lifecycle, periodic PING/INFO/hello, sending commands and dispatching
// their replies (reference §3).
#include <algorithm>

#include "sentinel/core/hello.h"
#include "sentinel/core/impl.h"

namespace vigil::sentinel {
namespace {
bool starts_with(const std::string& s, const char* prefix) {
  return s.rfind(prefix, 0) == 0;
}
}  // namespace

std::shared_ptr<Link> Sentinel::Impl::new_link(bool sentinel) const {
  auto link = std::make_shared<Link>();
  link->sentinel = sentinel;
  // An instance that never answers goes SDOWN after down-after (reference §2.2).
  link->act_ping_time = now;
  link->last_avail_time = now;
  link->last_pong_time = now;
  return link;
}

void Sentinel::Impl::drop_requests_of(ConnId conn) {
  for (auto it = requests.begin(); it != requests.end();) {
    if (it->second.conn != conn) {
      ++it;
      continue;
    }
    if (auto link = it->second.link.lock()) --link->pending_commands;
    it = requests.erase(it);
  }
}

void Sentinel::Impl::close_connection(Link& link, Connection which) {
  ConnId& id = which == Connection::Command ? link.cc : link.pc;
  if (id == 0) return;
  effects.push_back(DisconnectEffect{id});
  drop_requests_of(id);
  conns.erase(id);
  id = 0;
  if (which == Connection::Command) {
    link.cc_established = false;
    link.local_ip.clear();
  }
}

void Sentinel::Impl::release_link(Instance* ri) {
  if (!ri->link) return;
  if (--ri->link->refcount == 0) {
    close_connection(*ri->link, Connection::Command);
    close_connection(*ri->link, Connection::PubSub);
  }
  ri->link.reset();
}

void Sentinel::Impl::reconnect(Instance* ri) {
  Link& link = *ri->link;
  if (!link.disconnected() || ri->addr.port == 0) return;
  // vigil fast detection: retry as often as it pings (a dead instance refuses at once).
  TimeMs throttle = vigil().fast_detection_enabled() ? ping_period_for(ri) : tun().ping_period;
  if (now - link.last_reconn_time < throttle) return;
  link.last_reconn_time = now;

  const Instance* master = ri->owner();
  std::string user, pass;
  if (ri->is_sentinel()) {
    user = cfg.globals.sentinel_user;
    pass = cfg.globals.sentinel_pass;
    if (pass.empty()) {
      user.clear();
      pass = cfg.globals.requirepass;
    }
  } else {
    user = master->cfg.auth_user;
    pass = master->cfg.auth_pass;
  }
  auto handshake = [&](const char* role) {
    std::vector<std::vector<std::string>> cmds;
    if (!pass.empty()) {
      if (!user.empty()) cmds.push_back({command_name(ri, "AUTH"), user, pass});
      else cmds.push_back({command_name(ri, "AUTH"), pass});
    }
    cmds.push_back({command_name(ri, "CLIENT"), "SETNAME",
                    "sentinel-" + cfg.myid.substr(0, 8) + "-" + role});
    return cmds;
  };

  if (link.cc == 0) {
    ConnId id = next_conn++;
    conns[id] = ConnEntry{ri->link, Connection::Command};
    link.cc = id;
    link.cc_established = false;
    link.cc_conn_time = now;
    link.pending_commands = 0;
    effects.push_back(ConnectEffect{id, Connection::Command, ri->addr, handshake("cmd")});
    send_ping(ri);
  }
  if (!link.sentinel && link.pc == 0) {
    ConnId id = next_conn++;
    conns[id] = ConnEntry{ri->link, Connection::PubSub};
    link.pc = id;
    link.pc_conn_time = now;
    link.pc_last_activity = now;
    auto cmds = handshake("pubsub");
    cmds.push_back({command_name(ri, "SUBSCRIBE"), kHelloChannel});
    effects.push_back(ConnectEffect{id, Connection::PubSub, ri->addr, std::move(cmds)});
  }
}

RequestId Sentinel::Impl::send(Instance* ri, RequestKind kind, std::vector<std::string> argv) {
  Link& link = *ri->link;
  if (link.cc == 0) return 0;
  RequestId id = next_request++;
  requests[id] = PendingRequest{link.cc, ri->link, ri->uid, kind};
  ++link.pending_commands;
  effects.push_back(SendCommandEffect{id, link.cc, ri->addr, std::move(argv)});
  return id;
}

TimeMs Sentinel::Impl::info_period_for(const Instance* ri) const {
  const Instance* master = ri->owner();
  if (vigil().fast_poll_enabled()) {
    bool awaiting_promotion = (ri->flags & flag::kPromoted) &&
                              master->failover_state == FailoverState::WaitPromotion;
    bool reconfiguring = ri->flags & (flag::kReconfSent | flag::kReconfInprog);
    bool lossless_wait = master->lossless == detail::LosslessPhase::CatchingUp ||
                         (master->lossless == detail::LosslessPhase::None &&
                          master->failover_state == FailoverState::SendSlaveofNoOne &&
                          (master->flags & flag::kForceFailover));
    bool catching_up = lossless_wait && (ri == master || ri == master->promoted);
    if (awaiting_promotion || reconfiguring || catching_up) return vigil().fast_promotion_poll_ms;
  }
  const int urgent = flag::kODown | flag::kFailoverInProgress |
                     (vigil().fast_detection_enabled() ? flag::kSDown : 0);
  if (ri->is_replica() && ((master->flags & urgent) || ri->master_link_down_time != 0)) return 1000;
  return tun().info_period;
}

TimeMs Sentinel::Impl::ping_period_for(const Instance* ri) const {
  if (vigil().fast_detection_enabled())
    return std::min(std::max<TimeMs>(ri->down_after_period / 10, 10), tun().ping_period);
  return std::min(ri->down_after_period, tun().ping_period);
}

void Sentinel::Impl::send_periodic_commands(Instance* ri) {
  Link& link = *ri->link;
  if (link.disconnected()) return;
  if (link.pending_commands >= kMaxPendingCommands * link.refcount) return;
  TimeMs ping_period = ping_period_for(ri);
  if (!ri->is_sentinel() && (ri->info_refresh == 0 || now - ri->info_refresh > info_period_for(ri)))
    send_info(ri);
  if (now - link.last_pong_time > ping_period && now - link.last_ping_time > ping_period / 2)
    send_ping(ri);
  if (now - ri->last_pub_time > tun().publish_period) send_hello(ri);
}

void Sentinel::Impl::send_ping(Instance* ri) {
  if (send(ri, RequestKind::Ping, {command_name(ri, "PING")}) == 0) return;
  ri->link->last_ping_time = now;
  if (ri->link->act_ping_time == 0) ri->link->act_ping_time = now;
}

void Sentinel::Impl::send_info(Instance* ri, bool fresh) {
  // One INFO in flight per instance (Redis re-sends every tick while a reply is pending,
  // reference §14.12); a stuck link is reclaimed by the idle-link rules.
  if (!fresh && info_pending(ri)) return;
  ri->info_in_flight = send(ri, RequestKind::Info, {command_name(ri, "INFO")});
}

bool Sentinel::Impl::send_hello(Instance* ri) {
  Link& link = *ri->link;
  if (link.disconnected()) return false;
  // PUBLISH is blocked by our own CLIENT PAUSE WRITE, and everything queued behind it on this
  // connection (the re-point, the UNPAUSE) would wait for the pause to expire.
  if (ri->old_master_paused) return false;
  Hello hello;
  hello.sentinel_ip = cfg.globals.announce_ip.empty() ? link.local_ip : cfg.globals.announce_ip;
  if (hello.sentinel_ip.empty()) return false;  // local address not known yet
  hello.sentinel_port = cfg.globals.announce_port != 0 ? cfg.globals.announce_port : cfg.port;
  hello.sentinel_runid = cfg.myid;
  hello.current_epoch = current_epoch;
  const Instance* master = ri->owner();
  Address maddr = current_master_addr(master);
  hello.master_name = master->name;
  hello.master_ip = maddr.host;
  hello.master_port = maddr.port;
  hello.master_config_epoch = master->config_epoch;
  return send(ri, RequestKind::Publish,
              {command_name(ri, "PUBLISH"), kHelloChannel, format_hello(hello)}) != 0;
}

void Sentinel::Impl::send_slaveof(Instance* ri, const std::optional<Address>& target) {
  std::string host = target ? target->host : "NO";
  std::string port = target ? std::to_string(target->port) : "ONE";
  // Replies are ignored: the effect is observed through INFO (reference §8.2).
  send(ri, RequestKind::Ignored, {command_name(ri, "MULTI")});
  send(ri, RequestKind::Ignored, {command_name(ri, "SLAVEOF"), host, port});
  send(ri, RequestKind::Ignored, {command_name(ri, "CONFIG"), "REWRITE"});
  send(ri, RequestKind::Ignored, {command_name(ri, "CLIENT"), "KILL", "TYPE", "normal"});
  send(ri, RequestKind::Ignored, {command_name(ri, "CLIENT"), "KILL", "TYPE", "pubsub"});
  send(ri, RequestKind::Ignored, {command_name(ri, "EXEC")});
  // Pipelined behind the transaction, this INFO already shows its outcome: the promotion
  // (or re-pointing) is seen one round trip later instead of at the next INFO poll.
  if (vigil().prompt_steps_enabled()) send_info(ri, true);
}

// ---- replies -----------------------------------------------------------------------------

void Sentinel::Impl::handle_ping_reply(Instance* ri, Link& link, const Reply& r) {
  if (r.type == Reply::Type::Status || r.type == Reply::Type::Error) {
    if (starts_with(r.str, "PONG") || starts_with(r.str, "LOADING") ||
        starts_with(r.str, "MASTERDOWN")) {
      link.last_avail_time = now;
      link.act_ping_time = 0;
      if (ri && starts_with(r.str, "PONG")) ri->flags &= ~flag::kMasterReboot;
    } else if (ri && starts_with(r.str, "BUSY") && (ri->flags & flag::kSDown) &&
               !(ri->flags & flag::kScriptKillSent)) {
      // A script is blocking the instance: kill it once (reference §3.4).
      if (send(ri, RequestKind::ScriptKill, {command_name(ri, "SCRIPT"), "KILL"}) != 0)
        ri->flags |= flag::kScriptKillSent;
    }
  }
  link.last_pong_time = now;
}

void Sentinel::Impl::handle_publish_reply(Instance* ri, const Reply& r) {
  if (r.type != Reply::Type::Error) ri->last_pub_time = now;
}

void Sentinel::Impl::reply(RequestId id, const Reply& r) {
  auto it = requests.find(id);
  if (it == requests.end()) return;
  PendingRequest req = it->second;
  requests.erase(it);
  std::shared_ptr<Link> link = req.link.lock();
  if (link) --link->pending_commands;
  auto found = by_uid.find(req.instance_uid);
  Instance* ri = found == by_uid.end() ? nullptr : found->second;
  // Replies that can move a failover forward are acted upon at once (prompt steps).
  if (ri && req.kind != RequestKind::Ping && req.kind != RequestKind::Publish) {
    const Instance* master = ri->owner();
    if (master && (master->flags & (flag::kSDown | flag::kODown | flag::kFailoverInProgress)))
      request_tick(now);
  }
  switch (req.kind) {
    case RequestKind::Ping:
      if (link) handle_ping_reply(ri && ri->link == link ? ri : nullptr, *link, r);
      break;
    case RequestKind::Info:
      if (ri && r.type == Reply::Type::Bulk) refresh_instance_info(ri, r.str);
      break;
    case RequestKind::Publish:
      if (ri) handle_publish_reply(ri, r);
      break;
    case RequestKind::AskMasterDown:
      if (ri) handle_ask_reply(ri, r);
      break;
    case RequestKind::ClientPause:
      if (ri && ri->is_master()) handle_pause_reply(ri, r);
      break;
    case RequestKind::Ignored:
    case RequestKind::ScriptKill:
      break;
  }
}

void Sentinel::Impl::link_up(ConnId conn, const std::string& local_ip) {
  auto it = conns.find(conn);
  if (it == conns.end()) return;
  auto link = it->second.link.lock();
  if (!link) return;
  if (it->second.which == Connection::Command) {
    link->cc_established = true;
    link->local_ip = local_ip;
  } else {
    link->pc_last_activity = now;
  }
}

void Sentinel::Impl::link_down(ConnId conn, const std::string& error) {
  auto it = conns.find(conn);
  if (it == conns.end()) return;
  Connection which = it->second.which;
  auto link = it->second.link.lock();
  conns.erase(it);
  drop_requests_of(conn);
  if (!link) return;
  if (which == Connection::Command) {
    link->cc = 0;
    link->cc_established = false;
    link->local_ip.clear();
  } else {
    link->pc = 0;
  }
  log(LogLevel::Debug, std::string(which == Connection::Command ? "-cmd" : "-pubsub") +
                           "-link-reconnection #" + error);
}

void Sentinel::Impl::pubsub_message(ConnId conn, const std::string& channel,
                                    const std::string& payload) {
  auto it = conns.find(conn);
  if (it == conns.end() || it->second.which != Connection::PubSub) return;
  if (auto link = it->second.link.lock()) link->pc_last_activity = now;
  if (channel != kHelloChannel) return;
  if (payload.find(cfg.myid) != std::string::npos) return;  // our own hello
  process_hello(payload);
}

}  // namespace vigil::sentinel

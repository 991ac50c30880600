// FAILOVER (Redis 6.2+): a master hands its role to one of its replicas
// without losing acknowledged writes. Writes are paused; once the target
// (or, without TO, any replica) has acknowledged the whole stream, this node
// becomes a replica of it and sends `PSYNC <replid> <offset> FAILOVER`, which
// makes the target promote itself and continue our history (psync()). ABORT,
// a timeout without FORCE, or the target refusing ends it and restores the
// master role. Error texts and their order are Redis 7.0's.
#include <strings.h>

#include "common/log/log.h"
#include "common/net/tcp_server.h"
#include "common/util/clock.h"
#include "common/util/numbers.h"
#include "node/replication/replication.h"
#include "node/server/client.h"
#include "node/server/command_context.h"
#include "node/server/node_server.h"

namespace vigil::node::replication {

namespace {

bool is(const std::string& arg, const char* word) { return strcasecmp(arg.c_str(), word) == 0; }

// Writes stay paused until the failover ends (Redis pauses "forever").
constexpr int64_t kPauseForeverMs = 100LL * 365 * 24 * 3600 * 1000;

}  // namespace

const char* Replication::failover_state_name(FailoverState s) {
  switch (s) {
    case FailoverState::kWaitForSync:
      return "waiting-for-sync";
    case FailoverState::kInProgress:
      return "failover-in-progress";
    case FailoverState::kNone:
      break;
  }
  return "no-failover";
}

void Replication::failover(CommandContext& ctx) {
  const auto& argv = ctx.argv;
  if (argv.size() == 2 && is(argv[1], "abort")) {
    if (failover_state_ == FailoverState::kNone) {
      ctx.reply.error("ERR No failover in progress.");
      return;
    }
    abort_failover("Failover manually aborted");
    ctx.reply.ok();
    return;
  }
  long long timeout_ms = 0;
  long long port = 0;
  bool force = false;
  const std::string* host = nullptr;
  for (size_t j = 1; j < argv.size(); j++) {
    if (is(argv[j], "timeout") && j + 1 < argv.size() && timeout_ms == 0) {
      if (!util::string2ll(argv[j + 1], &timeout_ms)) {
        ctx.reply.error("ERR value is not an integer or out of range");
        return;
      }
      if (timeout_ms <= 0) {
        ctx.reply.error("ERR FAILOVER timeout must be greater than 0");
        return;
      }
      j++;
    } else if (is(argv[j], "to") && j + 2 < argv.size() && host == nullptr) {
      if (!util::string2ll(argv[j + 2], &port)) {
        ctx.reply.error("ERR value is not an integer or out of range");
        return;
      }
      host = &argv[j + 1];
      j += 2;
    } else if (is(argv[j], "force") && !force) {
      force = true;
    } else {
      ctx.reply.error("ERR syntax error");
      return;
    }
  }
  if (failover_state_ != FailoverState::kNone) {
    ctx.reply.error("ERR FAILOVER already in progress.");
    return;
  }
  if (is_replica()) {
    ctx.reply.error("ERR FAILOVER is not valid when server is a replica.");
    return;
  }
  if (attached_replicas().empty()) {
    ctx.reply.error("ERR FAILOVER requires connected replicas.");
    return;
  }
  if (force && (timeout_ms == 0 || host == nullptr)) {
    ctx.reply.error("ERR FAILOVER with force option requires both a timeout and target HOST and IP.");
    return;
  }
  if (host != nullptr) {
    uint64_t id = find_replica(*host, static_cast<int>(port));
    if (id == 0) {
      ctx.reply.error("ERR FAILOVER target HOST and PORT is not a replica.");
      return;
    }
    if (peers_[id].state != SyncState::kOnline) {
      ctx.reply.error("ERR FAILOVER target replica is not online.");
      return;
    }
    failover_host_ = *host;
    failover_port_ = static_cast<int>(port);
    log::notice("FAILOVER requested to {}:{}.", *host, port);
  } else {
    log::notice("FAILOVER requested to any replica.");
  }
  failover_end_ms_ = timeout_ms > 0 ? util::unix_time_ms() + timeout_ms : 0;
  failover_force_ = force;
  failover_state_ = FailoverState::kWaitForSync;
  server_.pause_clients(true, util::unix_time_ms() + kPauseForeverMs);
  ctx.reply.ok();
}

uint64_t Replication::find_replica(const std::string& host, int port) {
  for (auto& [id, p] : attached_replicas()) {
    std::string ip = replica_ip(*replica_connection(id), *p);
    if (strcasecmp(ip.c_str(), host.c_str()) == 0 && p->listening_port == port) return id;
  }
  return 0;
}

void Replication::update_failover(int64_t now) {
  if (failover_state_ == FailoverState::kInProgress) {
    // The link to the target failed or was refused before PSYNC was
    // accepted (checked here, not from inside the link's own callback).
    if (link_ && link_->state() == LinkState::kConnect) abort_failover("Failover target rejected psync request");
    return;
  }
  if (failover_state_ != FailoverState::kWaitForSync) return;
  if (failover_end_ms_ != 0 && failover_end_ms_ <= now) {
    if (failover_force_) {
      log::notice("FAILOVER to {}:{} time out exceeded, failing over.", failover_host_, failover_port_);
      begin_failover_handoff(failover_host_, failover_port_);
    } else {
      abort_failover("Replica never caught up before timeout");
    }
    return;
  }
  Peer* target = nullptr;
  if (!failover_host_.empty()) {
    uint64_t id = find_replica(failover_host_, failover_port_);
    if (id != 0) target = &peers_[id];
  } else {
    for (auto& [id, p] : attached_replicas()) {
      if (p->ack_offset != master_repl_offset_) continue;
      failover_host_ = replica_ip(*replica_connection(id), *p);
      failover_port_ = p->listening_port;
      target = p;
      break;
    }
  }
  if (target != nullptr && target->ack_offset == master_repl_offset_) {
    log::notice("Failover target {}:{} is synced, failing over.", failover_host_, failover_port_);
    begin_failover_handoff(failover_host_, failover_port_);
  }
}

void Replication::begin_failover_handoff(const std::string& host, int port) {
  failover_state_ = FailoverState::kInProgress;
  // psync_failover() now adds FAILOVER to the handshake's PSYNC.
  replicaof(host, port, "failover");
}

bool Replication::psync_failover() { return failover_state_ == FailoverState::kInProgress; }

void Replication::on_psync_accepted() {
  if (failover_state_ == FailoverState::kInProgress) clear_failover();
}

void Replication::abort_failover(const std::string& why) {
  if (failover_state_ == FailoverState::kNone) return;
  if (!failover_host_.empty()) {
    log::notice("FAILOVER to {}:{} aborted: {}", failover_host_, failover_port_, why);
  } else {
    log::notice("FAILOVER to any replica aborted: {}", why);
  }
  bool handing_off = failover_state_ == FailoverState::kInProgress;
  clear_failover();
  if (handing_off) replicaof_no_one("failover abort");
}

void Replication::clear_failover() {
  failover_state_ = FailoverState::kNone;
  failover_host_.clear();
  failover_port_ = 0;
  failover_end_ms_ = 0;
  failover_force_ = false;
  server_.unpause_clients();
}

}  // namespace vigil::node::replication

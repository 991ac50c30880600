// The master side of full resynchronizations, as Redis 7.0 does them: the
// snapshot is written by a fork child (persistence.h) so the loop keeps
// serving clients, either into a pipe the parent relays to the replicas'
// sockets (repl-diskless-sync yes, `$EOF:<mark>` framing) or into dump.rdb,
// then streamed as a `$<len>` bulk. Each replica buffers the stream from the
// fork's offset until its RDB is through (replica output-buffer limits
// apply), then goes online. Several replicas share one child: diskless ones
// waiting within repl-diskless-sync-delay, disk ones joining a running
// replication BGSAVE. A failed or killed child closes its replicas (they
// reconnect and retry); a replica that goes away affects no other.
#include <algorithm>

#include "common/log/log.h"
#include "common/net/tcp_server.h"
#include "common/util/clock.h"
#include "node/persistence/persistence.h"
#include "node/replication/replication.h"
#include "node/server/client.h"
#include "node/server/node_server.h"

namespace vigil::node::replication {

namespace {

constexpr int64_t kNewlineEveryMs = 1000;  // keepalive while the snapshot is prepared

}  // namespace

void Replication::full_resync(Client& c, net::Connection& conn, Peer& peer, bool is_sync) {
  int64_t now = util::unix_time_ms();
  c.is_replica = true;
  conn.set_class(net::ClientClass::kReplica);
  peer.state = SyncState::kWaitBgsaveStart;
  peer.old_sync = is_sync;
  peer.ack_time_s = now / 1000;
  peer.ack_offset = 0;
  peer.waiting_since_ms = now;
  peer.last_newline_ms = now;
  peer.pending.clear();
  peer.stream_on_ack = false;

  persistence::Persistence* p = server_.persistence;
  if (sync_child_ == SyncChild::kDisk) {
    // Another replica waits on this BGSAVE: share its snapshot and the
    // stream buffered since (Redis copies that replica's output buffer).
    for (auto& [id, other] : attached_replicas()) {
      if (other == &peer || other->state != SyncState::kWaitBgsaveEnd) continue;
      peer.state = SyncState::kWaitBgsaveEnd;
      peer.fullsync_offset = other->fullsync_offset;
      peer.pending = other->pending;
      if (!is_sync) conn.reply().raw("+FULLRESYNC " + replid_ + " " + std::to_string(peer.fullsync_offset) + "\r\n");
      log::notice("Waiting for end of BGSAVE for SYNC");
      return;
    }
    log::notice("Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC");
    return;
  }
  if (sync_child_ == SyncChild::kDiskless) {
    log::notice("Current BGSAVE has socket target. Waiting for next BGSAVE for SYNC");
    return;
  }
  if (p != nullptr && p->bgsave_in_progress()) {
    log::notice("Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC");
    return;
  }
  if (p != nullptr && p->child_running()) {
    log::notice("No BGSAVE in progress, but another BG operation is active. BGSAVE for replication delayed");
    return;
  }
  if (config_.repl_diskless_sync && peer.capa_eof && config_.repl_diskless_sync_delay > 0) {
    log::notice("Delay next BGSAVE for diskless SYNC");
    return;
  }
  start_sync_child();
}

bool Replication::should_start_sync_child(int64_t now) {
  persistence::Persistence* p = server_.persistence;
  if (p == nullptr || p->child_running() || sync_child_ != SyncChild::kNone) return false;
  int waiting = 0;
  int64_t max_idle_ms = 0;
  for (auto& [id, peer] : attached_replicas()) {
    if (peer->state != SyncState::kWaitBgsaveStart) continue;
    ++waiting;
    max_idle_ms = std::max(max_idle_ms, now - peer->waiting_since_ms);
  }
  if (waiting == 0) return false;
  // As Redis's shouldStartChildReplication.
  bool delay_over = max_idle_ms >= static_cast<int64_t>(config_.repl_diskless_sync_delay) * 1000;
  int max_replicas = config_.repl_diskless_sync_max_replicas;
  return !config_.repl_diskless_sync || (max_replicas == 0 && delay_over) ||
         (max_replicas > 0 && (waiting >= max_replicas || delay_over));
}

bool Replication::start_sync_child() {
  persistence::Persistence* p = server_.persistence;
  std::vector<std::pair<uint64_t, Peer*>> waiting;
  bool all_eof = true;
  for (auto& [id, peer] : attached_replicas()) {
    if (peer->state != SyncState::kWaitBgsaveStart) continue;
    waiting.emplace_back(id, peer);
    all_eof = all_eof && peer->capa_eof;
  }
  if (waiting.empty() || p == nullptr || p->child_running() || sync_child_ != SyncChild::kNone) return false;
  // A replica that cannot take an $EOF stream makes the whole batch disk-based.
  bool diskless = config_.repl_diskless_sync && all_eof;
  bool started;
  if (diskless) {
    log::notice("Starting BGSAVE for SYNC with target: replicas sockets");
    std::string mark = random_id();
    pipe_child_exited_ok_ = false;
    pipe_drained_ = false;
    int fd = p->rdb_to_pipe_for_replication("$EOF:" + mark + "\r\n", mark, [this](bool ok) { on_pipe_child_done(ok); });
    started = fd >= 0;
    if (started) {
      RdbPipeRelay::Callbacks cb;
      cb.targets = [this] {
        std::vector<net::Connection*> out;
        for (auto& [id, peer] : attached_replicas()) {
          if (peer->state == SyncState::kWaitBgsaveEnd) out.push_back(replica_connection(id));
        }
        return out;
      };
      cb.on_end = [this](bool ok) { on_pipe_end(ok); };
      cb.on_no_targets = [this] { on_pipe_targets_gone(); };
      relay_ = std::make_unique<RdbPipeRelay>(server_.loop(), fd, std::move(cb));
      sync_child_ = SyncChild::kDiskless;
    }
  } else {
    log::notice("Starting BGSAVE for SYNC with target: disk");
    started = p->bgsave_for_replication([this](bool ok) { on_disk_child_done(ok); });
    if (started) sync_child_ = SyncChild::kDisk;
  }
  if (!started) {
    log::warning("BGSAVE for replication failed");
    for (auto& [id, peer] : waiting) {
      if (net::Connection* conn = replica_connection(id)) {
        conn->reply().error("ERR BGSAVE failed, maybe there is another child process?");
        conn->close_after_reply();
      }
      peer->state = SyncState::kNone;
    }
    return false;
  }
  int64_t now = util::unix_time_ms();
  for (auto& [id, peer] : waiting) setup_for_snapshot(*peer, *replica_connection(id), now);
  // The stream after a snapshot starts with a SELECT (a replica relays
  // its master's bytes instead and told the db in the RDB's AUX fields).
  if (!is_replica()) stream_db_ = -1;
  return true;
}

void Replication::setup_for_snapshot(Peer& peer, net::Connection& conn, int64_t now) {
  peer.state = SyncState::kWaitBgsaveEnd;
  peer.fullsync_offset = master_repl_offset_;
  peer.pending.clear();
  peer.last_newline_ms = now;
  if (!peer.old_sync) {
    conn.reply().raw("+FULLRESYNC " + replid_ + " " + std::to_string(master_repl_offset_) + "\r\n");
    conn.flush();
  }
}

// ------------------------------------------------------------------ disk-based

// A snapshot child failed: every replica waiting on it is dropped (it
// reconnects and asks again).
void Replication::fail_replicas_waiting_bgsave() {
  for (auto& [id, peer] : attached_replicas()) {
    if (peer->state != SyncState::kWaitBgsaveEnd) continue;
    log::warning("SYNC failed. BGSAVE child returned an error");
    replica_connection(id)->close();
  }
}

void Replication::on_disk_child_done(bool ok) {
  sync_child_ = SyncChild::kNone;
  if (!ok) return fail_replicas_waiting_bgsave();
  for (auto& [id, peer] : attached_replicas()) {
    if (peer->state != SyncState::kWaitBgsaveEnd) continue;
    net::Connection* conn = replica_connection(id);
    peer->sender = std::make_unique<RdbFileSender>(server_.persistence->rdb_path());
    if (!peer->sender->ok()) {
      log::warning("SYNC failed. Can't open/stat DB after BGSAVE: {}", peer->sender->error());
      conn->close();
      continue;
    }
    peer->state = SyncState::kSendBulk;
  }
  pump_file_transfers();
}

void Replication::on_pump(uv_timer_t* t) { static_cast<Replication*>(t->data)->pump_file_transfers(); }

void Replication::pump_file_transfers() {
  bool sending = false;
  for (auto& [id, peer] : attached_replicas()) {
    if (peer->state != SyncState::kSendBulk) continue;
    net::Connection* conn = replica_connection(id);
    if (!peer->sender->pump(*conn)) {
      log::warning("Read error sending DB to replica: {}", peer->sender->error());
      conn->close();
      continue;
    }
    if (!peer->sender->done()) {
      sending = true;
      continue;
    }
    peer->sender.reset();
    start_command_stream(*peer, *conn);
    log::notice("Synchronization with replica {} succeeded", replica_name(*conn, *peer));
  }
  if (!sending) {
    if (pump_) uv_timer_stop(pump_);
    return;
  }
  if (!pump_) {
    pump_ = new uv_timer_t;
    uv_timer_init(server_.loop(), pump_);
    pump_->data = this;
  }
  // Re-checked every millisecond: the file is sent as fast as the socket
  // drains, never more than kRdbTransferWindow ahead of it.
  if (!uv_is_active(reinterpret_cast<uv_handle_t*>(pump_))) uv_timer_start(pump_, on_pump, 1, 1);
}

// ------------------------------------------------------------------ diskless

void Replication::on_pipe_child_done(bool ok) {
  if (!ok) {
    finish_pipe_transfer(false);
    return;
  }
  pipe_child_exited_ok_ = true;
  if (pipe_drained_) finish_pipe_transfer(true);
}

void Replication::on_pipe_end(bool ok) {
  if (!ok) {
    log::warning("Diskless rdb transfer, read error from the child's pipe");
    if (server_.persistence != nullptr) server_.persistence->kill_pipe_child();  // done(false) fails the sync
    finish_pipe_transfer(false);
    return;
  }
  pipe_drained_ = true;
  log::notice("Diskless rdb transfer, done reading from pipe");
  if (pipe_child_exited_ok_) finish_pipe_transfer(true);
}

void Replication::on_pipe_targets_gone() {
  log::warning("Diskless rdb transfer, last replica dropped, killing fork child.");
  if (server_.persistence != nullptr) server_.persistence->kill_pipe_child();
  finish_pipe_transfer(false);  // the child may have exited already
}

void Replication::finish_pipe_transfer(bool ok) {
  if (sync_child_ != SyncChild::kDiskless) return;
  sync_child_ = SyncChild::kNone;
  // Often called from inside the relay's own callback: freed by the cron.
  retired_relay_ = std::move(relay_);
  if (!ok) return fail_replicas_waiting_bgsave();
  int64_t now_s = util::unix_time_ms() / 1000;
  for (auto& [id, peer] : attached_replicas()) {
    if (peer->state != SyncState::kWaitBgsaveEnd) continue;
    net::Connection* conn = replica_connection(id);
    // Its RDB may still sit in the socket: the stream follows its first ACK.
    peer->state = SyncState::kOnline;
    peer->stream_on_ack = true;
    peer->ack_time_s = now_s;
    log::notice("Streamed RDB transfer with replica {} succeeded (socket). Waiting for REPLCONF ACK from replica "
                "to enable streaming",
                replica_name(*conn, *peer));
  }
}

// ------------------------------------------------------------------ both

void Replication::start_command_stream(Peer& peer, net::Connection& conn) {
  peer.state = SyncState::kOnline;
  peer.stream_on_ack = false;
  peer.ack_time_s = util::unix_time_ms() / 1000;
  peer.soft_limit_since_ms = 0;
  if (!peer.pending.empty()) {
    conn.reply().raw(peer.pending);
    std::string().swap(peer.pending);
  }
  conn.flush();
}

bool Replication::over_output_limit(Peer& peer, net::Connection& conn, int64_t now) {
  const net::OutputBufferLimit& limit =
      server_.net().limits().output[static_cast<int>(net::ClientClass::kReplica)];
  uint64_t used = peer.pending.size() + conn.output_bytes();
  bool over = limit.hard_bytes > 0 && used >= limit.hard_bytes;
  if (limit.soft_bytes > 0 && used >= limit.soft_bytes) {
    if (peer.soft_limit_since_ms == 0) {
      peer.soft_limit_since_ms = now;
    } else if (now - peer.soft_limit_since_ms > static_cast<int64_t>(limit.soft_seconds) * 1000) {
      over = true;
    }
  } else {
    peer.soft_limit_since_ms = 0;
  }
  if (over) {
    log::warning("Client {} scheduled to be closed ASAP for overcoming of output buffer limits.",
                 replica_name(conn, peer));
  }
  return over;
}

void Replication::full_sync_cron(int64_t now) {
  retired_relay_.reset();
  for (auto& [id, peer] : attached_replicas()) {
    net::Connection* conn = replica_connection(id);
    // The soft limit also fires while no new write arrives.
    if (!peer->pending.empty() && over_output_limit(*peer, *conn, now)) {
      conn->close();
      continue;
    }
    // A newline keeps the replica's read timeout from firing while its
    // snapshot is prepared (not inside a diskless stream: it would corrupt it).
    bool presync = peer->state == SyncState::kWaitBgsaveStart ||
                   (peer->state == SyncState::kWaitBgsaveEnd && sync_child_ != SyncChild::kDiskless);
    if (presync && now - peer->last_newline_ms >= kNewlineEveryMs) {
      peer->last_newline_ms = now;
      conn->reply().raw("\n");
      conn->flush();
    }
  }
  if (should_start_sync_child(now)) start_sync_child();
}

}  // namespace vigil::node::replication

// vigil-node's replication module (Redis 7.0 PSYNC2), both roles:
//   - master side: replication id / offset, the backlog, the replicas
//     attached through PSYNC/SYNC (ordinary client connections turned into
//     replica links), propagation of every write in order (a Propagator),
//     full syncs (an RDB written by a fork child, full_sync.cpp) and partial
//     resyncs from the backlog,
//     REPLCONF ACK bookkeeping, WAIT and min-replicas-to-write;
//   - replica side: the link to the master (replica_link.h), loading a full
//     sync, applying the stream as the master's fake client, relaying the
//     exact bytes to sub-replicas and into the backlog (chained replication),
//     read-only / stale-data rules;
//   - role changes: REPLICAOF host port / NO ONE with PSYNC2's id shifting so
//     the other replicas and a returning old master resync partially.
// It installs itself into NodeServer (is_replica, role_reply, INFO
// replication, command_gate, kill_master_link) and adds itself as a propagator.
#pragma once

#include <uv.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/resp/reply_builder.h"
#include "node/replication/backlog.h"
#include "node/replication/rdb_transfer.h"
#include "node/replication/replica_link.h"
#include "node/replication/replication_config.h"
#include "node/server/propagation.h"

namespace vigil::net { class Connection; }

namespace vigil::node {
class NodeServer;
struct Client;
struct CommandContext;
}  // namespace vigil::node

namespace vigil::node::replication {

class Replication final : public Propagator, private LinkOwner {
 public:
  Replication(NodeServer& server, ReplicationConfig& config);
  ~Replication() override;
  Replication(const Replication&) = delete;
  Replication& operator=(const Replication&) = delete;

  // The module installed in server (nullptr when none: unit tests).
  static Replication* of(NodeServer& server);

  // After the dataset was loaded at startup: a replica adopts the RDB's
  // repl-id / repl-offset as its cached master, so it can PSYNC.
  void after_load();
  // Starts the 100 ms cron and, for a configured replica, the link.
  void start();

  // ---- commands (node/commands/replication_family.cpp) ---------------------
  // REPLICAOF host port. Returns false when already replicating from it.
  bool replicaof(const std::string& host, int port, const std::string& who);
  // REPLICAOF NO ONE.
  void replicaof_no_one(const std::string& who);
  // REPLCONF options from a (future) replica.
  void set_listening_port(Client& c, int port);
  void set_announced_ip(Client& c, const std::string& ip);
  void add_capa(Client& c, const std::string& capa);
  void on_ack(Client& c, int64_t offset);
  // PSYNC replid offset [FAILOVER] / SYNC (is_sync): replies on the client
  // connection and turns it into a replica link. With FAILOVER (from our
  // master, handing its role over) this replica first becomes a master.
  void psync(CommandContext& ctx, const std::string& replid, const std::string& offset, bool is_sync,
             bool failover = false);
  // FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms] (failover.cpp).
  void failover(CommandContext& ctx);
  // WAIT numreplicas timeout_ms (validated by the caller).
  void wait(CommandContext& ctx, int64_t numreplicas, int64_t timeout_ms);

  // ---- Propagator: a write executed on this master --------------------------
  void propagate(int db, const std::vector<std::string>& argv) override;

  // ---- introspection --------------------------------------------------------
  bool is_replica() const { return config_.is_replica(); }
  bool failing_over() const { return failover_state_ != FailoverState::kNone; }
  std::string info_body();
  void role_reply(resp::ReplyBuilder& r);
  // READONLY / NOREPLICAS / MASTERDOWN for a command with these flags.
  std::string command_gate(Client& c, uint32_t flags);
  const std::string& replid() const { return replid_; }
  int64_t offset() const { return master_repl_offset_; }

 private:
  // A replica's progress through a full sync (Redis's replstate; INFO's
  // state=wait_bgsave / send_bulk / online). kNone: not attached.
  enum class SyncState { kNone, kWaitBgsaveStart, kWaitBgsaveEnd, kSendBulk, kOnline };
  struct Peer {  // a client that sent REPLCONF/PSYNC
    int listening_port = 0;
    std::string announced_ip;
    bool capa_psync2 = false;  // +CONTINUE carries our replid
    bool capa_eof = false;     // can take a diskless ($EOF:<mark>) RDB
    SyncState state = SyncState::kNone;
    bool old_sync = false;    // attached with SYNC: never timed out on ACKs
    int64_t ack_offset = 0;
    int64_t ack_time_s = 0;
    // Full sync in progress.
    int64_t fullsync_offset = 0;    // the snapshot's offset (+FULLRESYNC)
    int64_t waiting_since_ms = 0;   // in kWaitBgsaveStart: the diskless delay
    int64_t last_newline_ms = 0;    // keepalive "\n" while the snapshot is prepared
    std::string pending;            // the stream after the snapshot, sent after the RDB
    bool stream_on_ack = false;     // diskless: online, stream starts at its first ACK
    int64_t soft_limit_since_ms = 0;
    std::unique_ptr<RdbFileSender> sender;  // kSendBulk
    bool attached() const { return state != SyncState::kNone; }
  };
  enum class SyncChild { kNone, kDisk, kDiskless };  // the fork serving full syncs
  static const char* sync_state_name(SyncState s);
  static std::string random_id();  // 40 hex chars: replication ids, diskless EOF marks
  static std::string replica_ip(net::Connection& conn, const Peer& p);    // announced, else the peer's
  static std::string replica_name(net::Connection& conn, const Peer& p);  // "ip:listening-port"
  struct Waiter {  // a client blocked in WAIT
    uint64_t client_id;
    int64_t target;
    int64_t numreplicas;
    uv_timer_t* timer = nullptr;
  };

  // LinkOwner.
  std::pair<std::string, std::string> psync_args() override;
  std::string on_full_sync(const std::string& replid, int64_t offset, std::string& rdb) override;
  void on_continue(const std::string& new_replid) override;
  bool on_stream_command(std::vector<std::string>& argv, std::string_view raw) override;
  void on_link_down(bool was_connected) override;
  bool psync_failover() override;
  void on_psync_accepted() override;

  // Stream bookkeeping shared by both roles: offset, backlog, replicas.
  void feed_stream(std::string_view bytes);
  void create_backlog();
  void free_backlog();
  void shift_replication_id();
  void disconnect_replicas();
  // Peer of client id, nullptr when the connection is gone (and forgets it).
  net::Connection* replica_connection(uint64_t id);
  // Replicas in any state (forgets peers whose connection is gone) / online ones.
  std::vector<std::pair<uint64_t, Peer*>> attached_replicas();
  std::vector<std::pair<uint64_t, Peer*>> online_replicas();
  int good_replicas(int64_t now_s);
  int64_t replicas_acked(int64_t target);
  void start_link();
  void stop_link();
  void discard_pending_transaction();
  void set_expiry_policies();
  void send_getack();
  // Answers the WAITs that have enough ACKs (or whose client is gone).
  void serve_waiters();
  void finish_waiter(size_t index);
  void unblock_all_waiters();
  void cron();
  static void on_cron(uv_timer_t* t);

  // ---- full sync (full_sync.cpp) ---------------------------------------------
  // A replica that needs the whole dataset: joins a running disk child when
  // it can, else waits for (or starts) the next fork.
  void full_resync(Client& c, net::Connection& conn, Peer& peer, bool is_sync);
  // Forks for the replicas in kWaitBgsaveStart (no child may be running).
  bool start_sync_child();
  // +FULLRESYNC and kWaitBgsaveEnd: from now on it buffers the stream.
  void setup_for_snapshot(Peer& peer, net::Connection& conn, int64_t now);
  void fail_replicas_waiting_bgsave();
  void on_disk_child_done(bool ok);
  void on_pipe_child_done(bool ok);
  void on_pipe_end(bool ok);
  void on_pipe_targets_gone();
  void finish_pipe_transfer(bool ok);
  void pump_file_transfers();
  static void on_pump(uv_timer_t* t);
  // Online: the buffered stream goes out, then the live one.
  void start_command_stream(Peer& peer, net::Connection& conn);
  // The replica class output-buffer limits over buffered stream + socket output.
  bool over_output_limit(Peer& peer, net::Connection& conn, int64_t now);
  void full_sync_cron(int64_t now);
  // Redis's shouldStartChildReplication: the diskless delay / max-replicas.
  bool should_start_sync_child(int64_t now);

  // ---- FAILOVER (failover.cpp) -------------------------------------------------
  // Redis's failover_state (INFO master_failover_state).
  enum class FailoverState { kNone, kWaitForSync, kInProgress };
  static const char* failover_state_name(FailoverState s);
  // The attached replica announced as host:port, or 0.
  uint64_t find_replica(const std::string& host, int port);
  // Waiting for sync: fails over once the target (or any replica) acked
  // every byte, or at the timeout (FORCE) / aborts at the timeout. In
  // progress: aborts when the link to the target failed.
  void update_failover(int64_t now);
  void begin_failover_handoff(const std::string& host, int port);
  void abort_failover(const std::string& why);
  void clear_failover();
  static void on_wait_timeout(uv_timer_t* t);

  NodeServer& server_;
  ReplicationConfig& config_;
  uv_timer_t* cron_ = nullptr;

  // Replication history (Redis's replid, replid2, master_repl_offset...).
  std::string replid_;
  std::string replid2_;
  int64_t master_repl_offset_ = 0;
  int64_t second_replid_offset_ = -1;
  std::unique_ptr<Backlog> backlog_;
  int64_t no_replicas_since_s_ = 0;  // for repl-backlog-ttl
  int stream_db_ = -1;               // db of the last SELECT in the stream (master)
  int64_t last_getack_offset_ = -1;  // coalesces GETACKs of several WAITs
  int64_t last_ping_s_ = 0;

  std::map<uint64_t, Peer> peers_;  // by client id = connection order
  std::vector<Waiter> waiters_;
  // WAIT's target per client: the stream offset after its latest write.
  std::unordered_map<uint64_t, int64_t> client_woff_;
  // The client whose command is running, as seen by command_gate (called for
  // every command of a normal client). Propagation is attributed to it, so a
  // client's WAIT target covers all its writes; a later expiry DEL may also
  // be attributed to it, which only makes its next WAIT slightly stricter.
  uint64_t current_client_ = 0;

  // Full sync (master side of any node).
  SyncChild sync_child_ = SyncChild::kNone;
  std::unique_ptr<RdbPipeRelay> relay_;
  std::unique_ptr<RdbPipeRelay> retired_relay_;  // finished inside its own callback: freed by cron
  bool pipe_child_exited_ok_ = false;
  bool pipe_drained_ = false;
  uv_timer_t* pump_ = nullptr;  // paces RdbFileSenders while their sockets drain

  // FAILOVER.
  FailoverState failover_state_ = FailoverState::kNone;
  std::string failover_host_;  // empty: any replica that catches up
  int failover_port_ = 0;
  int64_t failover_end_ms_ = 0;  // 0: no timeout
  bool failover_force_ = false;

  // Replica side.
  std::unique_ptr<ReplicaLink> link_;
  bool has_cached_master_ = false;  // PSYNC <replid> <offset+1> instead of PSYNC ? -1
  int applied_db_ = 0;              // db of the master's stream
  bool in_transaction_ = false;     // between MULTI and EXEC of the master's stream
  std::string transaction_bytes_;   // relayed/committed at EXEC
  int64_t link_down_since_s_ = 0;   // 0 = never connected
};

}  // namespace vigil::node::replication

// vigil-node's replication module (Redis 7.0 PSYNC2), both roles:
//   - master side: replication id / offset, the backlog, the replicas
//     attached through PSYNC/SYNC (ordinary client connections turned into
//     replica links), propagation of every write in order (a Propagator),
//     full syncs (an RDB of the dataset) and partial resyncs from the backlog,
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
  // PSYNC replid offset / SYNC (is_sync): replies on the client connection
  // and turns it into a replica link.
  void psync(CommandContext& ctx, const std::string& replid, const std::string& offset, bool is_sync);
  // WAIT numreplicas timeout_ms (validated by the caller).
  void wait(CommandContext& ctx, int64_t numreplicas, int64_t timeout_ms);

  // ---- Propagator: a write executed on this master --------------------------
  void propagate(int db, const std::vector<std::string>& argv) override;

  // ---- introspection --------------------------------------------------------
  bool is_replica() const { return config_.is_replica(); }
  std::string info_body();
  void role_reply(resp::ReplyBuilder& r);
  // READONLY / NOREPLICAS / MASTERDOWN for a command with these flags.
  std::string command_gate(Client& c, uint32_t flags);
  const std::string& replid() const { return replid_; }
  int64_t offset() const { return master_repl_offset_; }

 private:
  struct Peer {  // a client that sent REPLCONF/PSYNC
    int listening_port = 0;
    std::string announced_ip;
    bool capa_psync2 = false;  // +CONTINUE carries our replid (capa eof needs nothing: we send $<len>)
    bool replica = false;     // attached (after PSYNC/SYNC)
    bool old_sync = false;    // attached with SYNC: never timed out on ACKs
    int64_t ack_offset = 0;
    int64_t ack_time_s = 0;
  };
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

  // Stream bookkeeping shared by both roles: offset, backlog, replicas.
  void feed_stream(std::string_view bytes);
  void create_backlog();
  void free_backlog();
  void shift_replication_id();
  void disconnect_replicas();
  // Peer of client id, nullptr when the connection is gone (and forgets it).
  net::Connection* replica_connection(uint64_t id);
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

  // Replica side.
  std::unique_ptr<ReplicaLink> link_;
  bool has_cached_master_ = false;  // PSYNC <replid> <offset+1> instead of PSYNC ? -1
  int applied_db_ = 0;              // db of the master's stream
  bool in_transaction_ = false;     // between MULTI and EXEC of the master's stream
  std::string transaction_bytes_;   // relayed/committed at EXEC
  int64_t link_down_since_s_ = 0;   // 0 = never connected
};

}  // namespace vigil::node::replication

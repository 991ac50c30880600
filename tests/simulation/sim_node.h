// A simulated data node (redis-server / vigil-node as a sentinel sees it).
//
// Modelled: role and REPLICAOF (also inside MULTI/EXEC with CONFIG REWRITE and
// CLIENT KILL), the master link (connect, PSYNC2 partial vs full resync with a
// sync delay, streaming, repl-timeout), replid/replid2/second_repl_offset,
// offsets growing with writes and replicated PUBLISHes, replica priority
// (incl. 0), INFO / ROLE / PING replies with Redis 7.0's exact field names,
// PUBLISH / SUBSCRIBE (hello messages; PUBLISH propagates to replicas like in
// Redis), CLIENT PAUSE WRITE / UNPAUSE (blocks writes and PUBLISH, per
// connection order kept), client writes (SET), crash / restart with or without
// data (role comes back from the last CONFIG REWRITE), SIGSTOP-like pause and
// slow replies. Not modelled: keys and values (a write is a History vertex),
// chained-replication subtleties, backlog size limits.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fabric.h"
#include "history.h"
#include "prng.h"
#include "sentinel/core/types.h"

namespace vigil::sim {

using sentinel::Address;

struct NodeSpec {
  std::string host;
  int port = 6379;
  int priority = 100;            // replica-priority; 0 = never promote
  bool replica_announced = true;
};

struct NodeTimings {
  Micros full_sync_min = ms(5000);  // repl-diskless-sync-delay 5 s (Redis 7.0 default)
  Micros full_sync_max = ms(5600);
  Micros repl_timeout = seconds(60);
  Micros repl_ping_period = seconds(10);
  Micros cron_period = seconds(1);
};

class SimNode : public Process {
 public:
  // Bytes of replication stream per History vertex (write or replicated PUBLISH).
  static constexpr std::int64_t kBytesPerEntry = 64;

  SimNode(Fabric& fabric, History& history, ProcessId id, NodeSpec spec, NodeTimings timings,
          Prng prng);

  // First boot, as if the config file said `replicaof <addr>` (or nothing).
  void boot(std::optional<Address> replicaof);

  // A command arriving on `conn` (runs inside the process).
  void receive(ConnId conn, Request req) override;

  void crash();
  void restart(bool keep_data);
  // Every request takes this long to serve (a slow or overloaded node); 0 = normal.
  // Requests queue up behind each other (single-threaded server); those of a
  // connection closed meanwhile are discarded unserved, as Redis does.
  void set_service_delay(Micros d) { service_delay_ = d; }

  // ---- ground truth, for checkers and the trace ----
  const NodeSpec& spec() const { return spec_; }
  Address address() const { return Address{spec_.host, spec_.port}; }
  bool is_master() const { return !master_target_; }
  const std::optional<Address>& master_target() const { return master_target_; }
  bool master_link_up() const { return link_state_ == LinkState::Connected; }
  WriteId tip() const { return tip_; }
  std::int64_t offset() const;
  const std::string& run_id() const { return run_id_; }
  bool write_paused() const;

  // Called when REPLICAOF NO ONE is executed (checkers: who got promoted).
  std::function<void(SimNode&)> on_promoted;

  void accept(ConnId conn) override;
  void connection_closed(ConnId conn) override;

 private:
  enum class ConnKind { Normal, PubSub, Replica };
  enum class LinkState { None, Connecting, Syncing, Connected };
  struct ClientConn {
    ConnKind kind = ConnKind::Normal;
    bool in_multi = false;
    std::vector<Request> multi_queue;
    std::vector<Request> blocked;  // held by CLIENT PAUSE WRITE, in arrival order
    std::function<void(const Reply&)> push;  // subscriber: where messages go
  };
  struct ReplicaInfo {
    SimNode* node = nullptr;        // the replica process (answers go to it)
    std::uint64_t link_gen = 0;     // its link generation (stale messages are ignored)
    std::string host;
    int port = 0;
    bool online = false;
    std::int64_t ack_offset = 0;
    Micros last_ack = 0;
  };

  void serve(ConnId conn, Request req);
  void schedule_work();
  void execute(ConnId conn, Request req);
  Reply dispatch(ConnId conn, const std::vector<std::string>& argv);
  void reply(ConnId conn, std::function<void(const Reply&)> to, Reply r);
  bool blocks_under_pause(const std::vector<std::string>& argv) const;
  void release_paused_clients();

  Reply cmd_info(const std::vector<std::string>& argv) const;
  Reply cmd_role() const;
  Reply cmd_replicaof(const std::vector<std::string>& argv);
  Reply cmd_client(ConnId conn, const std::vector<std::string>& argv);
  Reply cmd_publish(const std::string& channel, const std::string& payload);
  Reply cmd_set();

  // Replication, replica side.
  void become_replica_of(const Address& target);
  void become_master();
  void connect_to_master();
  void master_link_lost();
  void on_psync_reply(std::uint64_t link_gen, bool full, const std::string& replid, WriteId tip,
                      bool error);
  void on_stream(std::uint64_t link_gen, WriteId tip, const std::string& channel,
                 const std::string& payload);
  // Replication, master side.
  void on_psync_request(ConnId conn, SimNode* replica, std::uint64_t replica_link_gen,
                        const std::string& replid, std::int64_t replica_offset);
  void on_replica_ack(ConnId conn, std::int64_t ack_offset);
  void propagate(const std::string& channel, const std::string& payload);
  void drop_replicas();

  void deliver_local(const std::string& channel, const std::string& payload);
  void cron();
  void schedule_cron();
  std::string new_replid();
  void close_conn(ConnId conn);

  Fabric& fabric_;
  History& history_;
  NodeSpec spec_;
  NodeTimings timings_;
  Prng prng_;

  std::uint64_t boot_gen_ = 0;  // invalidates timers of a previous life
  std::string run_id_;
  Micros service_delay_ = 0;
  struct Work {
    ConnId conn;
    Request req;
  };
  std::deque<Work> work_;       // requests waiting for a slow server
  bool worker_scheduled_ = false;

  // Data and replication identity.
  WriteId tip_ = 0;
  std::string replid_;
  std::string replid2_ = std::string(40, '0');
  std::int64_t second_repl_offset_ = -1;

  // Role: no target = master.
  std::optional<Address> master_target_;
  std::optional<Address> config_replicaof_;  // what CONFIG REWRITE last stored
  LinkState link_state_ = LinkState::None;
  std::uint64_t link_gen_ = 0;
  ConnId master_conn_ = 0;
  Micros link_down_since_ = -1;  // -1 = never connected
  Micros last_io_ = 0;
  Micros sync_started_ = 0;
  Micros last_ping_to_replicas_ = 0;

  Micros write_pause_until_ = 0;
  std::uint64_t pause_gen_ = 0;

  std::map<ConnId, ClientConn> clients_;
  std::map<ConnId, ReplicaInfo> replicas_;
};

}  // namespace vigil::sim

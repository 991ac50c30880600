// The state and internal operations of Sentinel (pimpl). Each group of methods lives in
// its own .cpp: links.cpp (connections, periodic commands, replies), info.cpp (INFO
// reactions), hello_processing.cpp, down.cpp (SDOWN/ODOWN/asking), election.cpp,
// failover.cpp, replica_selection.cpp, membership.cpp (create/reset/switch records),
// commands.cpp (operator commands), views.cpp, persistence.cpp, events.cpp.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sentinel/core/api.h"
#include "sentinel/core/info_parser.h"
#include "sentinel/core/instance.h"
#include "sentinel/core/rng.h"

namespace vigil::sentinel {

using detail::Instance;
using detail::Link;

// SENTINEL SIMULATE-FAILURE flags.
inline constexpr int64_t kSimFailureCrashAfterElection = 1 << 0;
inline constexpr int64_t kSimFailureCrashAfterPromotion = 1 << 1;
inline constexpr int64_t kMaxPendingCommands = 100;  // × link refcount
inline constexpr TimeMs kMaxDesync = 1000;           // failover start jitter

struct Sentinel::Impl {
  Impl(Config config, std::optional<PersistedState> state, Environment env, TimeMs now);

  // ---- state ----------------------------------------------------------------------------
  Config cfg;
  Environment env;
  Prng prng;
  TimeMs now = 0;
  TimeMs previous_tick = 0;
  bool tilt = false;
  TimeMs tilt_start_time = 0;
  uint64_t current_epoch = 0;
  int64_t simfailure_flags = 0;
  std::vector<std::unique_ptr<Instance>> masters;  // monitor order
  std::vector<Effect> effects;
  bool crashed = false;  // a CrashEffect was emitted: the process is gone, stay inert
  // vigil prompt steps: when the driver should tick next (kNoDeadline = its own cadence).
  TimeMs wake_at = kNoDeadline;

  uint64_t next_uid = 1;
  ConnId next_conn = 1;
  RequestId next_request = 1;
  std::unordered_map<uint64_t, Instance*> by_uid;

  enum class RequestKind : uint8_t {
    Ping, Info, Publish, AskMasterDown, Ignored, ClientPause, ScriptKill,
  };
  struct PendingRequest {
    ConnId conn = 0;
    std::weak_ptr<Link> link;
    uint64_t instance_uid = 0;  // the record that sent it
    RequestKind kind = RequestKind::Ignored;
  };
  std::map<RequestId, PendingRequest> requests;
  struct ConnEntry {
    std::weak_ptr<Link> link;
    Connection which = Connection::Command;
  };
  std::map<ConnId, ConnEntry> conns;

  // ---- helpers (sentinel.cpp) ----------------------------------------------------------
  void advance(TimeMs t);
  uint64_t random();
  Instance* find_master(const std::string& name) const;
  Instance* find_master_by_addr(const Address& addr) const;
  Instance* register_instance(std::unique_ptr<Instance>& owner);
  void unregister_tree(Instance* ri);
  std::string command_name(const Instance* ri, const char* cmd) const;
  Address current_master_addr(const Instance* master) const;
  const Tunables& tun() const { return cfg.tunables; }
  const VigilOptions& vigil() const { return cfg.vigil; }
  // Ask the driver for a tick at `t` (vigil prompt steps; a no-op in Redis mode).
  void request_tick(TimeMs t);

  // ---- events (events.cpp) -------------------------------------------------------------
  // `%@`-prefixed message when `with_instance_prefix`; WARNING events with an instance
  // trigger the master's notification script.
  void event(LogLevel level, const std::string& type, const Instance* ri, const std::string& msg,
             bool with_instance_prefix = true);
  std::string instance_details(const Instance* ri) const;
  void log(LogLevel level, std::string text);
  void call_client_reconfig(const Instance* master, const char* role, const Address& from,
                            const Address& to);
  void persist();
  void crash(const char* reason);

  // ---- links (links.cpp) ---------------------------------------------------------------
  std::shared_ptr<Link> new_link(bool sentinel) const;
  void reconnect(Instance* ri);
  void close_connection(Link& link, Connection which);
  void release_link(Instance* ri);
  void drop_requests_of(ConnId conn);
  RequestId send(Instance* ri, RequestKind kind, std::vector<std::string> argv);
  void send_periodic_commands(Instance* ri);
  TimeMs info_period_for(const Instance* ri) const;
  TimeMs ping_period_for(const Instance* ri) const;
  void send_ping(Instance* ri);
  // `fresh`: send even if an INFO is in flight (its reply predates what we wait for).
  void send_info(Instance* ri, bool fresh = false);
  bool info_pending(const Instance* ri) const {
    return ri->info_in_flight != 0 && requests.count(ri->info_in_flight) != 0;
  }
  bool send_hello(Instance* ri);
  void send_slaveof(Instance* ri, const std::optional<Address>& target);
  void handle_ping_reply(Instance* ri, Link& link, const Reply& r);
  void handle_publish_reply(Instance* ri, const Reply& r);
  void link_up(ConnId conn, const std::string& local_ip);
  void link_down(ConnId conn, const std::string& error);
  void reply(RequestId id, const Reply& r);
  void pubsub_message(ConnId conn, const std::string& channel, const std::string& payload);

  // ---- INFO (info.cpp) -----------------------------------------------------------------
  void refresh_instance_info(Instance* ri, const std::string& info);
  bool master_looks_sane(const Instance* master) const;
  bool no_down_for(const Instance* ri, TimeMs ms) const;
  void on_replica_promoted(Instance* ri);

  // ---- hello (hello_processing.cpp) ----------------------------------------------------
  void process_hello(const std::string& payload);
  void force_hello_update(Instance* master);

  // ---- down detection & asking (down.cpp) ----------------------------------------------
  void check_subjectively_down(Instance* ri);
  void check_objectively_down(Instance* master);
  void ask_master_state(Instance* master, bool forced);
  void handle_ask_reply(Instance* ri, const Reply& r);

  // ---- election (election.cpp) ---------------------------------------------------------
  std::string vote_leader(Instance* master, uint64_t req_epoch, const std::string& req_runid,
                          uint64_t* leader_epoch);
  std::string get_leader(Instance* master, uint64_t epoch);
  bool start_failover_if_needed(Instance* master);
  void start_failover(Instance* master);

  // ---- failover (failover.cpp, replica_selection.cpp) ----------------------------------
  void failover_state_machine(Instance* master);
  void failover_wait_start(Instance* master);
  void failover_select_slave(Instance* master);
  void failover_send_slaveof_noone(Instance* master);
  void failover_wait_promotion(Instance* master);
  void failover_reconf_next_slave(Instance* master);
  void failover_detect_end(Instance* master);
  void abort_failover(Instance* master);
  void switch_to_promoted(Instance* master);
  Instance* select_slave(Instance* master) const;
  bool lossless_step(Instance* master);  // true = ready to send SLAVEOF NO ONE
  void handle_pause_reply(Instance* master, const Reply& r);
  void lossless_release_old_master(Instance* master, const std::optional<Address>& new_master);

  // ---- membership (membership.cpp) -----------------------------------------------------
  Instance* create_master(const MasterConfig& mc);
  Instance* create_replica(Instance* master, const Address& addr);
  Instance* create_sentinel(Instance* master, const std::string& runid, const Address& addr);
  Instance* find_replica(const Instance* master, const Address& addr) const;
  int remove_matching_sentinel(Instance* master, const std::string& runid);
  void try_connection_sharing(Instance* si);
  void update_sentinel_address_in_all_masters(Instance* si);
  void reset_master(Instance* master, bool keep_sentinels, bool generate_event);
  void reset_master_and_change_address(Instance* master, const Address& addr);
  void handle_instance(Instance* ri);
  void check_tilt(TimeMs raw_now);

  // ---- persistence (persistence.cpp) ---------------------------------------------------
  PersistedState snapshot() const;
  void restore(const PersistedState& state);

  // ---- views (views.cpp) ---------------------------------------------------------------
  InstanceView view(const Instance* ri) const;
};

}  // namespace vigil::sentinel

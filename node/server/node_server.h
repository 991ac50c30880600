// vigil-node's server: the net::Service that turns parsed requests into
// command executions. Owns the databases, the clients, the command table and
// the cross-client machinery (MULTI/EXEC, WATCH, pub/sub, blocking, CLIENT PAUSE,
// propagation hook, active-expiry cron). Command handlers reach it through
// CommandContext::server.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/net/tcp_server.h"
#include "node/commands/families.h"
#include "node/server/client.h"
#include "node/server/latency_monitor.h"
#include "node/server/monitor_feed.h"
#include "node/server/node_config.h"
#include "node/server/propagation.h"
#include "node/server/pubsub.h"
#include "node/server/slowlog.h"

namespace vigil::node {

namespace store { class Database; }
namespace persistence { class Persistence; }
namespace scripting { class ScriptingEngine; }

class NodeServer final : public net::Service {
 public:
  // config and registry (bound to config by register_node_config) outlive the server.
  NodeServer(uv_loop_t* loop, NodeConfig& config, config::ConfigRegistry& registry);
  ~NodeServer() override;
  NodeServer(const NodeServer&) = delete;
  NodeServer& operator=(const NodeServer&) = delete;

  // Binds config().bind on config().port. Returns an error text or "".
  std::string start();
  // Closes listeners and clients; the loop then runs dry and uv_run returns.
  void stop();

  // ---- net::Service ---------------------------------------------------------
  bool on_connect(net::Connection& c) override;
  void on_command(net::Connection& c, std::vector<std::string>& argv) override;
  void on_close(net::Connection& c) override;

  // ---- state used by command families ---------------------------------------
  NodeConfig& config() { return config_; }
  config::ConfigRegistry& config_registry() { return registry_; }
  net::TcpServer& net() { return *net_; }
  uv_loop_t* loop() const { return loop_; }
  const NodeCommandTable& commands() const { return commands_; }
  store::Database& db(int index) { return *dbs_[static_cast<size_t>(index)]; }
  int database_count() const { return static_cast<int>(dbs_.size()); }
  PubSub& pubsub() { return pubsub_; }
  // Introspection: MONITOR clients, SLOWLOG, LATENCY (fed by call()).
  MonitorFeed& monitors() { return monitors_; }
  SlowLog& slowlog() { return slowlog_; }
  LatencyMonitor& latency() { return latency_; }

  Client* find_client(uint64_t id);
  // Live clients in creation order.
  std::vector<Client*> clients();

  // Applies limits-related config (maxclients, timeout, tcp-keepalive, output
  // buffer limits, query buffer, proto-max-bulk-len) to the network layer.
  // Called after CONFIG SET.
  void apply_net_limits();

  // ---- propagation ----------------------------------------------------------
  // Propagators (AOF, replication) receive every propagated command in the
  // order they were added. Not owned.
  void add_propagator(Propagator* p) { propagators_.push_back(p); }
  void remove_propagator(Propagator* p);
  // Propagates one command from outside a dispatch (expiry DELs, FLUSHALL
  // from the cron...). Inside a command, use CommandContext::propagate.
  void propagate_now(int db, const std::vector<std::string>& argv);
  // Number of write commands executed (INFO rdb_changes_since_last_save).
  uint64_t dirty = 0;

  // ---- transactions / WATCH -------------------------------------------------
  void watch(Client& c, const std::string& key);
  void unwatch_all(Client& c);
  // Marks every client watching (db, key) dirty.
  void touch_key(int db, const std::string& key);
  // Marks dirty every client watching a key that exists in db (all dbs if -1):
  // call before FLUSHDB/FLUSHALL empties it.
  void touch_all_watched(int db);
  // Runs the queued commands of c (EXEC). Replies the EXEC array itself.
  void exec_transaction(CommandContext& ctx);
  void discard_transaction(Client& c);

  // ---- blocking (see blocking.h) --------------------------------------------
  void block_client(CommandContext& ctx, std::vector<std::string> keys, int64_t timeout_ms,
                    std::function<bool(CommandContext&)> retry);
  void signal_key_ready(int db, const std::string& key);
  // CLIENT UNBLOCK: replies the timeout reply (or an UNBLOCKED error) to a
  // client blocked on keys. Returns false when c is not blocked on keys.
  bool unblock_client(Client& c, bool with_error);
  size_t blocked_clients() const { return blocked_count_; }

  // ---- CLIENT PAUSE ---------------------------------------------------------
  // Pauses writes (write_only) or all commands of normal clients until
  // end_ms (unix ms). A later pause only extends or widens the current one.
  void pause_clients(bool write_only, int64_t end_ms);
  void unpause_clients();

  // ---- replication hooks -----------------------------------------------------
  // Installed by the replication module; unset = a master without replicas.
  std::function<bool()> is_replica;
  // ROLE reply; unset = ["master", 0, []].
  std::function<void(resp::ReplyBuilder&)> role_reply;
  // INFO section bodies ("role:master\r\n..." lines) by lower-case section
  // name, installed by the modules that own them ("replication", "persistence");
  // a section without a provider prints the server's defaults.
  std::map<std::string, std::function<std::string()>> info_providers;
  bool role_is_replica() const { return is_replica && is_replica(); }
  // Write gate (READONLY / NOREPLICAS / MASTERDOWN): "" lets the command run,
  // else the error reply without '-'. flags = the command's (plus the queued
  // ones' for EXEC). Not consulted for the master link.
  std::function<std::string(Client& c, uint32_t flags)> command_gate;
  // CLIENT KILL TYPE master: drops the link to our master; returns how many
  // links were dropped (0 or 1).
  std::function<size_t()> kill_master_link;
  // Replication counters for INFO stats (incremented by the replication module).
  uint64_t stat_sync_full = 0, stat_sync_partial_ok = 0, stat_sync_partial_err = 0;

  // ---- server lifecycle -----------------------------------------------------
  // SHUTDOWN: installed by main; returns an error text when refusing.
  std::function<std::string(bool save, bool nosave)> on_shutdown;

  // Runs one command as Redis's fake clients do (AOF loading, a replica
  // applying its master's stream): no reply, no propagation, no auth, MULTI/
  // EXEC applied as a unit, SELECT switches `db`. Returns "" or the error
  // reply text (e.g. "ERR unknown command ...").
  // With propagate, the command is propagated as a normal write would be
  // (a replica feeding its own AOF / sub-replicas).
  std::string execute_replayed(int& db, std::vector<std::string>& argv, bool propagate = false);

  // ---- scripting (node/scripting) --------------------------------------------
  // Runs one command of a Lua script's redis.call on the script's fake client
  // (replies go to c.reply_sink). Its writes join the running EVAL's
  // propagation, so a script reaches replicas/AOF as one MULTI/EXEC (Redis 7.0
  // effects replication); propagate=false is redis.set_repl(redis.REPL_NONE).
  void call_from_script(Client& c, const NodeCommand& cmd, const std::string& full_name,
                        std::vector<std::string>& argv, int64_t now_ms, bool propagate);
  // A script past busy-reply-threshold hands control back to the loop between
  // slices: meanwhile other commands get -BUSY (except allow-busy ones), the
  // cron does not run and propagation is held until finish_script_command().
  bool script_busy = false;
  void finish_script_command();
  // The Lua interpreter and script cache, created by the first EVAL/SCRIPT.
  std::shared_ptr<scripting::ScriptingEngine> scripting;

  // RDB/AOF module (node/persistence), set by main; nullptr in unit tests.
  persistence::Persistence* persistence = nullptr;

  // Active expiry on/off (DEBUG SET-ACTIVE-EXPIRE).
  bool active_expire_enabled = true;

  // Identity and counters for INFO.
  std::string run_id;
  std::string replid;
  int64_t start_time_ms = 0;
  int64_t lastsave_s = 0;
  uint64_t expired_keys = 0;
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
  uint64_t total_commands = 0;
  uint64_t total_error_replies = 0;
  void reset_stats();

  static int64_t unix_ms();
  static int64_t unix_us();

 private:
  struct PauseState {
    bool active = false;
    bool write_only = true;
    int64_t end_ms = 0;
    uv_timer_t* timer = nullptr;
    std::vector<uint64_t> postponed;  // client ids, FIFO
  };

  // One command through the checks of processCommand (unknown, arity, auth,
  // pub/sub context, pause, MULTI queueing) then call().
  void process_command(Client& c, std::vector<std::string>& argv);
  // Replies a dispatch error; flags an open transaction (EXECABORT later), or
  // when the rejected command is EXEC itself, discards it (Redis's execCommandAbort).
  void reject(Client& c, std::string_view error, bool is_exec = false);
  // Looks up argv's command (and subcommand) and checks arity; on failure
  // replies the Redis error and returns nullptr. full_name: "get", "client|list".
  const NodeCommand* resolve(Client& c, std::vector<std::string>& argv, std::string* full_name);
  // Executes a resolved command and queues its propagation (flushed at top level).
  // start_us: when the command started (unix µs) if the caller has read the
  // clock already, else 0.
  void call(Client& c, const NodeCommand& cmd, const std::string& full_name,
            std::vector<std::string>& argv, int64_t now_ms, int64_t start_us = 0);
  // After a call: MONITOR feed, then record_stats (deferred to the unblock
  // when the call blocked the client).
  void record_call(const Client& c, const NodeCommand& cmd, const std::string& full_name,
                   const std::vector<std::string>& argv, int64_t start_us);
  // SLOWLOG, latency events and the command's latency histogram.
  void record_stats(const Client& c, const NodeCommand& cmd, const std::string& full_name,
                    const std::vector<std::string>& argv, int64_t duration_us, int64_t unix_s);
  void flush_propagation();
  void handle_ready_keys();
  void remove_block(Client& c);
  void finish_block(Client& c);
  static void on_block_timeout(uv_timer_t* t);
  static void on_pause_timeout(uv_timer_t* t);
  static void on_cron(uv_timer_t* t);
  void cron();

  uv_loop_t* loop_;
  NodeConfig& config_;
  config::ConfigRegistry& registry_;
  std::unique_ptr<net::TcpServer> net_;
  std::unordered_map<uint64_t, std::unique_ptr<Client>> clients_;
  NodeCommandTable commands_;
  std::vector<std::unique_ptr<store::Database>> dbs_;
  PubSub pubsub_;
  MonitorFeed monitors_;
  SlowLog slowlog_;
  LatencyMonitor latency_;
  std::vector<Propagator*> propagators_;
  void emit(int db, const std::vector<std::string>& argv);
  std::unique_ptr<Client> replay_client_;  // the fake client of execute_replayed
  std::string replay_out_;
  resp::ReplyBuilder replay_reply_{replay_out_};
  bool suppress_propagation_ = false;
  // Where c's replies go (the replay client's are collected and inspected).
  resp::ReplyBuilder& reply_of(Client& c);
  void restart_cron();
  // Propagations of the running top-level command, wrapped in MULTI/EXEC when > 1.
  std::vector<std::pair<int, std::vector<std::string>>> pending_propagation_;
  int call_depth_ = 0;

  // Per database: key -> clients watching it / blocked on it (FIFO).
  std::vector<std::unordered_map<std::string, std::vector<Client*>>> watched_keys_;
  std::vector<std::unordered_map<std::string, std::vector<Client*>>> blocking_keys_;
  std::vector<std::pair<int, std::string>> ready_keys_;
  size_t blocked_count_ = 0;

  PauseState pause_;
  uv_timer_t* cron_ = nullptr;
  bool stopped_ = false;

  friend struct CommandContext;
};

}  // namespace vigil::node

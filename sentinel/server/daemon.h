// The vigil-sentinel process: one libuv loop driving the pure core.
//
//   core inputs  <- tick timer, LinkManager events (links to instances/peers),
//                   client commands (SentinelService)
//   core effects -> LinkManager (connect/send/disconnect), StateStore (persist,
//                   durable before anything after it), pub/sub + log (events),
//                   ScriptRunner (scripts)
//
// Everything runs on the loop thread. Inputs that arrive while a batch of
// effects is being executed (a link failing synchronously) are queued and fed
// to the core right after, so the core is never re-entered.
#pragma once

#include <uv.h>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/net/tcp_server.h"
#include "sentinel/core/api.h"
#include "sentinel/io/link_manager.h"
#include "sentinel/io/script_runner.h"
#include "sentinel/server/daemon_config.h"
#include "sentinel/server/pubsub.h"
#include "sentinel/server/state_store.h"

namespace vigil::sentinel::server {

class SentinelService;

class Daemon {
 public:
  Daemon(uv_loop_t* loop, DaemonConfig cfg);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Binds the client port, starts the core. Returns an error text or "".
  std::string start();
  // Stops accepting, closes links, kills scripts; the loop then runs dry.
  void shutdown();
  bool shutting_down() const { return shutting_down_; }

  TimeMs now() const { return static_cast<TimeMs>(uv_now(loop_)); }
  Sentinel& core() { return *core_; }
  const DaemonConfig& config() const { return cfg_; }
  DaemonConfig& mutable_config() { return cfg_; }
  PubSub& pubsub() { return pubsub_; }
  io::ScriptRunner& scripts() { return *scripts_; }
  net::TcpServer& server() { return *server_; }
  uint64_t start_time_ms() const { return start_time_ms_; }
  const std::string& run_id() const { return run_id_; }

  // Executes the effects queued by the last core input (and any input they
  // caused). Returns false if a Persist in the batch could not be written: the
  // caller must not let out a reply that depends on it (a vote).
  bool drain();

  // Logs a line in Redis's format at the given level (core LogLevel).
  void log(LogLevel level, const std::string& text);

 private:
  void on_tick();
  void arm_tick();
  void follow_core_wakeup();
  void execute(std::vector<Effect>& effects);
  bool persist(const PersistedState& state);
  void publish_event(const PublishEventEffect& e);
  void feed(std::function<void()> input);
  void notify_systemd_status();

  uv_loop_t* loop_;
  DaemonConfig cfg_;
  std::unique_ptr<Sentinel> core_;
  std::unique_ptr<io::LinkManager> links_;
  std::unique_ptr<io::ScriptRunner> scripts_;
  std::unique_ptr<StateStore> store_;
  std::unique_ptr<SentinelService> service_;
  std::unique_ptr<net::TcpServer> server_;
  PubSub pubsub_;
  uv_timer_t* tick_timer_ = nullptr;
  std::deque<std::function<void()>> deferred_inputs_;
  bool executing_ = false;
  bool persist_ok_ = true;
  bool shutting_down_ = false;
  uint64_t start_time_ms_ = 0;
  std::string run_id_;      // random per process, INFO run_id (myid is the durable id)
  std::string last_status_;
  std::string state_file_path_;   // absolute, for log lines
};

}  // namespace vigil::sentinel::server

// vigil sentinel core: the complete Sentinel algorithm as a pure, deterministic state
// machine (etcd-raft pattern). One `Sentinel` object = one sentinel process, holding every
// monitored master with its replicas and peer sentinels.
//
//   inputs  : tick(), link events, command replies, pub/sub hello messages, incoming
//             IS-MASTER-DOWN-BY-ADDR / hello PUBLISH from peers, operator commands;
//             every input carries `now` (monotonic ms, never decreasing).
//   outputs : effects (effects.h) drained with take_effects(), executed in order;
//             return values of query/command methods.
//
// The core never touches sockets, timers, files or a clock, and has no global state.
// Randomness (failover start desync, myid generation) comes from Environment::random or an
// internal PRNG seeded from Config::rng_seed, so a run is reproducible.
//
// Driver contract (daemon and simulator alike):
//  * call tick(now) periodically (Redis: every ~50-100 ms, randomised; any rate ≥ 10 Hz is
//    fine; gaps > tunables.tilt_trigger enter TILT);
//  * after EVERY input call, drain take_effects() and execute them in order; a Persist must
//    be durable before the next effect runs and before the reply of that input is written;
//  * report connection outcomes for links the core opened (on_link_up / on_link_down),
//    replies to SendCommand (on_reply), and pub/sub messages received on a PubSub
//    connection (on_pubsub_message).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sentinel/core/config.h"
#include "sentinel/core/effects.h"
#include "sentinel/core/types.h"
#include "sentinel/core/views.h"

namespace vigil::sentinel {

// Hooks into the outside world that must stay deterministic in simulation.
struct Environment {
  // Uniform 64-bit random numbers. Empty = internal PRNG seeded from Config::rng_seed.
  std::function<uint64_t()> random;
  // Whether `path` is an existing executable file (SENTINEL SET *-script). Empty = accept.
  std::function<bool(const std::string& path)> is_executable;
};

class Sentinel {
 public:
  // `state` (optional) is the last persisted snapshot. Restored from it: myid (when
  // config.myid is empty), current epoch, and per master (matched by name) config epoch,
  // vote (leader, leader_epoch), current address, known replicas and sentinels.
  // NOT restored: `state.globals` and `state.masters[].settings` — they record runtime
  // changes (SENTINEL MONITOR/REMOVE/SET, CONFIG SET) for the daemon, which decides how to
  // merge them into `config` (e.g. build config.masters from state.masters[].settings so
  // SENTINEL MONITOR survives restarts). Masters only in `state` are ignored.
  // Connect effects are emitted on the first tick; a generated myid emits a Persist now.
  Sentinel(Config config, std::optional<PersistedState> state, Environment env, TimeMs now);
  ~Sentinel();
  Sentinel(const Sentinel&) = delete;
  Sentinel& operator=(const Sentinel&) = delete;

  // ---- effects -------------------------------------------------------------------------
  // Returns and clears the queued effects (in emission order).
  std::vector<Effect> take_effects();

  // ---- time ----------------------------------------------------------------------------
  // The periodic timer (Redis sentinelTimer): TILT check, reconnects, PING/INFO/hello,
  // SDOWN/ODOWN, asking peers, elections, failover state machine, switch-master.
  void tick(TimeMs now);

  // ---- links ---------------------------------------------------------------------------
  // Connection `conn_id` is established. `local_ip` = local address of the socket
  // (getsockname), our hello IP when no announce-ip is configured.
  void on_link_up(TimeMs now, ConnId conn_id, const std::string& local_ip);
  // Connection `conn_id` failed or closed. Its outstanding requests are dropped; the core
  // reconnects on a later tick with a new ConnId. Unknown ids are ignored.
  void on_link_down(TimeMs now, ConnId conn_id, const std::string& error);
  // Reply to a SendCommand. Unknown / stale ids are ignored.
  void on_reply(TimeMs now, RequestId id, const Reply& reply);
  // A pub/sub `message` push (channel + payload) received on PubSub connection `conn_id`.
  void on_pubsub_message(TimeMs now, ConnId conn_id, const std::string& channel,
                         const std::string& payload);

  // ---- requests from peers -------------------------------------------------------------
  // SENTINEL IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid|*>. May cast our
  // vote: drain take_effects() and make the Persist durable BEFORE writing the reply.
  VoteReply is_master_down_by_addr(TimeMs now, const Address& master_addr,
                                   uint64_t req_epoch, const std::string& req_runid);
  // PUBLISH __sentinel__:hello <payload> sent directly to us by a peer sentinel. The daemon
  // replies :1 (and rejects other channels with "Only HELLO messages are accepted by
  // Sentinel instances." itself).
  void on_hello_publish(TimeMs now, const std::string& payload);

  // ---- operator commands (SENTINEL ...) ------------------------------------------------
  // Arguments are the raw strings of the command; validation and error texts are Redis's.
  CommandResult monitor(TimeMs now, const std::string& name, const std::string& host,
                        const std::string& port, const std::string& quorum);
  CommandResult remove(TimeMs now, const std::string& name);
  // SENTINEL SET <name> <option> <value> [<option> <value> ...]: `options` = the pairs.
  CommandResult set(TimeMs now, const std::string& name, const std::vector<std::string>& options);
  // SENTINEL RESET <glob>: number of masters reset.
  int64_t reset(TimeMs now, const std::string& pattern);
  // SENTINEL FAILOVER <name>: OK | INPROG | NOGOODSLAVE | ERR No such master. Redis mode:
  // the failover proceeds without votes. vigil mode: it asks every peer for its vote at once
  // and needs a majority like any failover (VigilOptions::elected_manual_failover), then is
  // lossless (VigilOptions::lossless_manual_failover).
  CommandResult failover(TimeMs now, const std::string& name);
  // SENTINEL CKQUORUM <name>
  CommandResult ckquorum(const std::string& name) const;
  // SENTINEL FLUSHCONFIG: emits a Persist (the daemon reports a write failure itself).
  CommandResult flushconfig();
  // SENTINEL SIMULATE-FAILURE <flag> ...: crash-after-election | crash-after-promotion
  // (replaces previous flags). `help` is answered by the daemon.
  CommandResult simulate_failure(const std::vector<std::string>& flags);
  // SENTINEL CONFIG GET <glob> / SET <param> <value> over announce-ip, announce-port,
  // resolve-hostnames, announce-hostnames, sentinel-user, sentinel-pass.
  std::vector<std::pair<std::string, std::string>> config_get(const std::string& pattern) const;
  CommandResult config_set(TimeMs now, const std::string& param, const std::string& value);
  // SENTINEL DEBUG: tunables keyed by upper-case names in Redis's order (INFO-PERIOD, ...),
  // followed by vigil's options (VIGIL-FAST-PROMOTION-POLL-MS, ...).
  std::vector<std::pair<std::string, int64_t>> debug_get() const;
  // SENTINEL DEBUG <name> <value> [...] (lower-case names; values > 0 for Redis's).
  CommandResult debug_set(const std::vector<std::string>& name_value_pairs);

  // ---- queries ---------------------------------------------------------------------------
  const std::string& myid() const;
  uint64_t current_epoch() const;
  bool in_tilt() const;
  std::vector<std::string> master_names() const;  // ROLE, in monitor order
  std::vector<InstanceView> masters() const;
  std::optional<InstanceView> master(const std::string& name) const;
  // Replicas with replica_announced=0 are included; SENTINEL REPLICAS filters them out.
  std::optional<std::vector<InstanceView>> replicas(const std::string& name) const;
  std::optional<std::vector<InstanceView>> sentinels(const std::string& name) const;
  // GET-MASTER-ADDR-BY-NAME: the promoted replica's address once our own failover reached
  // reconf_slaves, else the master's address. nullopt = unknown master (null array).
  std::optional<Address> master_addr(const std::string& name) const;
  SentinelSummary summary() const;  // INFO sentinel
  // INFO-CACHE for one master: master first, then replicas. nullopt = unknown master.
  std::optional<std::vector<InfoCacheEntry>> info_cache(const std::string& name) const;
  // The full durable snapshot (what the next Persist would contain).
  PersistedState persisted_state() const;
  // When the core wants its next tick(), if sooner than the driver's own cadence: a reply
  // that lets a failover progress, an SDOWN deadline (vigil prompt steps). kNoDeadline =
  // no request. Drivers check it after draining the effects of every input and tick.
  TimeMs next_wakeup() const;
  const Config& config() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::sentinel

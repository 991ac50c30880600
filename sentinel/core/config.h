// Configuration of the sentinel core (what the daemon loads from YAML / sentinel.conf and
// the simulator builds in code) and the durable runtime state (what must survive restarts).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sentinel/core/types.h"

namespace vigil::sentinel {

// Redis 7.0's global tunables (reference §1.1), all changeable at runtime with
// SENTINEL DEBUG <name> <ms>. Defaults are Redis's.
struct Tunables {
  TimeMs info_period = 10000;                 // INFO cadence for masters/replicas
  TimeMs ping_period = 1000;                  // PING cadence bound; reconnect throttle
  TimeMs ask_period = 1000;                   // IS-MASTER-DOWN-BY-ADDR cadence
  TimeMs publish_period = 2000;               // hello cadence
  TimeMs default_down_after = 30000;          // default down-after-milliseconds
  TimeMs default_failover_timeout = 180000;   // default failover-timeout
  TimeMs tilt_trigger = 2000;                 // tick delta that enters TILT
  TimeMs tilt_period = 30000;                 // TILT duration
  TimeMs slave_reconf_timeout = 10000;        // RECONF_SENT -> forced done
  TimeMs min_link_reconnect_period = 15000;   // min link age before idle-link kill
  TimeMs election_timeout = 10000;            // capped by failover-timeout
  TimeMs script_max_runtime = 60000;          // used by the daemon's script runner
  TimeMs script_retry_delay = 30000;          // used by the daemon's script runner
};

// vigil's improvements over Redis. Each is a safe, local decision; `redis_compatible_timing`
// switches all of them off at once (Redis 7.0 behaviour).
struct VigilOptions {
  // Master switch: true = behave exactly like Redis 7.0 (all options below ignored).
  bool redis_compatible_timing = false;
  // While waiting for the promoted replica to report role:master, and while replicas are
  // being reconfigured, poll them with INFO every this many ms (instead of Redis's 1 s
  // INFO period). 0 disables. (`vigil-fast-promotion-poll-ms`)
  TimeMs fast_promotion_poll_ms = 100;
  // At promotion, send the hello carrying the new configuration to every known sentinel
  // and instance in the same step (Redis only schedules them for the next tick), and
  // publish +switch-master right away instead of at failover-end. (`vigil-push-config`)
  bool push_config = true;
  // Failure detection that measures what down-after-milliseconds means: the time since the
  // instance last answered a PING, while a PING is outstanding or the link is down. PINGs
  // go out every down-after/10 (at most every ping-period), so an instance that dies is
  // SDOWN down-after ms after its last sign of life (Redis counts from the first PING sent
  // after the failure, up to a ping period later). When a master goes SDOWN its replicas'
  // INFO is refreshed at once, so a replica can be selected as soon as a leader is elected.
  // (`vigil-fast-detection`)
  bool fast_detection = true;
  // React to replies at once: a vote, a peer's down report or a promoted replica's INFO
  // asks the driver for an immediate tick (Sentinel::next_wakeup), SDOWN deadlines are met
  // to the millisecond, and the failover state machine moves through as many states as it
  // can in one tick (Redis moves one state per 100 ms tick). (`vigil-prompt-steps`)
  bool prompt_steps = true;
  // SENTINEL FAILOVER still needs a majority of votes for its epoch (Redis elects itself
  // without asking, so a partitioned sentinel can lead the same epoch as an elected one:
  // two leaders per epoch). Peers vote whatever they think of the master.
  // (`vigil-elected-manual-failover`)
  bool elected_manual_failover = true;
  // Replica selection also skips a replica with a PING unanswered for more than a ping
  // period (Redis accepts up to 5 s of silence: a replica just cut off by a partition can
  // be chosen). (`vigil-strict-replica-liveness`)
  bool strict_replica_liveness = true;
  // SENTINEL FAILOVER pauses writes on the old master, waits for the selected replica to
  // reach the master's replication offset, promotes it and re-points the old master at
  // once: no acknowledged write is lost. A replica still syncing is waited for (up to
  // failover-timeout) before the pause. (`vigil-lossless-manual-failover`)
  bool lossless_manual_failover = true;
  // CLIENT PAUSE duration sent to the old master (the pause ends earlier, with
  // CLIENT UNPAUSE, when the failover finishes or aborts); capped at 3/4 of down-after so
  // peers whose hellos the pause holds never see the master down. (`vigil-lossless-pause-ms`)
  TimeMs lossless_pause_ms = 10000;
  // Give up waiting for the replica to catch up after this long (capped at down-after/2):
  // unpause, abort. (`vigil-lossless-catchup-timeout-ms`)
  TimeMs lossless_catchup_timeout_ms = 5000;

  bool fast_poll_enabled() const { return !redis_compatible_timing && fast_promotion_poll_ms > 0; }
  bool push_config_enabled() const { return !redis_compatible_timing && push_config; }
  bool fast_detection_enabled() const { return !redis_compatible_timing && fast_detection; }
  bool prompt_steps_enabled() const { return !redis_compatible_timing && prompt_steps; }
  bool lossless_enabled() const { return !redis_compatible_timing && lossless_manual_failover; }
  bool elected_manual_enabled() const { return !redis_compatible_timing && elected_manual_failover; }
  bool strict_liveness_enabled() const { return !redis_compatible_timing && strict_replica_liveness; }
};

// One monitored master (`sentinel monitor` + per-master directives).
struct MasterConfig {
  std::string name;
  Address addr;                       // current master address
  int quorum = 2;
  TimeMs down_after_ms = 30000;       // down-after-milliseconds
  TimeMs failover_timeout_ms = 180000;
  int parallel_syncs = 1;
  std::string auth_user;              // used for the master and its replicas
  std::string auth_pass;
  std::string notification_script;    // empty = none
  std::string client_reconfig_script; // empty = none
  TimeMs master_reboot_down_after_period_ms = 0;  // 0 = off
  // rename-command: lower-case original command name -> name to send.
  std::map<std::string, std::string> renamed_commands;
};

// Process-wide settings (sentinel.conf globals / SENTINEL CONFIG SET parameters).
struct GlobalSettings {
  std::string announce_ip;       // empty = use the link's local address in hellos
  int announce_port = 0;         // 0 = use `port`
  std::string sentinel_user;     // outbound AUTH to other sentinels
  std::string sentinel_pass;
  bool resolve_hostnames = false;
  bool announce_hostnames = false;
  bool deny_scripts_reconfig = true;
  // The local `requirepass`: outbound AUTH to other sentinels when sentinel_pass is empty
  // (as Redis). Never shown by CONFIG GET and never included in a Persist snapshot.
  std::string requirepass;
};

// Deliberate bugs for the simulator's negative controls (it must catch each one).
// NEVER set outside tests.
struct TestingFaults {
  bool vote_twice_per_epoch = false;   // vote_leader grants every request (no once-per-epoch rule)
  bool promote_priority_zero = false;  // replica selection ignores slave_priority == 0
};

struct Config {
  // 40 hex chars. Empty = the core generates one from its RNG and emits a Persist.
  std::string myid;
  int port = 26379;  // our own listening port (hello `sentinel_port` unless announce_port)
  GlobalSettings globals;
  std::vector<MasterConfig> masters;
  Tunables tunables;
  VigilOptions vigil;
  // Seed of the core's internal PRNG, used when Environment::random is not provided.
  uint64_t rng_seed = 0x76696769'6c5eedULL;
  TestingFaults testing;
};

// ---------------------------------------------------------------------------------------
// Durable state (the content of every Persist effect; what Redis keeps by rewriting
// sentinel.conf). It is a complete snapshot: writing only the latest one is enough.
struct PersistedSentinel {
  std::string runid;
  Address addr;
};

struct PersistedMaster {
  MasterConfig settings;          // full current settings; settings.addr = current address
  uint64_t config_epoch = 0;
  std::string leader;             // our vote (runid) for this master, empty if none
  uint64_t leader_epoch = 0;      // epoch of that vote
  std::vector<Address> known_replicas;
  std::vector<PersistedSentinel> known_sentinels;
};

struct PersistedState {
  std::string myid;
  uint64_t current_epoch = 0;
  GlobalSettings globals;
  std::vector<PersistedMaster> masters;
};

}  // namespace vigil::sentinel

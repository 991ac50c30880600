// vigil-sentinel's configuration: the core's Config plus the daemon's own
// settings (listening, files, supervision, client auth), loaded from either
//   * a native YAML file (never rewritten; runtime state goes to a state file in `dir`), or
//   * a classic Redis sentinel.conf, accepted as-is (state lines rewritten into it),
// followed by Redis-style `--directive value ...` command-line overrides.
//
// YAML schema (every key is the sentinel.conf directive of the same name, so both
// formats share one validation path and Redis's error texts):
//   port: 26379
//   bind: [127.0.0.1, "::1"]          # or a single address
//   dir: /var/lib/vigil               # the state file lives here
//   state-file: vigil-sentinel.state  # default; relative to dir
//   logfile: ""  loglevel: notice  pidfile: ""  daemonize: no  supervised: systemd
//   requirepass: ...  protected-mode: no
//   announce-ip/announce-port/sentinel-user/sentinel-pass/resolve-hostnames/
//   announce-hostnames/deny-scripts-reconfig: as the `sentinel <name>` directives
//   masters:
//     - name: mymaster
//       host: 10.0.0.1
//       port: 6379
//       quorum: 2
//       down-after-milliseconds: 5000   # any per-master `sentinel <option> <name> <v>`
//       failover-timeout: 60000         #   (parallel-syncs, auth-pass, auth-user, scripts,
//       rename-commands: {CONFIG: XCONFIG}  #   master-reboot-down-after-period)
//   vigil:                              # core improvements (VigilOptions)
//     redis-compatible-timing: false
//     fast-promotion-poll-ms: 100
//     push-config: true
//     lossless-manual-failover: true
// Masters added at runtime (SENTINEL MONITOR) are kept in the state file and
// monitored again after a restart; for masters in the YAML file, the file's
// settings win and the state keeps only what was learnt (address after a
// failover, epochs, vote, known replicas and sentinels).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sentinel/core/config.h"

namespace vigil::sentinel::server {

struct DaemonConfig {
  enum class Format { kNone, kSentinelConf, kYaml };
  Format format = Format::kNone;
  std::string config_path;            // absolute path of the file given, "" if none

  Config core;                        // masters, globals, tunables, vigil options
  // State lines read from a sentinel.conf (myid, current-epoch, config-epoch,
  // leader-epoch, known-replica, known-sentinel). YAML mode reads the state file.
  std::optional<PersistedState> state;

  std::vector<std::string> bind;      // empty = all interfaces
  std::string dir = ".";
  std::string logfile;                // "" = standard output
  std::string loglevel = "notice";
  std::string pidfile;
  bool daemonize = false;
  std::string supervised = "no";      // no | systemd | auto | upstart
  std::string requirepass;
  bool protected_mode = false;        // Redis Sentinel's default
  std::string state_file_name = "vigil-sentinel.state";  // in `dir`, YAML mode
  bool test_config = false;           // --test-config: validate and exit
};

// Parses the command line (`[config-file] [--directive value ...] [--test-config]`)
// and the file it names. Returns an error message ("" = success); the message
// follows Redis's "*** FATAL CONFIG FILE ERROR ***" wording for file errors.
std::string load_config(const std::vector<std::string>& args, DaemonConfig& out);

// Applies one sentinel.conf directive line (already split into arguments) to
// `out`. Exposed for the unit tests and for reading back the state file.
// Returns an error message or "".
std::string apply_directive(const std::vector<std::string>& argv, DaemonConfig& out);

// Parses the YAML text of a native configuration file into `out`.
std::string load_yaml(const std::string& text, DaemonConfig& out);

// Parses sentinel.conf text (every line) into `out`; errors name the line.
std::string load_sentinel_conf(const std::string& text, DaemonConfig& out);

// The state file of YAML mode, inside dir (absolute or relative to the cwd).
std::string state_file_path(const DaemonConfig& cfg);

}  // namespace vigil::sentinel::server

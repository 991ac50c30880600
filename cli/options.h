// vigil-cli's command line: global options (sentinel addresses, password,
// timeout) and one command with its own options. Parsing never touches the
// network; a ParseError carries the text shown to the operator (exit 2).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "cli/conn.h"

namespace vigil::cli {

// Exit statuses, documented in --help and cli/README.md.
enum ExitCode : int {
  kExitOk = 0,
  kExitProblem = 1,      // unhealthy / disagreement / failover or drill did not complete
  kExitUsage = 2,        // bad arguments
  kExitUnreachable = 3,  // no sentinel answered, or none monitors the group
};

enum class Command { kNone, kHelp, kVersion, kStatus, kFailover, kDrill };
enum class DrillMode { kManual, kKill };

struct Options {
  Command command = Command::kNone;
  std::string help_topic;                 // `vigil-cli <command> --help`, `vigil-cli help <command>`
  std::string group;

  std::vector<Endpoint> sentinels;        // resolved from -h/-p/--sentinel (default 127.0.0.1:26379)
  std::string password;                   // -a: AUTH to the sentinels (and nodes unless --node-auth)
  std::string node_password;              // --node-auth
  bool node_password_set = false;
  std::chrono::milliseconds timeout{2000};  // --timeout MS: connect and every command
  bool discover = true;                   // follow SENTINEL SENTINELS (--no-discover turns it off)

  double wait_s = 60;                     // failover/drill: --wait S
  DrillMode drill_mode = DrillMode::kManual;
  double duration_s = 6;                  // drill --duration S
  double rate = 100;                      // drill --rate N (writes per second)
  long long max_lost = -1;                // drill --max-lost N (-1 = report only)
  bool keep_keys = false;                 // drill --keep-keys

  const std::string& node_auth() const { return node_password_set ? node_password : password; }
};

struct ParseResult {
  Options options;
  std::string error;  // "" = ok
};

ParseResult parse_options(const std::vector<std::string>& args);

// Usage text: the whole tool (topic ""), or one command.
std::string usage_text(const std::string& topic);

}  // namespace vigil::cli

// Declarative command table, in the spirit of Redis's commands.def: one entry
// per command (name, arity, flags, key positions, handler) drives dispatch,
// arity errors, COMMAND COUNT/INFO/DOCS/LIST, AUTH checks and replication
// propagation. Shared by vigil-node and vigil-sentinel; the context type is
// the daemon's own.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/resp/reply_builder.h"

namespace vigil::command {

// Flags, named as Redis prints them in COMMAND INFO.
enum Flag : uint32_t {
  kWrite = 1u << 0,        // "write"
  kReadonly = 1u << 1,     // "readonly"
  kDenyOom = 1u << 2,      // "denyoom"
  kAdmin = 1u << 3,        // "admin"
  kPubSub = 1u << 4,       // "pubsub"
  kNoScript = 1u << 5,     // "noscript"
  kBlocking = 1u << 6,     // "blocking"
  kLoading = 1u << 7,      // "loading"  (allowed while loading)
  kStale = 1u << 8,        // "stale"    (allowed on a stale replica)
  kSkipMonitor = 1u << 9,  // "skip_monitor"
  kFast = 1u << 10,        // "fast"
  kNoAuth = 1u << 11,      // "no_auth"  (allowed before AUTH)
  kMayReplicate = 1u << 12,// "may_replicate"
  kSentinel = 1u << 13,    // "sentinel"
  kOnlySentinel = 1u << 14,// "only_sentinel"
  kNoMulti = 1u << 15,     // "no_multi"
  kAllowBusy = 1u << 16,   // "allow_busy"
  kNoMandatoryKeys = 1u << 17,  // "no_mandatory_keys"
  kSkipSlowlog = 1u << 18, // "skip_slowlog"
};

// Redis's flag names in the order COMMAND INFO prints them.
std::vector<std::string_view> flag_names(uint32_t flags);

// A Redis 7.0 key spec of the common kind: begin_search "index", find_keys
// "range". flags as Redis prints them ("RW", "RO", "access", "update", ...).
struct KeySpec {
  std::vector<std::string> flags;
  int begin_index = 1;
  int last_key = 0;   // relative to begin_index; -1 = last argument
  int key_step = 1;
  int limit = 0;
};

template <class Ctx>
struct Command {
  using Handler = std::function<void(Ctx&)>;
  std::string name;            // lower-case, as COMMAND prints it
  int arity = 0;               // Redis convention: negative = at least -arity
  uint32_t flags = 0;
  int first_key = 0, last_key = 0, key_step = 0;
  Handler handler;
  std::vector<std::string> acl_categories;  // "@keyspace", "@read", ... for COMMAND INFO
  // Subcommands (CONFIG GET, CLIENT LIST, SENTINEL MASTERS...), keyed lower-case.
  std::map<std::string, Command> subcommands;
  // COMMAND INFO extras. tips: "request_policy:all_nodes", ... Key specs: when
  // empty and first_key != 0, one spec (no flags) is derived from first/last/step.
  std::vector<std::string> tips;
  std::vector<KeySpec> key_specs;

  bool arity_ok(size_t argc) const {
    return arity >= 0 ? argc == static_cast<size_t>(arity)
                      : argc >= static_cast<size_t>(-arity);
  }
};

template <class Ctx>
class CommandTable {
 public:
  using Cmd = Command<Ctx>;

  void add(Cmd cmd) {
    std::string key = cmd.name;
    table_.emplace(std::move(key), std::move(cmd));
  }

  // Case-insensitive lookup of argv[0].
  const Cmd* find(std::string_view name) const;
  // Resolves "CONFIG GET" style subcommands when the command has any.
  // Returns nullptr for an unknown subcommand (the caller words the error).
  const Cmd* find_subcommand(const Cmd& parent, std::string_view sub) const;

  size_t size() const { return table_.size(); }
  const std::map<std::string, Cmd>& all() const { return table_; }

  // Appends the COMMAND INFO entry of one command, in Redis 7.0's shape
  // (name, arity, flags, first, last, step, categories, tips, key specs, subcommands).
  static void write_info(resp::ReplyBuilder& r, const Cmd& cmd);

 private:
  std::map<std::string, Cmd> table_;
};

// Redis's wording for common dispatch errors (exact texts clients and tests match).
// Each returns the full error line including the "ERR " code, for ReplyBuilder::error.
// argv is the whole command line (argv[0] is the command name).
std::string unknown_command_error(std::string_view name, const std::vector<std::string>& argv);
std::string unknown_subcommand_error(std::string_view sub, std::string_view cmd);
std::string wrong_arity_error(std::string_view name);            // command
std::string wrong_arity_sub_error(std::string_view cmd, std::string_view sub);  // "CONFIG|GET"

}  // namespace vigil::command

#include "common/command/command_table_impl.h"

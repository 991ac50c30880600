// Typed configuration parameters shared by the config file loader, CONFIG
// GET/SET and CONFIG REWRITE, with Redis 7.0's parsing rules and error texts.
//
// Register each parameter once, bound to the variable that holds it:
//   ConfigRegistry reg;
//   reg.add_int("port", &cfg.port, 0, 65535, 6379, kImmutable);
//   reg.add_memory("maxmemory", &cfg.maxmemory, 0, LLONG_MAX, 0);
//   reg.add_bool("appendonly", &cfg.appendonly, false);
//   reg.add_enum("loglevel", &cfg.loglevel, {{"debug", 0}, {"verbose", 1}, ...}, 2);
//   reg.add_special({.name = "replicaof", .aliases = {"slaveof"}, ...});
// Then: reg.apply_directives(list) at startup, reg.config_get / config_set for
// the commands, reg.rewrite(rewriter) for CONFIG REWRITE.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/config/directives.h"
#include "common/config/rewrite.h"

namespace vigil::config {

enum ParamFlag : unsigned {
  kImmutable = 1u << 0,  // CONFIG SET answers "can't set immutable config"
  kMultiArg = 1u << 1,   // several arguments (save, bind); see set rules below
  kHidden = 1u << 2,     // CONFIG GET patterns skip it; the exact name still works
  kSensitive = 1u << 3,  // value is secret (requirepass): never log it
  kProtected = 1u << 4,  // CONFIG SET answers "can't set protected config" (dir)
};

struct Param {
  std::string name;                  // canonical, lower-case
  std::vector<std::string> aliases;  // e.g. "slaveof" for "replicaof"
  unsigned flags = 0;
  // Parses and stores new arguments. Returns 0 on error (with *err, Redis's
  // wording), 1 when the value changed, 2 when it was already that value.
  std::function<int(const std::vector<std::string>& args, std::string* err)> set;
  // The value as CONFIG GET prints it (multi-arg values joined by spaces).
  std::function<std::string()> get;
  // Writes this parameter's line(s) through the rewriter. Default: "name value"
  // forced when the value differs from the default.
  std::function<void(ConfigRewriter&)> rewrite;
  // Runs after CONFIG SET stored every value (e.g. re-listen on a new port);
  // on failure all values of that CONFIG SET are restored.
  std::function<bool(std::string* err)> apply;
  std::string default_value;  // get() at registration
};

class ConfigRegistry {
 public:
  ConfigRegistry() = default;
  ConfigRegistry(const ConfigRegistry&) = delete;
  ConfigRegistry& operator=(const ConfigRegistry&) = delete;

  // Generic registration; fills default_value from get(). Returns the stored
  // Param so callers can attach apply/rewrite hooks.
  Param& add(Param p);

  Param& add_bool(std::string name, bool* target, bool def, unsigned flags = 0);
  // Integer of any width; "argument couldn't be parsed into an integer",
  // "argument must be between MIN and MAX inclusive".
  template <class T>
  Param& add_int(std::string name, T* target, long long min, long long max, T def, unsigned flags = 0);
  // Memory value: "1gb", "100mb", "10k" or bytes (memtoull); CONFIG GET prints
  // bytes, CONFIG REWRITE the largest exact unit ("1gb"); "argument must be a
  // memory value".
  template <class T>
  Param& add_memory(std::string name, T* target, long long min, long long max, T def, unsigned flags = 0);
  // validate (optional) returns an error text for a bad value, "" when fine.
  Param& add_string(std::string name, std::string* target, std::string def, unsigned flags = 0,
                    std::function<std::string(const std::string&)> validate = {});
  // Case-insensitive choice; "argument(s) must be one of the following: a, b".
  template <class T>
  Param& add_enum(std::string name, T* target, std::vector<std::pair<std::string, T>> values, T def,
                  unsigned flags = 0);

  // Directives accepted in files and ignored (deprecated ones), when their
  // argument count is within [min_args, max_args].
  void ignore_directive(std::string name, int min_args, int max_args);

  // Case-insensitive lookup by name or alias.
  const Param* find(std::string_view name) const;
  Param* find(std::string_view name);
  const std::vector<std::unique_ptr<Param>>& params() const { return params_; }

  // Applies loaded directives in order (loadServerConfigFromString rules):
  // a single-argument parameter needs exactly one argument ("wrong number of
  // arguments"); a multi-arg parameter given one non-empty argument has it
  // re-split with sdssplitargs. Unknown names go to `other` (include,
  // rename-command, sentinel, ... owned by the daemon), which returns false
  // with *err to reject; without `other`, or when it returns false with an
  // empty *err, the error is "Bad directive or wrong number of arguments".
  using OtherDirective = std::function<bool(const Directive&, std::string* err)>;
  std::optional<ConfigError> apply_directives(const std::vector<Directive>& directives,
                                              const OtherDirective& other = {});

  // CONFIG GET pattern...: (name, value) pairs; glob patterns are matched
  // case-insensitively against names and aliases and skip hidden params; a
  // non-pattern name is looked up exactly and echoed as typed. No duplicates.
  std::vector<std::pair<std::string, std::string>> config_get(const std::vector<std::string>& patterns) const;

  // CONFIG SET name value [name value ...] (argv after "CONFIG SET"). Returns
  // "" on success, else the full error line, e.g. "ERR Unknown option or
  // number of arguments for CONFIG SET - 'foo'" or "ERR CONFIG SET failed
  // (possibly related to argument 'maxmemory') - argument must be a memory
  // value". Multi-arg values are split on single spaces as Redis does.
  std::string config_set(const std::vector<std::string>& name_values);

  // Writes every parameter through the rewriter (CONFIG REWRITE step 2).
  void rewrite(ConfigRewriter& rewriter) const;
  // For ConfigRewriter: is this a directive name the registry knows?
  bool knows(std::string_view name) const;
  // Alias -> canonical name (identity for unknown names).
  std::string canonical(std::string_view name) const;

 private:
  static std::string lower(std::string_view s);
  static void default_rewrite(Param& p);

  std::vector<std::unique_ptr<Param>> params_;
  std::map<std::string, Param*, std::less<>> by_name_;  // names and aliases, lower-case
  struct Ignored {
    int min_args, max_args;
  };
  std::map<std::string, Ignored, std::less<>> ignored_;
};

// ---- helpers shared by the templates ----
namespace detail {
bool parse_integer(const std::string& s, long long* out);
bool parse_memory(const std::string& s, long long* out);
std::string bounds_error(long long min, long long max, bool is_unsigned);
std::string format_memory(long long bytes);  // rewriteConfigFormatMemory
}  // namespace detail

template <class T>
Param& ConfigRegistry::add_int(std::string name, T* target, long long min, long long max, T def, unsigned flags) {
  static_assert(std::is_integral_v<T>);
  *target = def;
  Param p;
  p.name = std::move(name);
  p.flags = flags;
  p.set = [target, min, max](const std::vector<std::string>& args, std::string* err) {
    long long v;
    if (args.size() != 1 || !detail::parse_integer(args[0], &v)) {
      *err = "argument couldn't be parsed into an integer";
      return 0;
    }
    if (v < min || v > max) {
      *err = detail::bounds_error(min, max, std::is_unsigned_v<T>);
      return 0;
    }
    if (static_cast<long long>(*target) == v) return 2;
    *target = static_cast<T>(v);
    return 1;
  };
  p.get = [target] { return std::to_string(*target); };
  return add(std::move(p));
}

template <class T>
Param& ConfigRegistry::add_memory(std::string name, T* target, long long min, long long max, T def, unsigned flags) {
  static_assert(std::is_integral_v<T>);
  *target = def;
  Param p;
  p.name = std::move(name);
  p.flags = flags;
  p.set = [target, min, max](const std::vector<std::string>& args, std::string* err) {
    long long v;
    if (args.size() != 1 || !detail::parse_memory(args[0], &v)) {
      *err = "argument must be a memory value";
      return 0;
    }
    if (v < min || v > max) {
      *err = detail::bounds_error(min, max, std::is_unsigned_v<T>);
      return 0;
    }
    if (static_cast<long long>(*target) == v) return 2;
    *target = static_cast<T>(v);
    return 1;
  };
  p.get = [target] { return std::to_string(*target); };
  Param& stored = add(std::move(p));
  stored.rewrite = [&stored, target](ConfigRewriter& rw) {
    std::string line = stored.name + " " + detail::format_memory(static_cast<long long>(*target));
    rw.rewrite_line(stored.name, std::move(line), stored.get() != stored.default_value);
  };
  return stored;
}

template <class T>
Param& ConfigRegistry::add_enum(std::string name, T* target, std::vector<std::pair<std::string, T>> values, T def,
                                unsigned flags) {
  *target = def;
  Param p;
  p.name = std::move(name);
  p.flags = flags;
  p.set = [target, values](const std::vector<std::string>& args, std::string* err) {
    if (args.size() == 1) {
      for (const auto& [text, value] : values) {
        if (lower(args[0]) == text) {
          if (*target == value) return 2;
          *target = value;
          return 1;
        }
      }
    }
    std::string msg = "argument(s) must be one of the following: ";
    for (size_t i = 0; i < values.size(); i++) {
      if (i) msg += ", ";
      msg += values[i].first;
    }
    *err = msg;
    return 0;
  };
  p.get = [target, values] {
    for (const auto& [text, value] : values) {
      if (*target == value) return text;
    }
    return std::string();
  };
  return add(std::move(p));
}

}  // namespace vigil::config

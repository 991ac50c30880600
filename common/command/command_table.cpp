#include "common/command/command_table.h"

#include <cstring>

namespace vigil::command {

std::vector<std::string_view> flag_names(uint32_t flags) {
  // Redis 7.0 addCommandFlags order; may_replicate, sentinel and only_sentinel
  // are hidden on purpose there, so they are not printed here either.
  static const std::pair<uint32_t, std::string_view> kOrder[] = {
      {kWrite, "write"},
      {kReadonly, "readonly"},
      {kDenyOom, "denyoom"},
      {kAdmin, "admin"},
      {kPubSub, "pubsub"},
      {kNoScript, "noscript"},
      {kBlocking, "blocking"},
      {kLoading, "loading"},
      {kStale, "stale"},
      {kSkipMonitor, "skip_monitor"},
      {kSkipSlowlog, "skip_slowlog"},
      {kFast, "fast"},
      {kNoAuth, "no_auth"},
      {kNoMandatoryKeys, "no_mandatory_keys"},
      {kNoMulti, "no_multi"},
      {kAllowBusy, "allow_busy"},
  };
  std::vector<std::string_view> out;
  for (const auto& [bit, name] : kOrder) {
    if (flags & bit) out.push_back(name);
  }
  return out;
}

namespace detail {

void write_key_spec(resp::ReplyBuilder& r, const KeySpec& spec) {
  r.map(3);
  r.bulk("flags");
  r.set(spec.flags.size());
  for (const auto& f : spec.flags) r.simple(f);
  r.bulk("begin_search");
  r.map(2);
  r.bulk("type");
  r.bulk("index");
  r.bulk("spec");
  r.map(1);
  r.bulk("index");
  r.integer(spec.begin_index);
  r.bulk("find_keys");
  r.map(2);
  r.bulk("type");
  r.bulk("range");
  r.bulk("spec");
  r.map(3);
  r.bulk("lastkey");
  r.integer(spec.last_key);
  r.bulk("keystep");
  r.integer(spec.key_step);
  r.bulk("limit");
  r.integer(spec.limit);
}

}  // namespace detail

namespace {

// printf("%.*s") semantics as Redis uses them: stop at a NUL byte and at max.
std::string_view c_prefix(std::string_view s, size_t max) {
  size_t nul = s.find('\0');
  if (nul != std::string_view::npos) s = s.substr(0, nul);
  return s.substr(0, std::min(max, s.size()));
}

// rejectCommandFormat: CR/LF would break the error line, Redis maps them to spaces.
std::string sanitize_error(std::string s) {
  for (char& c : s) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return s;
}

}  // namespace

std::string unknown_command_error(std::string_view name, const std::vector<std::string>& argv) {
  std::string args;
  for (size_t i = 1; i < argv.size() && args.size() < 128; i++) {
    size_t room = 128 - args.size();
    args += '\'';
    args += c_prefix(argv[i], room);
    args += "' ";
  }
  std::string msg = "ERR unknown command '";
  msg += c_prefix(name, 128);
  msg += "', with args beginning with: ";
  msg += args;
  return sanitize_error(std::move(msg));
}

std::string unknown_subcommand_error(std::string_view sub, std::string_view cmd) {
  std::string upper(c_prefix(cmd, std::string_view::npos));
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string msg = "ERR unknown subcommand '";
  msg += c_prefix(sub, 128);
  msg += "'. Try ";
  msg += upper;
  msg += " HELP.";
  return sanitize_error(std::move(msg));
}

std::string wrong_arity_error(std::string_view name) {
  return "ERR wrong number of arguments for '" + detail::to_lower(name) + "' command";
}

std::string wrong_arity_sub_error(std::string_view cmd, std::string_view sub) {
  return "ERR wrong number of arguments for '" + detail::to_lower(cmd) + "|" +
         detail::to_lower(sub) + "' command";
}

}  // namespace vigil::command

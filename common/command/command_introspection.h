// COMMAND and its subcommands (COUNT, INFO, LIST, DOCS, GETKEYS, HELP) answered
// from a command table, as Redis 7.0 answers them. vigil-node and vigil-sentinel
// both register these over their own tables, so the two daemons describe
// themselves the same way redis-server and redis-sentinel do.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "common/command/command_table.h"
#include "common/resp/reply_builder.h"
#include "common/util/glob.h"

namespace vigil::command {

namespace detail {

inline bool ieq(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// "config|get" or "get": the table entry for a full command name.
template <class Ctx>
const Command<Ctx>* find_full(const CommandTable<Ctx>& t, std::string_view name) {
  auto bar = name.find('|');
  const Command<Ctx>* cmd = t.find(name.substr(0, bar));
  if (cmd == nullptr || bar == std::string_view::npos) return cmd;
  return t.find_subcommand(*cmd, name.substr(bar + 1));
}

// A minimal COMMAND DOCS entry: a valid map per command (redis-cli 7 reads it
// for its hints and tolerates missing fields).
template <class Ctx>
void write_docs(resp::ReplyBuilder& r, const Command<Ctx>& cmd) {
  r.bulk(cmd.name);
  r.map(cmd.subcommands.empty() ? 3 : 4);
  r.bulk("summary");
  r.bulk("");
  r.bulk("since");
  r.bulk("1.0.0");
  r.bulk("group");
  r.bulk("generic");
  if (!cmd.subcommands.empty()) {
    r.bulk("subcommands");
    r.map(cmd.subcommands.size());
    for (const auto& [key, sub] : cmd.subcommands) write_docs(r, sub);
  }
}

}  // namespace detail

// COMMAND (no subcommand): every command's COMMAND INFO entry.
template <class Ctx>
void reply_command_all(const CommandTable<Ctx>& t, resp::ReplyBuilder& r) {
  r.array(t.all().size());
  for (const auto& [name, cmd] : t.all()) CommandTable<Ctx>::write_info(r, cmd);
}

// COMMAND COUNT: top-level commands, as Redis counts them.
template <class Ctx>
void reply_command_count(const CommandTable<Ctx>& t, resp::ReplyBuilder& r) {
  r.integer(static_cast<int64_t>(t.size()));
}

// COMMAND INFO [name ...]: names may be "container|sub".
template <class Ctx>
void reply_command_info(const CommandTable<Ctx>& t, const std::vector<std::string>& argv,
                        resp::ReplyBuilder& r) {
  if (argv.size() == 2) return reply_command_all(t, r);
  r.array(argv.size() - 2);
  for (size_t i = 2; i < argv.size(); i++) {
    if (const Command<Ctx>* cmd = detail::find_full(t, argv[i])) {
      CommandTable<Ctx>::write_info(r, *cmd);
    } else {
      r.null_bulk();
    }
  }
}

// COMMAND LIST [FILTERBY MODULE name | ACLCAT cat | PATTERN glob]: commands and
// their subcommands by full name.
template <class Ctx>
void reply_command_list(const CommandTable<Ctx>& t, const std::vector<std::string>& argv,
                        resp::ReplyBuilder& r) {
  enum { kAll, kPattern, kAclCat, kModule } filter = kAll;
  if (argv.size() == 5 && detail::ieq(argv[2], "FILTERBY")) {
    if (detail::ieq(argv[3], "PATTERN")) {
      filter = kPattern;
    } else if (detail::ieq(argv[3], "ACLCAT")) {
      filter = kAclCat;
    } else if (detail::ieq(argv[3], "MODULE")) {
      filter = kModule;
    } else {
      return r.error("ERR syntax error");
    }
  } else if (argv.size() != 2) {
    return r.error("ERR syntax error");
  }
  std::vector<std::string> names;
  auto consider = [&](const Command<Ctx>& c, const std::string& full) {
    if (filter == kModule) return;  // no modules
    if (filter == kPattern && !util::stringmatchlen(argv[4], full, true)) return;
    if (filter == kAclCat) {
      const std::string cat = "@" + argv[4];
      bool has = std::any_of(c.acl_categories.begin(), c.acl_categories.end(), [&](const std::string& x) {
        return detail::ieq(x, cat) || detail::ieq(x, argv[4]);
      });
      if (!has) return;
    }
    names.push_back(full);
  };
  for (const auto& [name, cmd] : t.all()) {
    consider(cmd, name);
    for (const auto& [key, sub] : cmd.subcommands) consider(sub, sub.name);
  }
  r.array(names.size());
  for (const auto& n : names) r.bulk(n);
}

// COMMAND DOCS [name ...]
template <class Ctx>
void reply_command_docs(const CommandTable<Ctx>& t, const std::vector<std::string>& argv,
                        resp::ReplyBuilder& r) {
  std::vector<const Command<Ctx>*> cmds;
  if (argv.size() == 2) {
    for (const auto& [name, cmd] : t.all()) cmds.push_back(&cmd);
  } else {
    for (size_t i = 2; i < argv.size(); i++) {
      if (const Command<Ctx>* c = detail::find_full(t, argv[i])) cmds.push_back(c);
    }
  }
  r.map(cmds.size());
  for (const Command<Ctx>* c : cmds) detail::write_docs(r, *c);
}

// COMMAND GETKEYS <full command>: the key positions the table declares.
template <class Ctx>
void reply_command_getkeys(const CommandTable<Ctx>& t, const std::vector<std::string>& argv,
                           resp::ReplyBuilder& r) {
  std::vector<std::string> args(argv.begin() + 2, argv.end());
  const Command<Ctx>* cmd = t.find(args[0]);
  if (cmd && !cmd->subcommands.empty() && args.size() >= 2) cmd = t.find_subcommand(*cmd, args[1]);
  if (cmd == nullptr) return r.error("ERR Invalid command specified");
  if (!cmd->arity_ok(args.size())) return r.error("ERR Invalid number of arguments specified for command");
  if (cmd->first_key == 0) return r.error("ERR The command has no key arguments");
  const int argc = static_cast<int>(args.size());
  const int last = cmd->last_key < 0 ? argc + cmd->last_key : cmd->last_key;
  const int step = std::max(1, cmd->key_step);
  std::vector<std::string> keys;
  for (int i = cmd->first_key; i <= last && i < argc; i += step) keys.push_back(args[static_cast<size_t>(i)]);
  r.array(keys.size());
  for (const auto& k : keys) r.bulk(k);
}

// COMMAND HELP, in Redis 7.0's words.
inline void reply_command_help(resp::ReplyBuilder& r) {
  static const char* const kLines[] = {
      "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "(no subcommand)",
      "    Return details about all Redis commands.",
      "COUNT",
      "    Return the total number of commands in this Redis server.",
      "LIST",
      "    Return a list of all commands in this Redis server.",
      "INFO [<command-name> ...]",
      "    Return details about multiple Redis commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "DOCS [<command-name> ...]",
      "    Return documentation details about multiple Redis commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "GETKEYS <full-command>",
      "    Return the keys from a full Redis command.",
      "HELP",
      "    Prints this help.",
  };
  r.array(std::size(kLines));
  for (const char* line : kLines) r.simple(line);
}

// Registers COMMAND with its subcommands into a table. make(name, arity, handler)
// builds an entry with the daemon's flags and categories for COMMAND; table_of(ctx)
// returns the table a handler answers from and reply_of(ctx) the reply builder
// (every daemon's context has the request's arguments as ctx.argv).
template <class Ctx, class Make, class TableOf, class ReplyOf>
void register_command_command(CommandTable<Ctx>& t, Make make, TableOf table_of, ReplyOf reply_of) {
  auto argv_of = [](Ctx& c) -> const std::vector<std::string>& { return c.argv; };
  Command<Ctx> cmd = make("command", -1, [=](Ctx& c) { reply_command_all(table_of(c), reply_of(c)); });
  auto add = [&cmd](Command<Ctx> sub) {
    std::string key = sub.name.substr(sub.name.find('|') + 1);
    cmd.subcommands.emplace(std::move(key), std::move(sub));
  };
  add(make("command|count", 2, [=](Ctx& c) { reply_command_count(table_of(c), reply_of(c)); }));
  add(make("command|info", -2, [=](Ctx& c) { reply_command_info(table_of(c), argv_of(c), reply_of(c)); }));
  add(make("command|list", -2, [=](Ctx& c) { reply_command_list(table_of(c), argv_of(c), reply_of(c)); }));
  add(make("command|docs", -2, [=](Ctx& c) { reply_command_docs(table_of(c), argv_of(c), reply_of(c)); }));
  add(make("command|getkeys", -4, [=](Ctx& c) { reply_command_getkeys(table_of(c), argv_of(c), reply_of(c)); }));
  add(make("command|help", 2, [=](Ctx& c) { reply_command_help(reply_of(c)); }));
  t.add(std::move(cmd));
}

}  // namespace vigil::command

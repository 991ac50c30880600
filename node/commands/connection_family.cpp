// Connection commands: PING ECHO QUIT SELECT AUTH HELLO RESET CLIENT.
#include <algorithm>
#include <chrono>

#include "common/util/numbers.h"
#include "node/commands/families.h"
#include "node/server/client.h"
#include "node/server/node_server.h"

namespace vigil::node {

namespace {

using command::kAdmin;
using command::kAllowBusy;
using command::kFast;
using command::kLoading;
using command::kNoAuth;
using command::kNoScript;
using command::kStale;

bool eq(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Redis's validateClientName: printable ASCII without spaces.
bool valid_client_name(std::string_view name) {
  return std::all_of(name.begin(), name.end(), [](char c) { return c >= '!' && c <= '~'; });
}

// The password check of the default user: no requirepass = "nopass" (any password).
bool password_ok(NodeServer& s, std::string_view user, std::string_view pass) {
  if (!eq(user, "default")) return false;
  return s.config().requirepass.empty() || s.config().requirepass == pass;
}

// ---- PING ECHO QUIT SELECT -----------------------------------------------

void ping(CommandContext& ctx) {
  if (ctx.argv.size() > 2) {
    ctx.reply.error("ERR wrong number of arguments for 'ping' command");
    return;
  }
  if (ctx.client.resp == 2 && ctx.client.subscription_count() > 0) {
    ctx.reply.array(2);
    ctx.reply.bulk("pong");
    ctx.reply.bulk(ctx.argv.size() == 2 ? ctx.argv[1] : "");
    return;
  }
  if (ctx.argv.size() == 2) {
    ctx.reply.bulk(ctx.argv[1]);
  } else {
    ctx.reply.simple("PONG");
  }
}

void echo(CommandContext& ctx) { ctx.reply.bulk(ctx.argv[1]); }

void quit(CommandContext& ctx) {
  ctx.reply.ok();
  ctx.client.conn->close_after_reply();
}

void select(CommandContext& ctx) {
  long long idx = 0;
  if (!util::string2ll(ctx.argv[1], &idx)) {
    ctx.reply.error("ERR value is not an integer or out of range");
    return;
  }
  if (idx < 0 || idx >= ctx.server.database_count()) {
    ctx.reply.error("ERR DB index is out of range");
    return;
  }
  ctx.client.db = static_cast<int>(idx);
  ctx.reply.ok();
}

// ---- AUTH HELLO RESET ------------------------------------------------------

void auth(CommandContext& ctx) {
  auto& argv = ctx.argv;
  if (argv.size() > 3) {
    ctx.reply.error("ERR syntax error");
    return;
  }
  if (argv.size() == 2 && ctx.server.config().requirepass.empty()) {
    ctx.reply.error(
        "ERR AUTH <password> called without any password configured for the default user. Are "
        "you sure your configuration is correct?");
    return;
  }
  std::string_view user = argv.size() == 3 ? std::string_view(argv[1]) : "default";
  if (!password_ok(ctx.server, user, argv.back())) {
    ctx.reply.error("WRONGPASS invalid username-password pair or user is disabled.");
    return;
  }
  ctx.client.authenticated = true;
  ctx.reply.ok();
}

void set_protocol(Client& c, int version) {
  c.resp = version;
  c.conn->reply().set_protocol(version);
}

void hello(CommandContext& ctx) {
  auto& argv = ctx.argv;
  Client& c = ctx.client;
  long long ver = 0;
  if (argv.size() >= 2) {
    if (!util::string2ll(argv[1], &ver)) {
      ctx.reply.error("ERR Protocol version is not an integer or out of range");
      return;
    }
    if (ver < 2 || ver > 3) {
      ctx.reply.error("NOPROTO unsupported protocol version");
      return;
    }
  }
  const std::string* user = nullptr;
  const std::string* pass = nullptr;
  const std::string* name = nullptr;
  for (size_t i = 2; i < argv.size(); i++) {
    size_t more = argv.size() - i - 1;
    if (eq(argv[i], "AUTH") && more >= 2) {
      user = &argv[i + 1];
      pass = &argv[i + 2];
      i += 2;
    } else if (eq(argv[i], "SETNAME") && more >= 1) {
      name = &argv[i + 1];
      i += 1;
    } else {
      ctx.reply.error("ERR Syntax error in HELLO option '" + argv[i] + "'");
      return;
    }
  }
  if (user && !password_ok(ctx.server, *user, *pass)) {
    ctx.reply.error("WRONGPASS invalid username-password pair or user is disabled.");
    return;
  }
  if (user) c.authenticated = true;
  if (!c.authenticated) {
    ctx.reply.error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
        "AUTH <user> <pass> option can be used to authenticate the client and select the RESP "
        "protocol version at the same time");
    return;
  }
  if (name) {
    if (!valid_client_name(*name)) {
      ctx.reply.error("ERR Client names cannot contain spaces, newlines or special characters.");
      return;
    }
    c.name = *name;
  }
  if (ver) set_protocol(c, static_cast<int>(ver));
  auto& r = ctx.reply;
  r.map(7);
  r.bulk("server");
  r.bulk("redis");
  r.bulk("version");
  r.bulk("7.0.15");
  r.bulk("proto");
  r.integer(c.resp);
  r.bulk("id");
  r.integer(static_cast<int64_t>(c.id));
  r.bulk("mode");
  r.bulk("standalone");
  r.bulk("role");
  r.bulk(ctx.server.role_is_replica() ? "replica" : "master");
  r.bulk("modules");
  r.array(0);
}

void reset(CommandContext& ctx) {
  Client& c = ctx.client;
  NodeServer& s = ctx.server;
  s.discard_transaction(c);
  s.pubsub().remove_client(c);
  s.monitors().remove(c);
  c.db = 0;
  set_protocol(c, 2);
  c.name.clear();
  c.reply_mode = ReplyMode::kOn;
  c.no_evict = false;
  c.authenticated = s.config().requirepass.empty();
  ctx.reply.simple("RESET");
}

// ---- CLIENT ----------------------------------------------------------------

enum class ClientType { kNormal, kReplica, kPubSub, kMaster };

ClientType client_type(const Client& c) {
  if (c.is_master) return ClientType::kMaster;
  if (c.is_replica) return ClientType::kReplica;
  if (c.subscription_count() > 0) return ClientType::kPubSub;
  return ClientType::kNormal;
}

std::optional<ClientType> parse_client_type(std::string_view s) {
  if (eq(s, "normal")) return ClientType::kNormal;
  if (eq(s, "slave") || eq(s, "replica")) return ClientType::kReplica;
  if (eq(s, "pubsub")) return ClientType::kPubSub;
  if (eq(s, "master")) return ClientType::kMaster;
  return std::nullopt;
}

// One CLIENT LIST line (without the trailing newline), Redis 7.0's fields.
std::string client_info(const Client& c) {
  using namespace std::chrono;
  const net::Connection& conn = *c.conn;
  auto now = steady_clock::now();
  std::string flags;
  if (c.is_replica) flags += 'S';
  if (c.monitor) flags += 'O';
  if (c.is_master) flags += 'M';
  if (c.subscription_count() > 0) flags += 'P';
  if (c.in_multi) flags += 'x';
  if (c.block || c.paused) flags += 'b';
  if (c.watch_dirty) flags += 'd';
  if (c.no_evict) flags += 'e';
  if (flags.empty()) flags = "N";
  size_t qbuf = conn.query_buffer_bytes();
  size_t omem = conn.output_bytes();
  std::string s;
  s.reserve(300);
  s += "id=" + std::to_string(c.id);
  s += " addr=" + conn.peer_addr();
  s += " laddr=" + conn.local_addr();
  s += " fd=" + std::to_string(conn.fd());
  s += " name=" + c.name;
  s += " age=" + std::to_string(duration_cast<seconds>(now - conn.created()).count());
  s += " idle=" + std::to_string(duration_cast<seconds>(now - conn.last_interaction()).count());
  s += " flags=" + flags;
  s += " db=" + std::to_string(c.db);
  s += " sub=" + std::to_string(c.channels.size());
  s += " psub=" + std::to_string(c.patterns.size());
  s += " ssub=0";
  s += " multi=" + (c.in_multi ? std::to_string(c.queued.size()) : std::string("-1"));
  s += " qbuf=" + std::to_string(qbuf);
  s += " qbuf-free=0";
  s += " argv-mem=0";
  s += " multi-mem=0";
  s += " rbs=16384 rbp=0";
  s += " obl=0 oll=0";
  s += " omem=" + std::to_string(omem);
  s += " tot-mem=" + std::to_string(qbuf + omem + 16384);
  s += omem > 0 ? " events=rw" : " events=r";
  s += " cmd=" + c.last_command;
  s += " user=default redir=-1";
  s += " resp=" + std::to_string(c.resp);
  return s;
}

void client_id(CommandContext& ctx) { ctx.reply.integer(static_cast<int64_t>(ctx.client.id)); }

void client_setname(CommandContext& ctx) {
  if (!valid_client_name(ctx.argv[2])) {
    ctx.reply.error("ERR Client names cannot contain spaces, newlines or special characters.");
    return;
  }
  ctx.client.name = ctx.argv[2];
  ctx.reply.ok();
}

void client_getname(CommandContext& ctx) {
  if (ctx.client.name.empty()) {
    ctx.reply.null_bulk();
  } else {
    ctx.reply.bulk(ctx.client.name);
  }
}

void client_info_cmd(CommandContext& ctx) {
  ctx.reply.verbatim(client_info(ctx.client) + "\n");
}

void client_list(CommandContext& ctx) {
  auto& argv = ctx.argv;
  std::optional<ClientType> type;
  std::vector<uint64_t> ids;
  bool by_id = false;
  if (argv.size() == 4 && eq(argv[2], "TYPE")) {
    type = parse_client_type(argv[3]);
    if (!type) {
      ctx.reply.error("ERR Unknown client type '" + argv[3] + "'");
      return;
    }
  } else if (argv.size() > 3 && eq(argv[2], "ID")) {
    by_id = true;
    for (size_t i = 3; i < argv.size(); i++) {
      long long id = 0;
      if (!util::string2ll(argv[i], &id) || id <= 0) {
        ctx.reply.error("ERR Invalid client ID");
        return;
      }
      ids.push_back(static_cast<uint64_t>(id));
    }
  } else if (argv.size() != 2) {
    ctx.reply.error("ERR syntax error");
    return;
  }
  std::string out;
  if (by_id) {
    for (uint64_t id : ids) {
      if (Client* c = ctx.server.find_client(id)) out += client_info(*c) + "\n";
    }
  } else {
    for (Client* c : ctx.server.clients()) {
      if (type && client_type(*c) != *type) continue;
      out += client_info(*c) + "\n";
    }
  }
  ctx.reply.verbatim(out);
}

void client_kill(CommandContext& ctx) {
  auto& argv = ctx.argv;
  NodeServer& s = ctx.server;
  auto kill = [&](Client& c) {
    if (&c == &ctx.client) {
      c.conn->close_after_reply();  // our own reply still goes out first
    } else {
      c.conn->close();
    }
  };
  if (argv.size() == 3) {  // old form: CLIENT KILL ip:port
    for (Client* c : s.clients()) {
      if (c->conn->peer_addr() == argv[2]) {
        ctx.reply.ok();
        kill(*c);
        return;
      }
    }
    ctx.reply.error("ERR No such client");
    return;
  }
  if (argv.size() % 2 != 0) {
    ctx.reply.error("ERR syntax error");
    return;
  }
  std::optional<uint64_t> id;
  std::optional<ClientType> type;
  std::optional<std::string> addr, laddr, user;
  bool skipme = true;
  for (size_t i = 2; i + 1 < argv.size(); i += 2) {
    const std::string& opt = argv[i];
    const std::string& val = argv[i + 1];
    if (eq(opt, "ID")) {
      long long v = 0;
      if (!util::string2ll(val, &v) || v <= 0) {
        ctx.reply.error("ERR client-id should be greater than 0");
        return;
      }
      id = static_cast<uint64_t>(v);
    } else if (eq(opt, "TYPE")) {
      type = parse_client_type(val);
      if (!type) {
        ctx.reply.error("ERR Unknown client type '" + val + "'");
        return;
      }
    } else if (eq(opt, "ADDR")) {
      addr = val;
    } else if (eq(opt, "LADDR")) {
      laddr = val;
    } else if (eq(opt, "USER")) {
      if (!eq(val, "default")) {
        ctx.reply.error("ERR No such user '" + val + "'");
        return;
      }
      user = val;
    } else if (eq(opt, "SKIPME")) {
      if (eq(val, "yes")) {
        skipme = true;
      } else if (eq(val, "no")) {
        skipme = false;
      } else {
        ctx.reply.error("ERR syntax error");
        return;
      }
    } else {
      ctx.reply.error("ERR syntax error");
      return;
    }
  }
  int64_t killed = 0;
  bool kill_self = false;
  if (type == ClientType::kMaster && s.kill_master_link) {
    // The link to our master is the replication module's own socket.
    if (!id && !addr && !laddr) killed += static_cast<int64_t>(s.kill_master_link());
  }
  for (Client* c : s.clients()) {
    if (id && c->id != *id) continue;
    if (type && client_type(*c) != *type) continue;
    if (addr && c->conn->peer_addr() != *addr) continue;
    if (laddr && c->conn->local_addr() != *laddr) continue;
    if (skipme && c == &ctx.client) continue;
    ++killed;
    if (c == &ctx.client) {
      kill_self = true;
    } else {
      kill(*c);
    }
  }
  ctx.reply.integer(killed);
  if (kill_self) kill(ctx.client);
}

void client_pause(CommandContext& ctx) {
  auto& argv = ctx.argv;
  long long timeout = 0;
  if (!util::string2ll(argv[2], &timeout)) {
    ctx.reply.error("ERR timeout is not an integer or out of range");
    return;
  }
  if (timeout < 0) {
    ctx.reply.error("ERR timeout is negative");
    return;
  }
  bool write_only = false;
  if (argv.size() == 4) {
    if (eq(argv[3], "WRITE")) {
      write_only = true;
    } else if (!eq(argv[3], "ALL")) {
      ctx.reply.error("ERR CLIENT PAUSE mode must be WRITE or ALL");
      return;
    }
  } else if (argv.size() > 4) {
    ctx.reply.error("ERR syntax error");
    return;
  }
  ctx.server.pause_clients(write_only, ctx.now_ms + timeout);
  ctx.reply.ok();
}

void client_unpause(CommandContext& ctx) {
  ctx.server.unpause_clients();
  ctx.reply.ok();
}

void client_reply(CommandContext& ctx) {
  const std::string& mode = ctx.argv[2];
  if (eq(mode, "ON")) {
    ctx.client.reply_mode = ReplyMode::kOn;
    ctx.reply.ok();
  } else if (eq(mode, "OFF")) {
    ctx.client.reply_mode = ReplyMode::kOff;
  } else if (eq(mode, "SKIP")) {
    if (ctx.client.reply_mode == ReplyMode::kOn) ctx.client.reply_mode = ReplyMode::kSkipNext;
  } else {
    ctx.reply.error("ERR syntax error");
  }
}

void client_no_evict(CommandContext& ctx) {
  if (eq(ctx.argv[2], "ON")) {
    ctx.client.no_evict = true;
  } else if (eq(ctx.argv[2], "OFF")) {
    ctx.client.no_evict = false;
  } else {
    ctx.reply.error("ERR syntax error");
    return;
  }
  ctx.reply.ok();
}

void client_unblock(CommandContext& ctx) {
  auto& argv = ctx.argv;
  long long id = 0;
  if (!util::string2ll(argv[2], &id)) {
    ctx.reply.error("ERR value is not an integer or out of range");
    return;
  }
  bool with_error = false;
  if (argv.size() == 4) {
    if (eq(argv[3], "ERROR")) {
      with_error = true;
    } else if (!eq(argv[3], "TIMEOUT")) {
      ctx.reply.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
      return;
    }
  } else if (argv.size() > 4) {
    ctx.reply.error("ERR syntax error");
    return;
  }
  Client* target = id > 0 ? ctx.server.find_client(static_cast<uint64_t>(id)) : nullptr;
  ctx.reply.integer(target && ctx.server.unblock_client(*target, with_error) ? 1 : 0);
}

void client_getredir(CommandContext& ctx) { ctx.reply.integer(-1); }

void client_help(CommandContext& ctx) {
  write_help(ctx.reply, "CLIENT",
             {"CACHING (YES|NO)", "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
              "GETREDIR", "    Return the client ID we are redirecting to when tracking is enabled.",
              "GETNAME", "    Return the name of the current connection.",
              "ID", "    Return the ID of the current connection.",
              "INFO", "    Return information about the current client connection.",
              "KILL <ip:port>", "    Kill connection made from <ip:port>.",
              "KILL <option> <value> [<option> <value> [...]]",
              "    Kill connections. Options are:",
              "    * ADDR (<ip:port>|<unixsocket>:0)", "      Kill connections made from the specified address",
              "    * LADDR (<ip:port>|<unixsocket>:0)", "      Kill connections made to specified local address",
              "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "      Kill connections by type.",
              "    * USER <username>", "      Kill connections authenticated by <username>.",
              "    * SKIPME (YES|NO)", "      Skip killing current connection (default: yes).",
              "    * ID <client-id>", "      Kill connections by client id.",
              "LIST [options ...]", "    Return information about client connections. Options:",
              "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "      Return clients of specified type.",
              "UNPAUSE", "    Stop the current client pause, resuming traffic.",
              "PAUSE <timeout> [WRITE|ALL]",
              "    Suspend all, or just write, clients for <timeout> milliseconds.",
              "REPLY (ON|OFF|SKIP)", "    Control the replies sent to the current connection.",
              "SETNAME <name>", "    Assign the name <name> to the current connection.",
              "UNBLOCK <clientid> [TIMEOUT|ERROR]",
              "    Unblock the specified blocked client.",
              "NO-EVICT (ON|OFF)", "    Protect current client connection from eviction."});
}

}  // namespace

void register_connection_family(NodeCommandTable& t) {
  const uint32_t conn_flags = kNoScript | kLoading | kStale | kFast | kNoAuth | kAllowBusy;
  t.add(make_command("ping", -1, kFast, {"@fast", "@connection"}, ping));
  t.add(make_command("echo", 2, kLoading | kStale | kFast, {"@fast", "@connection"}, echo));
  t.add(make_command("quit", -1, conn_flags, {"@fast", "@connection"}, quit));
  t.add(make_command("select", 2, kLoading | kStale | kFast, {"@fast", "@connection"}, select));
  t.add(make_command("auth", -2, conn_flags, {"@fast", "@connection"}, auth));
  t.add(make_command("hello", -1, conn_flags, {"@fast", "@connection"}, hello));
  t.add(make_command("reset", 1, conn_flags, {"@fast", "@connection"}, reset));

  const uint32_t sub_flags = kNoScript | kLoading | kStale;
  const std::vector<std::string> conn_cats = {"@slow", "@connection"};
  const std::vector<std::string> admin_cats = {"@admin", "@slow", "@dangerous", "@connection"};
  NodeCommand client = make_command("client", -2, 0, {"@slow"}, nullptr);
  add_subcommand(client, make_command("client|id", 2, sub_flags, conn_cats, client_id));
  add_subcommand(client, make_command("client|setname", 3, sub_flags, conn_cats, client_setname));
  add_subcommand(client, make_command("client|getname", 2, sub_flags, conn_cats, client_getname));
  add_subcommand(client, make_command("client|info", 2, sub_flags, conn_cats, client_info_cmd));
  add_subcommand(client, make_command("client|list", -2, kAdmin | sub_flags, admin_cats, client_list));
  add_subcommand(client, make_command("client|kill", -3, kAdmin | sub_flags, admin_cats, client_kill));
  add_subcommand(client, make_command("client|pause", -3, kAdmin | sub_flags, admin_cats, client_pause));
  add_subcommand(client, make_command("client|unpause", 2, kAdmin | sub_flags, admin_cats, client_unpause));
  add_subcommand(client, make_command("client|reply", 3, sub_flags, conn_cats, client_reply));
  add_subcommand(client, make_command("client|no-evict", 3, kAdmin | sub_flags, admin_cats, client_no_evict));
  add_subcommand(client, make_command("client|unblock", -3, kAdmin | sub_flags, admin_cats, client_unblock));
  add_subcommand(client, make_command("client|getredir", 2, sub_flags, conn_cats, client_getredir));
  add_subcommand(client, make_command("client|help", 2, kLoading | kStale, conn_cats, client_help));
  t.add(std::move(client));
}

}  // namespace vigil::node

// The non-SENTINEL commands a Redis sentinel serves: PING, INFO, ROLE, the
// pub/sub family, PUBLISH (hello only), AUTH, HELLO, CLIENT, COMMAND, SHUTDOWN.
#include <strings.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <sstream>

#include "common/command/command_introspection.h"
#include "sentinel/server/daemon.h"
#include "sentinel/server/service.h"

namespace vigil::sentinel::server {

namespace {

constexpr const char* kRedisVersion = "7.0.15";   // what clients feature-detect on
constexpr const char* kHelloChannel = "__sentinel__:hello";

bool ieq(const std::string& a, const char* b) { return strcasecmp(a.c_str(), b) == 0; }

Cmd make(const char* name, int arity, uint32_t flags, std::vector<std::string> cats,
         std::function<void(CommandCtx&)> fn) {
  Cmd c;
  c.name = name;
  c.arity = arity;
  c.flags = flags | command::kSentinel;
  c.acl_categories = std::move(cats);
  c.handler = std::move(fn);
  return c;
}

void cmd_ping(CommandCtx& c) {
  if (c.argv.size() > 2) return c.r.error(command::wrong_arity_error("ping"));
  if (c.r.protocol() < 3 && c.daemon.pubsub().subscription_count(c.conn.id()) > 0) {
    c.r.array(2);
    c.r.bulk("pong");
    c.r.bulk(c.argv.size() == 2 ? c.argv[1] : "");
    return;
  }
  if (c.argv.size() == 2) return c.r.bulk(c.argv[1]);
  c.r.simple("PONG");
}

void cmd_info(CommandCtx& c) {
  std::vector<std::string> sections(c.argv.begin() + 1, c.argv.end());
  c.r.verbatim(info_text(c.daemon, sections));
}

void cmd_role(CommandCtx& c) {
  auto names = c.daemon.core().master_names();
  c.r.array(2);
  c.r.bulk("sentinel");
  c.r.array(names.size());
  for (const auto& n : names) c.r.bulk(n);
}

void cmd_subscribe(CommandCtx& c) {
  c.daemon.pubsub().subscribe(c.conn, {c.argv.begin() + 1, c.argv.end()});
}
void cmd_psubscribe(CommandCtx& c) {
  c.daemon.pubsub().psubscribe(c.conn, {c.argv.begin() + 1, c.argv.end()});
}
void cmd_unsubscribe(CommandCtx& c) {
  c.daemon.pubsub().unsubscribe(c.conn, {c.argv.begin() + 1, c.argv.end()});
}
void cmd_punsubscribe(CommandCtx& c) {
  c.daemon.pubsub().punsubscribe(c.conn, {c.argv.begin() + 1, c.argv.end()});
}

// Peers send their hellos directly too (PUBLISH on our command port).
void cmd_publish(CommandCtx& c) {
  if (c.argv[1] != kHelloChannel)
    return c.r.error("ERR Only HELLO messages are accepted by Sentinel instances.");
  c.daemon.core().on_hello_publish(c.daemon.now(), c.argv[2]);
  c.daemon.drain();
  c.r.integer(1);
}

// Returns "" if the credentials are accepted, else the error to send.
std::string check_auth(CommandCtx& c, const std::string& user, const std::string& pass) {
  const std::string& required = c.daemon.config().requirepass;
  if (required.empty() && user == "default")
    return "ERR AUTH <password> called without any password configured for the default user. "
           "Are you sure your configuration is correct?";
  if (user != "default" || pass != required)
    return "WRONGPASS invalid username-password pair or user is disabled.";
  c.client.authenticated = true;
  return "";
}

void cmd_auth(CommandCtx& c) {
  if (c.argv.size() > 3) return c.r.error("ERR syntax error");
  const std::string user = c.argv.size() == 3 ? c.argv[1] : "default";
  const std::string& pass = c.argv.back();
  if (c.argv.size() == 2 && c.daemon.config().requirepass.empty())
    return c.r.error(check_auth(c, "default", pass));
  std::string err = check_auth(c, user, pass);
  err.empty() ? c.r.ok() : c.r.error(err);
}

void cmd_hello(CommandCtx& c) {
  int proto = c.r.protocol();
  size_t i = 1;
  if (c.argv.size() >= 2) {
    char* end = nullptr;
    long v = std::strtol(c.argv[1].c_str(), &end, 10);
    if (*end != '\0' || c.argv[1].empty())
      return c.r.error("ERR Protocol version is not an integer or out of range");
    if (v < 2 || v > 3) return c.r.error("NOPROTO unsupported protocol version");
    proto = static_cast<int>(v);
    i = 2;
  }
  std::string setname;
  bool has_setname = false;
  for (; i < c.argv.size(); ++i) {
    const bool more = i + 1 < c.argv.size();
    if (ieq(c.argv[i], "AUTH") && i + 2 < c.argv.size()) {
      std::string err = check_auth(c, c.argv[i + 1], c.argv[i + 2]);
      if (!err.empty()) return c.r.error(err);
      i += 2;
    } else if (ieq(c.argv[i], "SETNAME") && more) {
      setname = c.argv[++i];
      has_setname = true;
    } else {
      return c.r.error("ERR Syntax error in HELLO option '" + c.argv[i] + "'");
    }
  }
  if (c.service.auth_required() && !c.client.authenticated)
    return c.r.error("NOAUTH HELLO must be called with the client already authenticated, otherwise "
                     "the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the "
                     "client and select the RESP protocol version at the same time");
  if (has_setname) c.client.name = setname;
  c.r.set_protocol(proto);
  c.r.map(6);
  c.r.bulk("server");
  c.r.bulk("redis");
  c.r.bulk("version");
  c.r.bulk(kRedisVersion);
  c.r.bulk("proto");
  c.r.integer(proto);
  c.r.bulk("id");
  c.r.integer(static_cast<int64_t>(c.conn.id()));
  c.r.bulk("mode");
  c.r.bulk("sentinel");
  c.r.bulk("modules");
  c.r.array(0);
}

// One CLIENT LIST / CLIENT INFO line with Redis 7.0's fields (a sentinel's
// clients are all in db 0 with no transactions).
std::string client_line(CommandCtx& c, net::Connection& conn) {
  using namespace std::chrono;
  const auto now = steady_clock::now();
  ClientState* st = c.service.client(conn.id());
  const size_t subs = c.daemon.pubsub().subscription_count(conn.id());
  const size_t qbuf = conn.query_buffer_bytes();
  const size_t omem = conn.output_bytes();
  std::ostringstream o;
  o << "id=" << conn.id() << " addr=" << conn.peer_addr() << " laddr=" << conn.local_addr()
    << " fd=" << conn.fd() << " name=" << (st ? st->name : "")
    << " age=" << duration_cast<seconds>(now - conn.created()).count()
    << " idle=" << duration_cast<seconds>(now - conn.last_interaction()).count()
    << " flags=" << (subs > 0 ? "P" : "N") << " db=0 sub=" << subs << " psub=0 ssub=0 multi=-1"
    << " qbuf=" << qbuf << " qbuf-free=0 argv-mem=0 multi-mem=0 rbs=16384 rbp=0 obl=0 oll=0"
    << " omem=" << omem << " tot-mem=" << qbuf + omem + 16384 << (omem > 0 ? " events=rw" : " events=r")
    << " cmd=" << conn.last_command() << " user=default redir=-1 resp=" << conn.reply().protocol() << "\n";
  return o.str();
}

// CLIENT subcommands a sentinel serves (Redis's sentinel mode has the same
// dispatcher as redis-server; these are the ones that mean something here).
void cmd_client_setname(CommandCtx& c) {
  for (char ch : c.argv[2]) {
    if (ch < '!' || ch > '~')
      return c.r.error("ERR Client names cannot contain spaces, newlines or special characters.");
  }
  c.client.name = c.argv[2];
  c.r.ok();
}

void cmd_client_getname(CommandCtx& c) {
  if (c.client.name.empty()) return c.r.null_bulk();
  c.r.bulk(c.client.name);
}

void cmd_client_id(CommandCtx& c) { c.r.integer(static_cast<int64_t>(c.conn.id())); }

void cmd_client_info(CommandCtx& c) { c.r.verbatim(client_line(c, c.conn)); }

void cmd_client_list(CommandCtx& c) {
  if (c.argv.size() != 2) return c.r.error("ERR syntax error");
  std::string out;
  for (net::Connection* conn : c.daemon.server().connections()) out += client_line(c, *conn);
  c.r.verbatim(out);
}

// CLIENT KILL <ip:port> | ID <id> | ADDR <ip:port>
void cmd_client_kill(CommandCtx& c) {
  std::string addr;
  uint64_t id = 0;
  if (c.argv.size() == 3) {
    addr = c.argv[2];
  } else if (c.argv.size() == 4 && ieq(c.argv[2], "id")) {
    id = std::strtoull(c.argv[3].c_str(), nullptr, 10);
  } else if (c.argv.size() == 4 && ieq(c.argv[2], "addr")) {
    addr = c.argv[3];
  } else {
    return c.r.error("ERR syntax error");
  }
  int64_t killed = 0;
  for (net::Connection* conn : c.daemon.server().connections()) {
    if ((id != 0 && conn->id() == id) || (!addr.empty() && conn->peer_addr() == addr)) {
      if (conn == &c.conn) {
        conn->close_after_reply();
      } else {
        conn->close();
      }
      ++killed;
    }
  }
  if (c.argv.size() == 3) {
    if (killed == 0) return c.r.error("ERR No such client");
    return c.r.ok();
  }
  c.r.integer(killed);
}

void cmd_client_help(CommandCtx& c) {
  const char* lines[] = {"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                         "GETNAME", "    Return the name of the current connection.", "ID",
                         "    Return the ID of the current connection.", "INFO",
                         "    Return information about the current client connection.",
                         "KILL <ip:port> | ID <client-id> | ADDR <ip:port>",
                         "    Kill connections.", "LIST", "    Return information about client connections.",
                         "SETNAME <name>", "    Assign the name <name> to the current connection.",
                         "HELP", "    Prints this help."};
  c.r.array(std::size(lines));
  for (const char* l : lines) c.r.simple(l);
}

void cmd_shutdown(CommandCtx& c) {
  for (size_t i = 1; i < c.argv.size(); ++i) {
    if (!ieq(c.argv[i], "nosave") && !ieq(c.argv[i], "save") && !ieq(c.argv[i], "now") &&
        !ieq(c.argv[i], "force"))
      return c.r.error("ERR syntax error");
  }
  c.daemon.log(LogLevel::Warning, "User requested shutdown...");
  c.daemon.shutdown();
}

std::string section_server(Daemon& d) {
  utsname u{};
  uname(&u);
  const auto& cfg = d.config();
  const uint64_t uptime = static_cast<uint64_t>(d.now()) / 1000 - d.start_time_ms() / 1000;
  char exe[PATH_MAX] = {0};
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n > 0) exe[n] = '\0';
  std::ostringstream o;
  o << "# Server\r\n"
    << "redis_version:" << kRedisVersion << "\r\n"
    << "redis_git_sha1:00000000\r\nredis_git_dirty:0\r\nredis_build_id:0\r\n"
    << "redis_mode:sentinel\r\n"
    << "vigil_version:0.1.0\r\n"
    << "os:" << u.sysname << " " << u.release << " " << u.machine << "\r\n"
    << "arch_bits:" << sizeof(void*) * 8 << "\r\n"
    << "multiplexing_api:epoll\r\n"
    << "process_id:" << getpid() << "\r\n"
    << "process_supervised:" << cfg.supervised << "\r\n"
    << "run_id:" << d.run_id() << "\r\n"
    << "tcp_port:" << d.server().port() << "\r\n"
    << "uptime_in_seconds:" << uptime << "\r\n"
    << "uptime_in_days:" << uptime / 86400 << "\r\n"
    << "hz:10\r\nconfigured_hz:10\r\n"
    << "executable:" << exe << "\r\n"
    << "config_file:" << cfg.config_path << "\r\n";
  return o.str();
}

std::string section_clients(Daemon& d) {
  std::ostringstream o;
  o << "# Clients\r\n"
    << "connected_clients:" << d.server().connection_count() << "\r\n"
    << "cluster_connections:0\r\n"
    << "maxclients:" << d.server().limits().max_clients << "\r\n"
    << "blocked_clients:0\r\ntracking_clients:0\r\nclients_in_timeout_table:0\r\n";
  return o.str();
}

std::string section_cpu() {
  rusage self{}, children{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  auto secs = [](const timeval& tv) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%ld.%06ld", static_cast<long>(tv.tv_sec), static_cast<long>(tv.tv_usec));
    return std::string(buf);
  };
  std::ostringstream o;
  o << "# CPU\r\n"
    << "used_cpu_sys:" << secs(self.ru_stime) << "\r\n"
    << "used_cpu_user:" << secs(self.ru_utime) << "\r\n"
    << "used_cpu_sys_children:" << secs(children.ru_stime) << "\r\n"
    << "used_cpu_user_children:" << secs(children.ru_utime) << "\r\n";
  return o.str();
}

std::string section_stats(Daemon& d) {
  auto& s = d.server();
  std::ostringstream o;
  o << "# Stats\r\n"
    << "total_connections_received:" << s.total_connections_received << "\r\n"
    << "total_commands_processed:" << s.total_commands_processed << "\r\n"
    << "total_net_input_bytes:" << s.total_net_input_bytes << "\r\n"
    << "total_net_output_bytes:" << s.total_net_output_bytes << "\r\n"
    << "rejected_connections:" << s.rejected_connections << "\r\n"
    << "pubsub_channels:" << d.pubsub().channel_count() << "\r\n"
    << "pubsub_patterns:" << d.pubsub().pattern_count() << "\r\n";
  return o.str();
}

std::string section_sentinel(Daemon& d) {
  SentinelSummary sum = d.core().summary();
  std::ostringstream o;
  o << "# Sentinel\r\n"
    << "sentinel_masters:" << sum.masters.size() << "\r\n"
    << "sentinel_tilt:" << (sum.tilt ? 1 : 0) << "\r\n"
    << "sentinel_tilt_since_seconds:" << sum.tilt_since_seconds << "\r\n"
    << "sentinel_running_scripts:" << d.scripts().running() << "\r\n"
    << "sentinel_scripts_queue_length:" << d.scripts().queued() << "\r\n"
    << "sentinel_simulate_failure_flags:" << sum.simulate_failure_flags << "\r\n";
  for (size_t i = 0; i < sum.masters.size(); ++i) {
    const auto& m = sum.masters[i];
    o << "master" << i << ":name=" << m.name << ",status=" << m.status << ",address=" << m.addr.host
      << ":" << m.addr.port << ",slaves=" << m.slaves << ",sentinels=" << m.sentinels << "\r\n";
  }
  return o.str();
}

}  // namespace

std::string info_text(Daemon& d, const std::vector<std::string>& sections) {
  static const std::vector<std::string> kDefault = {"server", "clients", "cpu", "stats", "sentinel"};
  std::vector<std::string> wanted;
  for (auto s : sections) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return std::tolower(ch); });
    if (s == "all" || s == "default" || s == "everything") {
      wanted.insert(wanted.end(), kDefault.begin(), kDefault.end());
    } else {
      wanted.push_back(s);
    }
  }
  if (sections.empty()) wanted = kDefault;
  std::string out;
  for (const auto& name : kDefault) {
    if (std::find(wanted.begin(), wanted.end(), name) == wanted.end()) continue;
    if (!out.empty()) out += "\r\n";
    if (name == "server") out += section_server(d);
    if (name == "clients") out += section_clients(d);
    if (name == "cpu") out += section_cpu();
    if (name == "stats") out += section_stats(d);
    if (name == "sentinel") out += section_sentinel(d);
  }
  return out;
}

void register_client_commands(CommandTable& table) {
  using namespace command;
  table.add(make("ping", -1, kFast, {"@fast", "@connection"}, cmd_ping));
  table.add(make("info", -1, kLoading | kStale, {"@slow", "@dangerous"}, cmd_info));
  table.add(make("role", 1, kNoScript | kLoading | kStale | kFast, {"@admin", "@fast", "@dangerous"}, cmd_role));
  table.add(make("subscribe", -2, kPubSub | kNoScript | kLoading | kStale, {"@pubsub", "@slow"}, cmd_subscribe));
  table.add(make("psubscribe", -2, kPubSub | kNoScript | kLoading | kStale, {"@pubsub", "@slow"}, cmd_psubscribe));
  table.add(make("unsubscribe", -1, kPubSub | kNoScript | kLoading | kStale, {"@pubsub", "@slow"}, cmd_unsubscribe));
  table.add(make("punsubscribe", -1, kPubSub | kNoScript | kLoading | kStale, {"@pubsub", "@slow"}, cmd_punsubscribe));
  table.add(make("publish", 3, kPubSub | kLoading | kStale | kFast, {"@pubsub", "@fast"}, cmd_publish));
  table.add(make("auth", -2, kNoScript | kLoading | kStale | kFast | kNoAuth, {"@fast", "@connection"}, cmd_auth));
  table.add(make("hello", -1, kNoScript | kLoading | kStale | kFast | kNoAuth, {"@fast", "@connection"}, cmd_hello));
  const uint32_t client_flags = kAdmin | kNoScript | kLoading | kStale;
  const std::vector<std::string> client_cats = {"@admin", "@slow", "@dangerous", "@connection"};
  Cmd client = make("client", -2, client_flags, client_cats, nullptr);
  auto add_client = [&](const char* name, int arity, uint32_t flags, std::vector<std::string> cats,
                        std::function<void(CommandCtx&)> fn) {
    client.subcommands.emplace(name, make((std::string("client|") + name).c_str(), arity, flags, std::move(cats),
                                          std::move(fn)));
  };
  const std::vector<std::string> conn_slow = {"@slow", "@connection"};
  add_client("setname", 3, kNoScript | kLoading | kStale, conn_slow, cmd_client_setname);
  add_client("getname", 2, kNoScript | kLoading | kStale, conn_slow, cmd_client_getname);
  add_client("id", 2, kNoScript | kLoading | kStale, conn_slow, cmd_client_id);
  add_client("info", 2, kNoScript | kLoading | kStale, conn_slow, cmd_client_info);
  add_client("list", -2, client_flags, client_cats, cmd_client_list);
  add_client("kill", -3, client_flags, client_cats, cmd_client_kill);
  add_client("help", 2, kLoading | kStale, conn_slow, cmd_client_help);
  table.add(std::move(client));
  command::register_command_command(
      table,
      [](const char* name, int arity, Cmd::Handler handler) {
        return make(name, arity, kLoading | kStale, {"@slow", "@connection"}, std::move(handler));
      },
      [](CommandCtx& c) -> const CommandTable& { return c.service.table(); },
      [](CommandCtx& c) -> resp::ReplyBuilder& { return c.r; });
  table.add(make("shutdown", -1, kAdmin | kNoScript | kLoading | kStale | kNoMulti | kAllowBusy, {"@admin", "@slow", "@dangerous"}, cmd_shutdown));
}

}  // namespace vigil::sentinel::server

// INFO [section ...]: Redis 7.0's sections and field names (sentinels, client
// libraries and exporters parse these), "# Section" headers, CRLF lines.
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <set>

#include "node/commands/families.h"
#include "node/commands/server_family.h"
#include "node/server/client.h"
#include "node/server/node_server.h"
#include "node/server/process_memory.h"
#include "node/store/database.h"

namespace vigil::node {

namespace {

// The sections INFO prints with no argument / "default", in order.
const std::vector<std::string> kDefaultSections = {"server",      "clients", "memory",  "persistence",
                                                   "stats",       "replication", "cpu", "modules",
                                                   "errorstats",  "cluster", "keyspace"};
const std::vector<std::string> kAllSections = {"server",      "clients", "memory",       "persistence",
                                               "stats",       "replication", "cpu",      "commandstats",
                                               "errorstats",  "latencystats", "cluster", "keyspace"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// bytesToHuman: "1.56M" style.
std::string human_bytes(uint64_t n) {
  char buf[64];
  double d = static_cast<double>(n);
  if (n < 1024) {
    snprintf(buf, sizeof buf, "%lluB", static_cast<unsigned long long>(n));
  } else if (n < (1ULL << 20)) {
    snprintf(buf, sizeof buf, "%.2fK", d / 1024);
  } else if (n < (1ULL << 30)) {
    snprintf(buf, sizeof buf, "%.2fM", d / (1024.0 * 1024));
  } else if (n < (1ULL << 40)) {
    snprintf(buf, sizeof buf, "%.2fG", d / (1024.0 * 1024 * 1024));
  } else {
    snprintf(buf, sizeof buf, "%.2fT", d / (1024.0 * 1024 * 1024 * 1024));
  }
  return buf;
}

uint64_t total_system_memory() {
  return static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

std::string executable_path() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

void line(std::string& out, std::string_view key, const std::string& value) {
  out.append(key);
  out += ':';
  out += value;
  out += "\r\n";
}

template <class T>
void num(std::string& out, std::string_view key, T v) {
  line(out, key, std::to_string(v));
}

void server_section(NodeServer& s, std::string& out) {
  utsname u{};
  uname(&u);
  int64_t now = NodeServer::unix_ms();
  int64_t uptime = (now - s.start_time_ms) / 1000;
  line(out, "redis_version", "7.0.15");
  line(out, "redis_git_sha1", "00000000");
  line(out, "redis_git_dirty", "0");
  line(out, "redis_build_id", "0");
  line(out, "redis_mode", "standalone");
  line(out, "os", std::string(u.sysname) + " " + u.release + " " + u.machine);
  line(out, "arch_bits", "64");
  line(out, "monotonic_clock", "POSIX clock_gettime");
  line(out, "multiplexing_api", "epoll");
  line(out, "atomicvar_api", "c11-builtin");
  line(out, "gcc_version", std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
                               std::to_string(__GNUC_PATCHLEVEL__));
  num(out, "process_id", getpid());
  line(out, "process_supervised", s.config().supervised == "systemd" ? "systemd" : "no");
  line(out, "run_id", s.run_id);
  num(out, "tcp_port", s.config().port);
  num(out, "server_time_usec", now * 1000);
  num(out, "uptime_in_seconds", uptime);
  num(out, "uptime_in_days", uptime / 86400);
  num(out, "hz", s.config().hz);
  num(out, "configured_hz", s.config().hz);
  num(out, "lru_clock", (now / 1000) & ((1 << 24) - 1));
  line(out, "executable", executable_path());
  line(out, "config_file", s.config().config_file);
  line(out, "io_threads_active", "0");
}

void clients_section(NodeServer& s, std::string& out) {
  size_t pubsub_or_normal = 0;
  for (Client* c : s.clients()) {
    if (!c->is_replica) ++pubsub_or_normal;
  }
  num(out, "connected_clients", pubsub_or_normal);
  line(out, "cluster_connections", "0");
  num(out, "maxclients", s.config().maxclients);
  line(out, "client_recent_max_input_buffer", "0");
  line(out, "client_recent_max_output_buffer", "0");
  num(out, "blocked_clients", s.blocked_clients());
  line(out, "tracking_clients", "0");
  num(out, "clients_in_timeout_table", s.blocked_clients());
}

void memory_section(std::string& out) {
  uint64_t used = allocated_bytes();
  uint64_t rss = resident_bytes();
  uint64_t sys = total_system_memory();
  num(out, "used_memory", used);
  line(out, "used_memory_human", human_bytes(used));
  num(out, "used_memory_rss", rss);
  line(out, "used_memory_rss_human", human_bytes(rss));
  num(out, "used_memory_peak", used);
  line(out, "used_memory_peak_human", human_bytes(used));
  num(out, "total_system_memory", sys);
  line(out, "total_system_memory_human", human_bytes(sys));
  line(out, "maxmemory", "0");
  line(out, "maxmemory_human", "0B");
  line(out, "maxmemory_policy", "noeviction");
  char ratio[32];
  snprintf(ratio, sizeof ratio, "%.2f", used ? static_cast<double>(rss) / static_cast<double>(used) : 0.0);
  line(out, "mem_fragmentation_ratio", ratio);
  line(out, "mem_allocator", "libc");
  line(out, "lazyfree_pending_objects", "0");
}

void default_persistence_section(NodeServer& s, std::string& out) {
  line(out, "loading", "0");
  line(out, "async_loading", "0");
  num(out, "rdb_changes_since_last_save", s.dirty);
  line(out, "rdb_bgsave_in_progress", "0");
  num(out, "rdb_last_save_time", s.lastsave_s);
  line(out, "rdb_last_bgsave_status", "ok");
  line(out, "rdb_last_bgsave_time_sec", "-1");
  line(out, "rdb_current_bgsave_time_sec", "-1");
  line(out, "aof_enabled", "0");
  line(out, "aof_rewrite_in_progress", "0");
  line(out, "aof_rewrite_scheduled", "0");
  line(out, "aof_last_rewrite_time_sec", "-1");
  line(out, "aof_current_rewrite_time_sec", "-1");
  line(out, "aof_last_bgrewrite_status", "ok");
  line(out, "aof_last_write_status", "ok");
}

void stats_section(NodeServer& s, std::string& out) {
  net::TcpServer& n = s.net();
  num(out, "total_connections_received", n.total_connections_received);
  num(out, "total_commands_processed", s.total_commands);
  line(out, "instantaneous_ops_per_sec", "0");
  num(out, "total_net_input_bytes", n.total_net_input_bytes);
  num(out, "total_net_output_bytes", n.total_net_output_bytes);
  line(out, "instantaneous_input_kbps", "0.00");
  line(out, "instantaneous_output_kbps", "0.00");
  num(out, "rejected_connections", n.rejected_connections);
  num(out, "sync_full", s.stat_sync_full);
  num(out, "sync_partial_ok", s.stat_sync_partial_ok);
  num(out, "sync_partial_err", s.stat_sync_partial_err);
  num(out, "expired_keys", s.expired_keys);
  line(out, "evicted_keys", "0");
  num(out, "keyspace_hits", s.keyspace_hits);
  num(out, "keyspace_misses", s.keyspace_misses);
  num(out, "pubsub_channels", s.pubsub().active_channels(nullptr).size());
  num(out, "pubsub_patterns", s.pubsub().pattern_count());
  line(out, "pubsubshard_channels", "0");
  line(out, "latest_fork_usec", "0");
  line(out, "total_forks", "0");
  num(out, "total_error_replies", s.total_error_replies);
}

void default_replication_section(NodeServer& s, std::string& out) {
  line(out, "role", "master");
  line(out, "connected_slaves", "0");
  line(out, "master_failover_state", "no-failover");
  line(out, "master_replid", s.replid);
  line(out, "master_replid2", std::string(40, '0'));
  line(out, "master_repl_offset", "0");
  line(out, "second_repl_offset", "-1");
  line(out, "repl_backlog_active", "0");
  line(out, "repl_backlog_size", "1048576");
  line(out, "repl_backlog_first_byte_offset", "0");
  line(out, "repl_backlog_histlen", "0");
}

void cpu_section(std::string& out) {
  rusage self{}, children{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  auto secs = [](const timeval& tv) {
    char buf[32];
    snprintf(buf, sizeof buf, "%ld.%06ld", static_cast<long>(tv.tv_sec), static_cast<long>(tv.tv_usec));
    return std::string(buf);
  };
  line(out, "used_cpu_sys", secs(self.ru_stime));
  line(out, "used_cpu_user", secs(self.ru_utime));
  line(out, "used_cpu_sys_children", secs(children.ru_stime));
  line(out, "used_cpu_user_children", secs(children.ru_utime));
  line(out, "used_cpu_sys_main_thread", secs(self.ru_stime));
  line(out, "used_cpu_user_main_thread", secs(self.ru_utime));
}

void keyspace_section(NodeServer& s, std::string& out) {
  for (int i = 0; i < s.database_count(); i++) {
    store::Database& db = s.db(i);
    if (db.size() == 0) continue;
    line(out, "db" + std::to_string(i),
         "keys=" + std::to_string(db.size()) + ",expires=" + std::to_string(db.expires_count()) +
             ",avg_ttl=" + std::to_string(db.avg_ttl()));
  }
}

// Body of one section (without header); false for an unknown section.
bool section_body(NodeServer& s, const std::string& name, std::string& out) {
  if (auto it = s.info_providers.find(name); it != s.info_providers.end()) {
    out += it->second();
    return true;
  }
  if (name == "server") {
    server_section(s, out);
  } else if (name == "clients") {
    clients_section(s, out);
  } else if (name == "memory") {
    memory_section(out);
  } else if (name == "persistence") {
    default_persistence_section(s, out);
  } else if (name == "stats") {
    stats_section(s, out);
  } else if (name == "replication") {
    default_replication_section(s, out);
  } else if (name == "cpu") {
    cpu_section(out);
  } else if (name == "cluster") {
    line(out, "cluster_enabled", "0");
  } else if (name == "keyspace") {
    keyspace_section(s, out);
  } else if (name != "modules" && name != "errorstats" && name != "commandstats" &&
             name != "latencystats") {
    return false;
  }
  return true;
}

const char* header_of(const std::string& name) {
  static const std::pair<const char*, const char*> kHeaders[] = {
      {"server", "Server"},         {"clients", "Clients"},         {"memory", "Memory"},
      {"persistence", "Persistence"}, {"stats", "Stats"},           {"replication", "Replication"},
      {"cpu", "CPU"},               {"modules", "Modules"},         {"errorstats", "Errorstats"},
      {"commandstats", "Commandstats"}, {"latencystats", "Latencystats"}, {"cluster", "Cluster"},
      {"keyspace", "Keyspace"}};
  for (const auto& [k, v] : kHeaders) {
    if (name == k) return v;
  }
  return nullptr;
}

void info(CommandContext& ctx) {
  std::vector<std::string> wanted;
  std::set<std::string> seen;
  auto add = [&](const std::string& s) {
    if (seen.insert(s).second) wanted.push_back(s);
  };
  if (ctx.argv.size() == 1) {
    for (const auto& s : kDefaultSections) add(s);
  }
  for (size_t i = 1; i < ctx.argv.size(); i++) {
    std::string a = lower(ctx.argv[i]);
    if (a == "default") {
      for (const auto& s : kDefaultSections) add(s);
    } else if (a == "all") {
      for (const auto& s : kAllSections) add(s);
    } else if (a == "everything") {
      for (const auto& s : kAllSections) add(s);
      add("modules");
    } else {
      add(a);
    }
  }
  // Print in Redis's fixed order, whatever order they were asked in.
  std::vector<std::string> order = kAllSections;
  order.insert(order.begin() + 7, "modules");
  std::string out;
  for (const auto& name : order) {
    if (!seen.count(name)) continue;
    std::string body;
    if (!section_body(ctx.server, name, body)) continue;
    if (!out.empty()) out += "\r\n";
    out += "# ";
    out += header_of(name);
    out += "\r\n";
    out += body;
  }
  ctx.reply.verbatim(out);
}

}  // namespace

void register_info_command(NodeCommandTable& t) {
  t.add(make_command("info", -1, command::kLoading | command::kStale, {"@slow", "@dangerous"}, info));
}

}  // namespace vigil::node

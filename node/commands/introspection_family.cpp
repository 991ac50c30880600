// Operator introspection: MONITOR, SLOWLOG, LATENCY (Redis 7.0's
// replication.c monitorCommand, slowlog.c, latency.c). The data is collected
// by NodeServer::record_call after every command (node/server/monitor_feed.h,
// slowlog.h, latency_monitor.h); these handlers only read and reset it.
#include <algorithm>

#include "common/util/numbers.h"
#include "node/commands/families.h"
#include "node/server/client.h"
#include "node/server/node_server.h"

namespace vigil::node {

namespace {

using command::kAdmin;
using command::kLoading;
using command::kNoScript;
using command::kStale;

const std::vector<std::string> kAdminCats = {"@admin", "@slow", "@dangerous"};

int64_t unix_s() { return NodeServer::unix_ms() / 1000; }

// ---- MONITOR ---------------------------------------------------------------

void monitor(CommandContext& ctx) {
  Client& c = ctx.client;
  // Inside EXEC the client expects one reply per command (Redis's
  // CLIENT_DENY_BLOCKING), which a feed cannot honour.
  if (c.in_exec) {
    ctx.reply.error("ERR MONITOR isn't allowed for DENY BLOCKING client");
    return;
  }
  // Already monitoring (or a replica): ignored without a reply, as Redis.
  if (c.monitor || c.is_replica || c.conn == nullptr) return;
  ctx.server.monitors().add(c);
  ctx.reply.ok();
}

// ---- SLOWLOG -----------------------------------------------------------------

void slowlog_get(CommandContext& ctx) {
  const auto& entries = ctx.server.slowlog().entries();
  long long count = 10;
  if (ctx.argv.size() == 3) {
    if (!util::string2ll(ctx.argv[2], &count) || count < -1) {
      ctx.reply.error("ERR count should be greater than or equal to -1");
      return;
    }
    if (count == -1) count = static_cast<long long>(entries.size());
  } else if (ctx.argv.size() > 3) {
    ctx.reply.error("ERR unknown subcommand or wrong number of arguments for '" + ctx.argv[1] +
                    "'. Try SLOWLOG HELP.");
    return;
  }
  size_t n = std::min(static_cast<size_t>(count), entries.size());
  ctx.reply.array(n);
  for (size_t i = 0; i < n; i++) {
    const SlowLogEntry& e = entries[i];
    ctx.reply.array(6);
    ctx.reply.integer(static_cast<int64_t>(e.id));
    ctx.reply.integer(e.unix_s);
    ctx.reply.integer(e.duration_us);
    ctx.reply.array(e.args.size());
    for (const auto& a : e.args) ctx.reply.bulk(a);
    ctx.reply.bulk(e.peer);
    ctx.reply.bulk(e.client_name);
  }
}

void slowlog_len(CommandContext& ctx) {
  ctx.reply.integer(static_cast<int64_t>(ctx.server.slowlog().entries().size()));
}

void slowlog_reset(CommandContext& ctx) {
  ctx.server.slowlog().reset();
  ctx.reply.ok();
}

void slowlog_help(CommandContext& ctx) {
  write_help(ctx.reply, "SLOWLOG",
             {"GET [<count>]",
              "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
              "    Entries are made of:",
              "    id, timestamp, time in microseconds, arguments array, client IP and port,",
              "    client name", "LEN", "    Return the length of the slowlog.", "RESET",
              "    Reset the slowlog."});
}

// ---- LATENCY -------------------------------------------------------------------

void latency_latest(CommandContext& ctx) {
  const auto& events = ctx.server.latency().events();
  ctx.reply.array(events.size());
  for (const auto& [name, series] : events) {
    ctx.reply.array(4);
    ctx.reply.bulk(name);
    ctx.reply.integer(series.latest().unix_s);
    ctx.reply.integer(series.latest().ms);
    ctx.reply.integer(series.max);
  }
}

void latency_history(CommandContext& ctx) {
  const LatencySeries* s = ctx.server.latency().find(ctx.argv[2]);
  if (s == nullptr) {
    ctx.reply.array(0);
    return;
  }
  auto samples = s->in_order();
  ctx.reply.array(samples.size());
  for (const auto& sample : samples) {
    ctx.reply.array(2);
    ctx.reply.integer(sample.unix_s);
    ctx.reply.integer(sample.ms);
  }
}

void latency_graph_cmd(CommandContext& ctx) {
  const LatencySeries* s = ctx.server.latency().find(ctx.argv[2]);
  if (s == nullptr) {
    ctx.reply.error("ERR No samples available for event '" + ctx.argv[2] + "'");
    return;
  }
  ctx.reply.verbatim(latency_graph(ctx.argv[2], *s, unix_s()));
}

void latency_doctor(CommandContext& ctx) {
  const NodeConfig& cfg = ctx.server.config();
  ctx.reply.verbatim(latency_doctor_report(ctx.server.latency(), cfg.latency_monitor_threshold,
                                           cfg.slowlog_log_slower_than, unix_s()));
}

void latency_reset(CommandContext& ctx) {
  LatencyMonitor& m = ctx.server.latency();
  if (ctx.argv.size() == 2) {
    ctx.reply.integer(m.reset(nullptr));
    return;
  }
  int resets = 0;
  for (size_t j = 2; j < ctx.argv.size(); j++) resets += m.reset(&ctx.argv[j]);
  ctx.reply.integer(resets);
}

// One command's entry of LATENCY HISTOGRAM: name => {calls, histogram_usec}.
void reply_histogram(resp::ReplyBuilder& r, const CommandHistogram& h) {
  r.bulk(h.name);
  r.map(2);
  r.bulk("calls");
  r.integer(static_cast<int64_t>(h.calls));
  r.bulk("histogram_usec");
  auto buckets = h.cumulative();
  r.map(buckets.size());
  for (const auto& [usec, cumulative] : buckets) {
    r.integer(usec);
    r.integer(static_cast<int64_t>(cumulative));
  }
}

void latency_histogram(CommandContext& ctx) {
  const LatencyMonitor& m = ctx.server.latency();
  std::vector<const CommandHistogram*> out;
  if (ctx.argv.size() == 2) {
    for (const auto& [cmd, h] : m.histograms()) out.push_back(&h);
  } else {
    // Unknown names are skipped; a container command brings its subcommands.
    const NodeCommandTable& table = ctx.server.commands();
    for (size_t j = 2; j < ctx.argv.size(); j++) {
      const std::string& name = ctx.argv[j];
      const NodeCommand* cmd = nullptr;
      if (size_t bar = name.find('|'); bar != std::string::npos) {
        const NodeCommand* parent = table.find(std::string_view(name).substr(0, bar));
        if (parent && !parent->subcommands.empty()) {
          cmd = table.find_subcommand(*parent, std::string_view(name).substr(bar + 1));
        }
      } else {
        cmd = table.find(name);
      }
      if (cmd == nullptr) continue;
      if (const CommandHistogram* h = m.histogram(cmd)) out.push_back(h);
      for (const auto& [sub_name, sub] : cmd->subcommands) {
        if (const CommandHistogram* h = m.histogram(&sub)) out.push_back(h);
      }
    }
  }
  ctx.reply.map(out.size());
  for (const CommandHistogram* h : out) reply_histogram(ctx.reply, *h);
}

void latency_help(CommandContext& ctx) {
  write_help(ctx.reply, "LATENCY",
             {"DOCTOR", "    Return a human readable latency analysis report.", "GRAPH <event>",
              "    Return an ASCII latency graph for the <event> class.", "HISTORY <event>",
              "    Return time-latency samples for the <event> class.", "LATEST",
              "    Return the latest latency samples for all events.", "RESET [<event> ...]",
              "    Reset latency data of one or more <event> classes.",
              "    (default: reset all data for all event classes)", "HISTOGRAM [COMMAND ...]",
              "    Return a cumulative distribution of latencies in the format of a histogram for the specified "
              "command names.",
              "    If no commands are specified then all histograms are replied."});
}

}  // namespace

void register_introspection_family(NodeCommandTable& t) {
  t.add(make_command("monitor", 1, kAdmin | kNoScript | kLoading | kStale, kAdminCats, monitor));

  const uint32_t slowlog_flags = kAdmin | kLoading | kStale;
  NodeCommand slowlog = make_command("slowlog", -2, 0, {"@slow"}, nullptr);
  add_subcommand(slowlog, make_command("slowlog|get", -2, slowlog_flags, kAdminCats, slowlog_get));
  add_subcommand(slowlog, make_command("slowlog|len", 2, slowlog_flags, kAdminCats, slowlog_len));
  add_subcommand(slowlog, make_command("slowlog|reset", 2, slowlog_flags, kAdminCats, slowlog_reset));
  add_subcommand(slowlog, make_command("slowlog|help", 2, kLoading | kStale, {"@slow"}, slowlog_help));
  t.add(std::move(slowlog));

  const uint32_t latency_flags = kAdmin | kNoScript | kLoading | kStale;
  NodeCommand latency = make_command("latency", -2, 0, {"@slow"}, nullptr);
  add_subcommand(latency, make_command("latency|doctor", 2, latency_flags, kAdminCats, latency_doctor));
  add_subcommand(latency, make_command("latency|graph", 3, latency_flags, kAdminCats, latency_graph_cmd));
  add_subcommand(latency, make_command("latency|history", 3, latency_flags, kAdminCats, latency_history));
  add_subcommand(latency, make_command("latency|latest", 2, latency_flags, kAdminCats, latency_latest));
  add_subcommand(latency, make_command("latency|reset", -2, latency_flags, kAdminCats, latency_reset));
  add_subcommand(latency, make_command("latency|histogram", -2, latency_flags, kAdminCats, latency_histogram));
  add_subcommand(latency, make_command("latency|help", 2, kLoading | kStale, {"@slow"}, latency_help));
  t.add(std::move(latency));
}

}  // namespace vigil::node

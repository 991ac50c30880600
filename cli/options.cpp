#include "cli/options.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "common/util/numbers.h"

namespace vigil::cli {

namespace {

constexpr int kDefaultSentinelPort = 26379;

bool parse_seconds(const std::string& text, double* out) {
  if (text.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (errno != 0 || end == nullptr || *end != '\0' || !std::isfinite(v) || v <= 0) return false;
  *out = v;
  return true;
}

const char* kGeneral =
    "Usage: vigil-cli [options] <command> [command options]\n"
    "\n"
    "The operator's tool for a Sentinel-monitored replication group (vigil-sentinel\n"
    "or redis-sentinel, vigil-node or redis-server).\n"
    "\n"
    "Commands:\n"
    "  status <group>             every sentinel's view of the group, disagreements flagged\n"
    "  failover <group>           SENTINEL FAILOVER, then wait until every sentinel\n"
    "                             reports the new master\n"
    "  drill <group>              a failover drill under write load: unavailability\n"
    "                             window and acknowledged writes lost\n"
    "  help [command]             this text, or one command's\n"
    "\n"
    "Options (anywhere on the line):\n"
    "  -h <host>                  sentinel host (default 127.0.0.1); pairs with -p\n"
    "  -p <port>                  sentinel port (default 26379); repeatable: every -p\n"
    "                             adds a sentinel on the -h host (or give one -h per -p)\n"
    "  --sentinel <host:port>     a sentinel address; repeatable\n"
    "  -a <password>              AUTH to the sentinels (and to the data nodes, unless\n"
    "                             --node-auth is given)\n"
    "  --node-auth <password>     AUTH to the data nodes (drill, replica offsets)\n"
    "  --timeout <ms>             timeout of every connect and every command (default 2000)\n"
    "  --no-discover              ask only the sentinels given, not the peers they know\n"
    "                             through SENTINEL SENTINELS\n"
    "  --help                     help (-h is the host, as in redis-cli)\n"
    "  --version                  print the version\n"
    "\n"
    "Exit status: 0 ok; 1 a problem was found or the operation did not complete;\n"
    "2 bad arguments; 3 no sentinel could be reached, or none monitors the group.\n"
    "\n"
    "Examples:\n"
    "  vigil-cli status mymaster\n"
    "  vigil-cli -h 10.0.0.1 -p 26379 -p 26380 status mymaster\n"
    "  vigil-cli --sentinel 10.0.0.1:26379 failover mymaster --wait 30\n"
    "  vigil-cli drill mymaster --manual --duration 10 --rate 200\n";

const char* kStatus =
    "Usage: vigil-cli [options] status <group>\n"
    "\n"
    "Asks every sentinel given, and every peer they know (SENTINEL SENTINELS), for\n"
    "SENTINEL MASTER, GET-MASTER-ADDR-BY-NAME, REPLICAS and CKQUORUM, and prints one\n"
    "line per sentinel (master address, flags, config-epoch, replicas, other\n"
    "sentinels, quorum, CKQUORUM) and one line per replica (role, master link,\n"
    "replication offset, lag in bytes behind the master, flags).\n"
    "\n"
    "Exit status: 0 healthy; 1 the sentinels disagree on the master, a quorum or\n"
    "failover majority cannot be reached, or a sentinel is unreachable or does not\n"
    "monitor the group; 3 no sentinel answered for the group.\n";

const char* kFailover =
    "Usage: vigil-cli [options] failover <group> [--wait <seconds>]\n"
    "\n"
    "Sends SENTINEL FAILOVER <group> to the first reachable sentinel, then polls\n"
    "every known sentinel (GET-MASTER-ADDR-BY-NAME) until all of them report the\n"
    "same new master and that node answers ROLE as a master. Prints old -> new and\n"
    "the elapsed time.\n"
    "\n"
    "  --wait <seconds>   give up after this long (default 60); exit status 1\n";

const char* kDrill =
    "Usage: vigil-cli [options] drill <group> [--manual | --kill] [--duration <s>]\n"
    "                 [--rate <n>] [--wait <s>] [--max-lost <n>] [--keep-keys]\n"
    "\n"
    "A failover drill. A writer resolves the master through the sentinels as a\n"
    "Sentinel-aware client does (GET-MASTER-ADDR-BY-NAME, then ROLE must say master)\n"
    "and writes unique keys (SET drill:<run>:<n> <n>) at a steady rate, recording\n"
    "each acknowledgement. A third of the way into --duration it triggers the\n"
    "failover, keeps writing until writes succeed on the new master (and --duration\n"
    "has passed), waits until every sentinel reports the new master, and reads every\n"
    "acknowledged key back from it.\n"
    "\n"
    "Reports: unavailability window (last ack on the old master -> first ack on the\n"
    "new one, ms), acknowledged writes lost (acked keys missing or different on the\n"
    "new master), and totals.\n"
    "\n"
    "  --manual           trigger with SENTINEL FAILOVER (default; a planned failover)\n"
    "  --kill             trigger with SHUTDOWN NOSAVE sent to the master: the process\n"
    "                     exits without saving, the sentinels must detect it\n"
    "                     (down-after-milliseconds) and fail over. Works with\n"
    "                     redis-server and vigil-node alike (DEBUG SLEEP is refused by\n"
    "                     redis-server 7 unless enable-debug-command is set). The old\n"
    "                     master stays down: restart it yourself (systemd does not\n"
    "                     restart a unit that exited cleanly).\n"
    "  --duration <s>     seconds of writing (default 6)\n"
    "  --rate <n>         writes per second (default 100)\n"
    "  --wait <s>         give up if the failover has not completed this long after\n"
    "                     it was triggered (default 60)\n"
    "  --max-lost <n>     exit status 1 when more than n acknowledged writes are lost\n"
    "                     (default: report only)\n"
    "  --keep-keys        leave the drill's keys on the new master (default: delete them)\n"
    "\n"
    "Exit status: 0 when the drill completed (whatever it measured, unless\n"
    "--max-lost is exceeded); 1 when the failover or the writer did not complete.\n";

}  // namespace

std::string usage_text(const std::string& topic) {
  if (topic == "status") return kStatus;
  if (topic == "failover") return kFailover;
  if (topic == "drill") return kDrill;
  return kGeneral;
}

ParseResult parse_options(const std::vector<std::string>& args) {
  ParseResult res;
  Options& o = res.options;
  std::vector<std::string> hosts;
  std::vector<int> ports;
  std::vector<Endpoint> explicit_sentinels;
  std::vector<std::string> positional;
  bool help = false;
  bool mode_set = false;

  auto fail = [&](const std::string& msg) {
    res.error = msg;
    return res;
  };

  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string* out) -> bool {
      if (i + 1 >= args.size()) return false;
      *out = args[++i];
      return true;
    };
    std::string v;
    if (a == "--help" || a == "-?") {
      help = true;
    } else if (a == "--version" || a == "-v") {
      o.command = Command::kVersion;
      return res;
    } else if (a == "-h" || a == "--host") {
      if (!value(&v)) return fail("option " + a + " needs a host (use --help for help)");
      if (v.empty()) return fail("option " + a + ": empty host");
      hosts.push_back(v);
    } else if (a == "-p" || a == "--port") {
      if (!value(&v)) return fail("option " + a + " needs a port");
      long long p = 0;
      if (!util::string2ll(v, &p) || p < 1 || p > 65535) return fail("invalid port '" + v + "'");
      ports.push_back(static_cast<int>(p));
    } else if (a == "--sentinel") {
      if (!value(&v)) return fail("option --sentinel needs host:port");
      Endpoint ep;
      if (std::string err = parse_endpoint(v, kDefaultSentinelPort, &ep); !err.empty())
        return fail("--sentinel: " + err);
      explicit_sentinels.push_back(ep);
    } else if (a == "-a" || a == "--pass") {
      if (!value(&v)) return fail("option " + a + " needs a password");
      o.password = v;
    } else if (a == "--node-auth") {
      if (!value(&v)) return fail("option --node-auth needs a password");
      o.node_password = v;
      o.node_password_set = true;
    } else if (a == "--timeout") {
      long long ms = 0;
      if (!value(&v) || !util::string2ll(v, &ms) || ms < 1 || ms > 3600 * 1000)
        return fail("option --timeout needs a number of milliseconds (1..3600000)");
      o.timeout = std::chrono::milliseconds(ms);
    } else if (a == "--no-discover") {
      o.discover = false;
    } else if (a == "--wait") {
      if (!value(&v) || !parse_seconds(v, &o.wait_s)) return fail("option --wait needs a positive number of seconds");
    } else if (a == "--manual" || a == "--kill") {
      const DrillMode m = a == "--manual" ? DrillMode::kManual : DrillMode::kKill;
      if (mode_set && m != o.drill_mode) return fail("--manual and --kill are exclusive");
      o.drill_mode = m;
      mode_set = true;
    } else if (a == "--duration") {
      if (!value(&v) || !parse_seconds(v, &o.duration_s)) return fail("option --duration needs a positive number of seconds");
    } else if (a == "--rate") {
      if (!value(&v) || !parse_seconds(v, &o.rate) || o.rate > 100000)
        return fail("option --rate needs a number of writes per second (0 < N <= 100000)");
    } else if (a == "--max-lost") {
      if (!value(&v) || !util::string2ll(v, &o.max_lost) || o.max_lost < 0)
        return fail("option --max-lost needs a number >= 0");
    } else if (a == "--keep-keys") {
      o.keep_keys = true;
    } else if (a.size() > 1 && a[0] == '-') {
      return fail("unknown option '" + a + "' (use --help for help)");
    } else {
      positional.push_back(a);
    }
  }

  if (positional.empty()) {
    if (help) {
      o.command = Command::kHelp;
      return res;
    }
    return fail("no command given (status, failover, drill; use --help for help)");
  }
  const std::string& cmd = positional[0];
  if (cmd == "help") {
    o.command = Command::kHelp;
    if (positional.size() > 1) o.help_topic = positional[1];
    return res;
  }
  if (cmd == "status") {
    o.command = Command::kStatus;
  } else if (cmd == "failover") {
    o.command = Command::kFailover;
  } else if (cmd == "drill") {
    o.command = Command::kDrill;
  } else {
    return fail("unknown command '" + cmd + "' (status, failover, drill; use --help for help)");
  }
  if (help) {
    o.help_topic = cmd;
    o.command = Command::kHelp;
    return res;
  }
  if (positional.size() < 2) return fail(cmd + ": missing <group> (use vigil-cli " + cmd + " --help)");
  if (positional.size() > 2) return fail(cmd + ": unexpected argument '" + positional[2] + "'");
  o.group = positional[1];
  if (mode_set && o.command != Command::kDrill) return fail("--manual/--kill only apply to drill");

  // Sentinel addresses: -h/-p as redis-cli (one -h for every -p, or one -h per -p),
  // plus every --sentinel; the default is 127.0.0.1:26379.
  if (!hosts.empty() || !ports.empty()) {
    if (hosts.empty()) hosts.push_back("127.0.0.1");
    if (ports.empty()) ports.push_back(kDefaultSentinelPort);
    if (hosts.size() == 1) {
      for (int p : ports) o.sentinels.push_back(Endpoint{hosts[0], p});
    } else if (ports.size() == 1) {
      for (const auto& h : hosts) o.sentinels.push_back(Endpoint{h, ports[0]});
    } else if (hosts.size() == ports.size()) {
      for (size_t i = 0; i < hosts.size(); ++i) o.sentinels.push_back(Endpoint{hosts[i], ports[i]});
    } else {
      return fail("give one -h for all -p, or one -h per -p (or use --sentinel host:port)");
    }
  }
  for (const auto& ep : explicit_sentinels) o.sentinels.push_back(ep);
  if (o.sentinels.empty()) o.sentinels.push_back(Endpoint{"127.0.0.1", kDefaultSentinelPort});
  // Drop exact duplicates, keeping the order given.
  std::vector<Endpoint> unique;
  for (const auto& ep : o.sentinels) {
    bool seen = false;
    for (const auto& u : unique) seen = seen || u == ep;
    if (!seen) unique.push_back(ep);
  }
  o.sentinels = std::move(unique);
  return res;
}

}  // namespace vigil::cli

// vigil-cli status <group>: every sentinel's view, replicas, disagreements.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "cli/commands.h"
#include "cli/failover_util.h"
#include "cli/sentinels.h"
#include "cli/table.h"
#include "common/util/numbers.h"

namespace vigil::cli {

namespace {

std::string field(const Fields& f, const std::string& name, const std::string& dflt = "-") {
  auto it = f.find(name);
  return it == f.end() || it->second.empty() ? dflt : it->second;
}

// "OK 3 usable Sentinels. Quorum and failover authorization can be reached" -> "ok (3 usable)".
std::string short_quorum(const SentinelView& v) {
  const std::string& m = v.quorum_message;
  std::string usable;
  const size_t sp = m.find(' ');
  if (sp != std::string::npos) {
    const size_t sp2 = m.find(' ', sp + 1);
    usable = m.substr(sp + 1, sp2 == std::string::npos ? std::string::npos : sp2 - sp - 1);
  }
  std::string word = v.quorum_ok ? "ok" : m.substr(0, sp);
  if (word.empty()) word = "?";
  long long n = 0;
  if (util::string2ll(usable, &n)) return word + " (" + usable + " usable)";
  return word;
}

bool has_flag(const std::string& flags, const std::string& flag) {
  size_t start = 0;
  while (start <= flags.size()) {
    size_t end = flags.find(',', start);
    if (end == std::string::npos) end = flags.size();
    if (flags.compare(start, end - start, flag) == 0) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

int run_status(const Options& opts) {
  const auto views = gather(opts, opts.group, Detail::kFull);
  std::vector<std::string> problems;
  std::vector<std::string> warnings;

  int answered = 0;
  for (const auto& v : views) answered += v.answered() ? 1 : 0;
  const auto majority = majority_master(views);

  std::printf("group %s: %zu sentinel%s (%d answered)\n\n", opts.group.c_str(), views.size(),
              views.size() == 1 ? "" : "s", answered);

  Table t({"SENTINEL", "MASTER", "FLAGS", "EPOCH", "REPLICAS", "OTHER-SENTINELS", "QUORUM", "CKQUORUM"});
  for (const auto& v : views) {
    std::string name = v.addr.str() + (v.discovered ? "*" : "");
    if (!v.error.empty()) {
      t.add({name, "unreachable: " + v.error});
      problems.push_back(fmt::format("sentinel {} is unreachable: {}", v.addr.str(), v.error));
      continue;
    }
    if (!v.knows_group) {
      t.add({name, "unknown group: " + v.group_error});
      problems.push_back(fmt::format("sentinel {} does not monitor '{}': {}", v.addr.str(), opts.group, v.group_error));
      continue;
    }
    std::string master = v.master_addr ? v.master_addr->str() : "-";
    if (majority && v.master_addr && !(*v.master_addr == *majority)) master += " (!)";
    t.add({name, master, field(v.master, "flags"), field(v.master, "config-epoch"), field(v.master, "num-slaves"),
           field(v.master, "num-other-sentinels"), field(v.master, "quorum"), short_quorum(v)});
    if (!v.quorum_ok)
      problems.push_back(fmt::format("sentinel {}: CKQUORUM: {}", v.addr.str(), v.quorum_message));
    const std::string flags = field(v.master, "flags", "");
    for (const char* f : {"s_down", "o_down", "failover_in_progress", "disconnected"})
      if (has_flag(flags, f)) warnings.push_back(fmt::format("sentinel {} flags the master {}", v.addr.str(), f));
  }
  std::fputs(t.render().c_str(), stdout);
  bool any_discovered = false;
  for (const auto& v : views) any_discovered = any_discovered || v.discovered;
  if (any_discovered) std::printf("(* = discovered through SENTINEL SENTINELS)\n");

  if (answered == 0) {
    std::fprintf(stderr, "vigil-cli: no sentinel answered for group '%s'\n", opts.group.c_str());
    for (const auto& p : problems) std::fprintf(stderr, "  - %s\n", p.c_str());
    return kExitUnreachable;
  }

  // Disagreements between the sentinels that answered.
  std::set<Endpoint> masters;
  std::set<std::string> epochs, replica_sets, peer_counts;
  for (const auto& v : views) {
    if (!v.answered()) continue;
    if (v.master_addr) masters.insert(*v.master_addr);
    epochs.insert(field(v.master, "config-epoch"));
    std::set<std::string> reps;
    for (const auto& r : v.replicas) reps.insert(field(r, "ip") + ":" + field(r, "port"));
    std::string joined;
    for (const auto& r : reps) joined += r + " ";
    replica_sets.insert(joined);
    peer_counts.insert(field(v.master, "num-other-sentinels"));
  }
  if (masters.size() > 1) {
    std::string detail;
    for (const auto& m : masters) {
      std::string who;
      for (const auto& v : views)
        if (v.answered() && v.master_addr && *v.master_addr == m) who += (who.empty() ? "" : ", ") + v.addr.str();
      detail += fmt::format("{}{} (according to {})", detail.empty() ? "" : " vs ", m.str(), who);
    }
    problems.push_back("sentinels disagree on the master: " + detail);
  }
  if (epochs.size() > 1) warnings.push_back("sentinels disagree on the config-epoch");
  if (replica_sets.size() > 1) warnings.push_back("sentinels disagree on the set of replicas");
  if (peer_counts.size() > 1) warnings.push_back("sentinels know different numbers of other sentinels");

  // Replicas as seen by the first sentinel that agrees with the majority.
  const SentinelView* ref = nullptr;
  for (const auto& v : views)
    if (v.answered() && v.master_addr && majority && *v.master_addr == *majority) {
      ref = &v;
      break;
    }
  if (ref != nullptr) {
    const auto repl = master_replication(opts, *majority);
    std::printf("\nreplicas of %s (as seen by %s)\n\n", majority->str().c_str(), ref->addr.str().c_str());
    if (ref->replicas.empty()) {
      std::printf("  (none)\n");
      warnings.push_back("no replicas known: a failover has nothing to promote");
    } else {
      Table rt({"REPLICA", "ROLE", "FOLLOWS", "LINK", "OFFSET", "LAG", "PRIORITY", "FLAGS"});
      for (const auto& r : ref->replicas) {
        const std::string addr = field(r, "ip") + ":" + field(r, "port");
        // Offset and lag as the master sees them now; else the sentinel's cached offset.
        std::string offset = field(r, "slave-repl-offset");
        std::string lag = "?";
        if (repl) {
          auto it = repl->replica_offsets.find(addr);
          long long off = 0;
          if (it != repl->replica_offsets.end()) {
            offset = std::to_string(it->second);
            lag = std::to_string(std::max(0LL, repl->offset - it->second));
          } else if (util::string2ll(offset, &off)) {
            lag = std::to_string(std::max(0LL, repl->offset - off));
          }
        }
        rt.add({addr, field(r, "role-reported"), field(r, "master-host") + ":" + field(r, "master-port"),
                field(r, "master-link-status"), offset, lag, field(r, "slave-priority"), field(r, "flags")});
        const std::string flags = field(r, "flags", "");
        if (has_flag(flags, "s_down") || has_flag(flags, "disconnected"))
          warnings.push_back(fmt::format("replica {} is {}", addr, flags));
        else if (field(r, "master-link-status", "") == "err")
          warnings.push_back(fmt::format("replica {} has its master link down", addr));
      }
      std::fputs(rt.render().c_str(), stdout);
      std::printf("(OFFSET and LAG as the master reports them: LAG = bytes behind its offset)\n");
    }
  }

  if (!warnings.empty()) {
    std::printf("\nwarnings:\n");
    for (const auto& w : warnings) std::printf("  - %s\n", w.c_str());
  }
  if (!problems.empty()) {
    std::printf("\nproblems:\n");
    for (const auto& p : problems) std::printf("  - %s\n", p.c_str());
    return kExitProblem;
  }
  std::printf("\nok: %d sentinel%s agree on master %s, quorum reachable\n", answered, answered == 1 ? "" : "s",
              majority ? majority->str().c_str() : "-");
  return kExitOk;
}

}  // namespace vigil::cli

// vigil-cli failover <group>: SENTINEL FAILOVER, then poll every sentinel until
// all of them report the same new master and that node says ROLE master.
#include <fmt/format.h>

#include <cstdio>
#include <thread>

#include "cli/commands.h"
#include "cli/failover_util.h"
#include "cli/sentinels.h"
#include "common/util/numbers.h"

namespace vigil::cli {

std::string node_role(const Options& opts, const Endpoint& node) {
  std::string err;
  auto c = Connection::open(node, opts.timeout, opts.node_auth(), &err);
  if (!c) return "";
  auto r = c->call({"ROLE"}, &err);
  if (!r || r->type != Reply::Type::kArray || r->elements.empty()) return "";
  return r->elements[0].str;
}

std::optional<MasterReplication> master_replication(const Options& opts, const Endpoint& master) {
  std::string err;
  auto c = Connection::open(master, opts.timeout, opts.node_auth(), &err);
  if (!c) return std::nullopt;
  auto r = c->call({"INFO", "replication"}, &err);
  if (!r || r->type != Reply::Type::kString) return std::nullopt;
  MasterReplication out;
  bool have_offset = false;
  size_t start = 0;
  while (start < r->str.size()) {
    size_t end = r->str.find('\n', start);
    if (end == std::string::npos) end = r->str.size();
    std::string line = r->str.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = line.substr(0, colon), value = line.substr(colon + 1);
    if (key == "master_repl_offset") {
      have_offset = util::string2ll(value, &out.offset);
    } else if (key.rfind("slave", 0) == 0) {
      // slave0:ip=127.0.0.1,port=6380,state=online,offset=1234,lag=0
      std::map<std::string, std::string> kv;
      size_t p = 0;
      while (p < value.size()) {
        size_t comma = value.find(',', p);
        if (comma == std::string::npos) comma = value.size();
        const std::string item = value.substr(p, comma - p);
        const size_t eq = item.find('=');
        if (eq != std::string::npos) kv[item.substr(0, eq)] = item.substr(eq + 1);
        p = comma + 1;
      }
      long long off = 0;
      if (util::string2ll(kv["offset"], &off)) out.replica_offsets[kv["ip"] + ":" + kv["port"]] = off;
      if (kv["state"] == "online") ++out.online;
    }
  }
  if (!have_offset) return std::nullopt;
  return out;
}

AgreementPoller::AgreementPoller(const Options& opts, std::vector<Endpoint> sentinels)
    : opts_(opts), sentinels_(std::move(sentinels)), conns_(sentinels_.size()), seen_(sentinels_.size()),
      errors_(sentinels_.size()) {}

std::optional<Endpoint> AgreementPoller::poll(const Endpoint& old_master) {
  for (size_t i = 0; i < sentinels_.size(); ++i) {
    std::string err;
    if (!conns_[i] || conns_[i]->broken()) conns_[i] = Connection::open(sentinels_[i], opts_.timeout, opts_.password, &err);
    if (!conns_[i]) {
      seen_[i].reset();
      errors_[i] = err;
      continue;
    }
    seen_[i] = ask_master_addr(*conns_[i], opts_.group, &err);
    errors_[i] = seen_[i] ? "" : (err.empty() ? "does not know the group" : err);
  }
  std::optional<Endpoint> common;
  for (const auto& s : seen_) {
    if (!s || *s == old_master) return std::nullopt;
    if (common && !(*common == *s)) return std::nullopt;
    common = s;
  }
  return common;
}

std::string AgreementPoller::describe() const {
  std::string out;
  for (size_t i = 0; i < sentinels_.size(); ++i) {
    out += fmt::format("  {}: {}\n", sentinels_[i].str(),
                       seen_[i] ? seen_[i]->str() : "no answer (" + errors_[i] + ")");
  }
  return out;
}

int run_failover(const Options& opts) {
  const auto views = gather(opts, opts.group, Detail::kAddress);
  std::vector<Endpoint> answering;
  for (const auto& v : views) {
    if (v.answered()) {
      answering.push_back(v.addr);
    } else {
      std::fprintf(stderr, "vigil-cli: warning: sentinel %s: %s\n", v.addr.str().c_str(),
                   v.error.empty() ? v.group_error.c_str() : v.error.c_str());
    }
  }
  const auto old_master = majority_master(views);
  if (answering.empty() || !old_master) {
    std::fprintf(stderr, "vigil-cli: no sentinel answered for group '%s'\n", opts.group.c_str());
    return kExitUnreachable;
  }

  // Ask the first sentinel that answers; an error reply (INPROG, NOGOODSLAVE) is final.
  const long long t0 = now_ms();
  std::string via;
  for (const auto& ep : answering) {
    std::string err;
    auto c = Connection::open(ep, opts.timeout, opts.password, &err);
    if (!c) continue;
    auto r = c->call({"SENTINEL", "FAILOVER", opts.group}, &err);
    if (!r) continue;
    if (r->is_error()) {
      std::fprintf(stderr, "vigil-cli: sentinel %s refused the failover: %s\n", ep.str().c_str(), r->str.c_str());
      return kExitProblem;
    }
    via = ep.str();
    break;
  }
  if (via.empty()) {
    std::fprintf(stderr, "vigil-cli: could not send SENTINEL FAILOVER to any sentinel\n");
    return kExitUnreachable;
  }
  std::printf("failover of %s requested via %s (master %s)\n", opts.group.c_str(), via.c_str(),
              old_master->str().c_str());
  std::fflush(stdout);

  const long long deadline = t0 + static_cast<long long>(opts.wait_s * 1000);
  AgreementPoller poller(opts, answering);
  std::optional<Endpoint> new_master;
  long long agreed_at = 0;
  while (now_ms() < deadline) {
    new_master = poller.poll(*old_master);
    if (new_master) {
      agreed_at = now_ms();
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!new_master) {
    std::fprintf(stderr, "vigil-cli: the sentinels did not all report a new master within %.1f s:\n%s", opts.wait_s,
                 poller.describe().c_str());
    return kExitProblem;
  }
  // The promoted node must also say it is a master (it already does when the
  // sentinels announce it; this catches a node that was reconfigured again).
  std::string role;
  while (now_ms() < deadline) {
    role = node_role(opts, *new_master);
    if (role == "master") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const long long done = now_ms();
  std::printf("%s: %s -> %s in %.3f s (%zu/%zu sentinels agree after %.3f s)\n", opts.group.c_str(),
              old_master->str().c_str(), new_master->str().c_str(), (done - t0) / 1000.0, answering.size(),
              answering.size(), (agreed_at - t0) / 1000.0);
  if (role != "master") {
    std::fprintf(stderr, "vigil-cli: %s does not answer ROLE as a master (%s)\n", new_master->str().c_str(),
                 role.empty() ? "no answer" : role.c_str());
    return kExitProblem;
  }
  return kExitOk;
}

}  // namespace vigil::cli

#include "cli/sentinels.h"

#include <chrono>
#include <deque>
#include <set>

#include "common/util/numbers.h"

namespace vigil::cli {

namespace {

constexpr size_t kMaxSentinels = 64;  // a bound on discovery, far above any real deployment

std::vector<Fields> as_list_of_maps(const Reply& r) {
  std::vector<Fields> out;
  for (const auto& e : r.elements) out.push_back(e.as_map());
  return out;
}

void query(const Options& opts, const std::string& group, Detail detail, SentinelView& v) {
  std::string err;
  auto conn = Connection::open(v.addr, opts.timeout, opts.password, &err);
  if (!conn) {
    v.error = err;
    return;
  }
  auto call = [&](std::vector<std::string> argv, std::optional<Reply>* out) {
    *out = conn->call(argv, &err);
    if (!*out) {
      v.error = argv[0] + " " + (argv.size() > 1 ? argv[1] + " " : "") + "failed: " + err;
      return false;
    }
    return true;
  };
  std::optional<Reply> r;
  if (!call({"SENTINEL", "MYID"}, &r)) return;
  if (r->is_error()) {
    // Not a sentinel (a data node answers "unknown command"), or ACL trouble.
    v.error = "SENTINEL MYID: " + r->str;
    return;
  }
  v.myid = r->str;

  if (!call({"SENTINEL", "GET-MASTER-ADDR-BY-NAME", group}, &r)) return;
  if (r->is_error()) {
    v.group_error = r->str;
    return;
  }
  if (r->is_nil() || r->elements.size() != 2) {
    v.group_error = "does not monitor a master named '" + group + "'";
    return;
  }
  long long port = 0;
  if (!util::string2ll(r->elements[1].str, &port)) {
    v.error = "GET-MASTER-ADDR-BY-NAME: unexpected port '" + r->elements[1].str + "'";
    return;
  }
  v.master_addr = Endpoint{r->elements[0].str, static_cast<int>(port)};
  v.knows_group = true;

  if (!call({"SENTINEL", "SENTINELS", group}, &r)) return;
  if (!r->is_error()) v.sentinels = as_list_of_maps(*r);
  if (detail == Detail::kAddress) return;

  if (!call({"SENTINEL", "MASTER", group}, &r)) return;
  if (r->is_error()) {
    // The group disappeared between two commands (SENTINEL REMOVE): report it.
    v.knows_group = false;
    v.group_error = r->str;
    return;
  }
  v.master = r->as_map();
  if (!call({"SENTINEL", "REPLICAS", group}, &r)) return;
  if (!r->is_error()) v.replicas = as_list_of_maps(*r);
  if (!call({"SENTINEL", "CKQUORUM", group}, &r)) return;
  v.quorum_ok = r->type == Reply::Type::kStatus;
  v.quorum_message = r->str;
}

}  // namespace

long long now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::optional<Endpoint> ask_master_addr(Connection& c, const std::string& group, std::string* err) {
  auto r = c.call({"SENTINEL", "GET-MASTER-ADDR-BY-NAME", group}, err);
  if (!r) return std::nullopt;
  if (r->is_error()) {
    *err = r->str;
    return std::nullopt;
  }
  long long port = 0;
  if (r->is_nil() || r->elements.size() != 2 || !util::string2ll(r->elements[1].str, &port)) {
    err->clear();
    return std::nullopt;
  }
  return Endpoint{r->elements[0].str, static_cast<int>(port)};
}

std::vector<SentinelView> gather(const Options& opts, const std::string& group, Detail detail) {
  std::vector<SentinelView> views;
  std::deque<SentinelView> queue;
  std::set<Endpoint> queued;
  std::set<std::string> ids;
  for (const auto& ep : opts.sentinels) {
    SentinelView v;
    v.addr = ep;
    queue.push_back(v);
    queued.insert(ep);
  }
  while (!queue.empty() && views.size() < kMaxSentinels) {
    SentinelView v = std::move(queue.front());
    queue.pop_front();
    query(opts, group, detail, v);
    // The same sentinel given twice under two names (localhost vs 127.0.0.1).
    if (!v.myid.empty() && !ids.insert(v.myid).second) continue;
    if (opts.discover) {
      for (const auto& peer : v.sentinels) {
        auto ip = peer.find("ip");
        auto port = peer.find("port");
        auto runid = peer.find("runid");
        long long p = 0;
        if (ip == peer.end() || port == peer.end() || !util::string2ll(port->second, &p)) continue;
        if (runid != peer.end() && ids.count(runid->second)) continue;
        Endpoint ep{ip->second, static_cast<int>(p)};
        if (!queued.insert(ep).second) continue;
        SentinelView pv;
        pv.addr = ep;
        pv.discovered = true;
        queue.push_back(pv);
      }
    }
    views.push_back(std::move(v));
  }
  return views;
}

std::optional<Endpoint> majority_master(const std::vector<SentinelView>& views) {
  std::vector<std::pair<Endpoint, int>> counts;
  for (const auto& v : views) {
    if (!v.answered() || !v.master_addr) continue;
    bool found = false;
    for (auto& [ep, n] : counts) {
      if (ep == *v.master_addr) {
        ++n;
        found = true;
      }
    }
    if (!found) counts.emplace_back(*v.master_addr, 1);
  }
  if (counts.empty()) return std::nullopt;
  size_t best = 0;
  for (size_t i = 1; i < counts.size(); ++i)
    if (counts[i].second > counts[best].second) best = i;
  return counts[best].first;
}

}  // namespace vigil::cli

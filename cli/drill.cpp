// vigil-cli drill <group>: a failover under write load, measured from the
// client's side. One writer thread (this one) resolves the master as a
// Sentinel-aware client does and writes unique keys at a steady rate; a second
// thread triggers the failover so the writer never stalls on it.
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <thread>

#include "cli/commands.h"
#include "cli/failover_util.h"
#include "cli/sentinels.h"

namespace vigil::cli {

namespace {

using std::chrono::milliseconds;

struct Ack {
  long long n;
  long long t;  // ms since the drill started
  Endpoint on;
};

// Finds the master like redis-py's Sentinel: ask each sentinel in turn for
// GET-MASTER-ADDR-BY-NAME, connect, and accept the node only if ROLE says master.
class Resolver {
 public:
  Resolver(const Options& opts, std::vector<Endpoint> sentinels)
      : opts_(opts), sentinels_(std::move(sentinels)), conns_(sentinels_.size()) {}

  std::unique_ptr<Connection> resolve(Endpoint* master, std::string* why) {
    for (size_t i = 0; i < sentinels_.size(); ++i) {
      std::string err;
      if (!conns_[i] || conns_[i]->broken()) conns_[i] = Connection::open(sentinels_[i], opts_.timeout, opts_.password, &err);
      if (!conns_[i]) {
        *why = "sentinel " + sentinels_[i].str() + ": " + err;
        continue;
      }
      auto addr = ask_master_addr(*conns_[i], opts_.group, &err);
      if (!addr) {
        *why = "sentinel " + sentinels_[i].str() + ": " + (err.empty() ? "does not know the group" : err);
        continue;
      }
      auto node = Connection::open(*addr, opts_.timeout, opts_.node_auth(), &err);
      if (!node) {
        *why = "master " + addr->str() + ": " + err;
        continue;
      }
      auto role = node->call({"ROLE"}, &err);
      if (!role || role->type != Reply::Type::kArray || role->elements.empty() || role->elements[0].str != "master") {
        *why = "master " + addr->str() + ": ROLE is not master";
        continue;
      }
      *master = *addr;
      return node;
    }
    return nullptr;
  }

 private:
  const Options& opts_;
  std::vector<Endpoint> sentinels_;
  std::vector<std::unique_ptr<Connection>> conns_;
};

struct Trigger {
  std::atomic<bool> done{false};
  bool ok = false;
  std::string message;  // what happened (read after done)
};

void trigger_failover(const Options& opts, const std::vector<Endpoint>& sentinels, const Endpoint& old_master,
                      Trigger* out) {
  std::string err;
  if (opts.drill_mode == DrillMode::kManual) {
    for (const auto& ep : sentinels) {
      auto c = Connection::open(ep, opts.timeout, opts.password, &err);
      if (!c) continue;
      auto r = c->call({"SENTINEL", "FAILOVER", opts.group}, &err);
      if (!r) continue;
      out->ok = !r->is_error();
      out->message = out->ok ? "SENTINEL FAILOVER via " + ep.str() : "sentinel " + ep.str() + " refused: " + r->str;
      out->done = true;
      return;
    }
    out->message = "could not send SENTINEL FAILOVER to any sentinel (" + err + ")";
    out->done = true;
    return;
  }
  // --kill: SHUTDOWN NOSAVE. Success is the server closing the connection.
  // redis-server 7 first waits (shutdown-timeout, 10 s by default) for lagging
  // replicas, so this call gets a longer timeout.
  auto c = Connection::open(old_master, opts.timeout, opts.node_auth(), &err);
  if (!c) {
    out->message = "cannot reach the master " + old_master.str() + ": " + err;
    out->done = true;
    return;
  }
  c->set_timeout(std::max(opts.timeout, milliseconds(15000)));
  auto r = c->call({"SHUTDOWN", "NOSAVE"}, &err);
  if (r && r->is_error()) {
    out->message = "SHUTDOWN NOSAVE refused by " + old_master.str() + ": " + r->str;
  } else if (r) {
    out->message = "SHUTDOWN NOSAVE answered " + r->str + " (expected the connection to close)";
  } else if (err == "connection closed by the server") {
    out->ok = true;
    out->message = "SHUTDOWN NOSAVE sent to " + old_master.str();
  } else {
    out->ok = true;  // the failover may still happen: the drill will tell
    out->message = "SHUTDOWN NOSAVE sent to " + old_master.str() + " (" + err + ")";
  }
  out->done = true;
}

std::string key_of(const std::string& run, long long n) { return "drill:" + run + ":" + std::to_string(n); }

}  // namespace

int run_drill(const Options& opts) {
  const auto views = gather(opts, opts.group, Detail::kAddress);
  std::vector<Endpoint> sentinels;
  for (const auto& v : views) {
    if (v.answered()) {
      sentinels.push_back(v.addr);
    } else {
      std::fprintf(stderr, "vigil-cli: warning: sentinel %s: %s\n", v.addr.str().c_str(),
                   v.error.empty() ? v.group_error.c_str() : v.error.c_str());
    }
  }
  const auto old_master = majority_master(views);
  if (sentinels.empty() || !old_master) {
    std::fprintf(stderr, "vigil-cli: no sentinel answered for group '%s'\n", opts.group.c_str());
    return kExitUnreachable;
  }

  // Pre-flight: a drill on a master with no replica in sync measures only that.
  if (auto repl = master_replication(opts, *old_master)) {
    if (repl->online == 0)
      std::fprintf(stderr,
                   "vigil-cli: warning: the master %s has no replica in state online (still syncing?): "
                   "the failover will likely lose writes\n",
                   old_master->str().c_str());
  } else {
    std::fprintf(stderr, "vigil-cli: warning: cannot read INFO replication from the master %s\n",
                 old_master->str().c_str());
  }

  const std::string run = fmt::format("{:x}{:x}", static_cast<unsigned long long>(std::time(nullptr)),
                                      static_cast<unsigned>(getpid()) & 0xffff);
  const char* mode = opts.drill_mode == DrillMode::kManual ? "manual (SENTINEL FAILOVER)" : "kill (SHUTDOWN NOSAVE)";
  std::printf("drill %s: %s failover, %g writes/s for %g s, keys drill:%s:<n>, master %s\n", opts.group.c_str(), mode,
              opts.rate, opts.duration_s, run.c_str(), old_master->str().c_str());
  std::fflush(stdout);

  const long long start = now_ms();
  auto rel = [start] { return now_ms() - start; };
  const long long duration_ms = static_cast<long long>(opts.duration_s * 1000);
  const long long trigger_at = std::max(300LL, duration_ms / 3);
  const long long wait_ms = static_cast<long long>(opts.wait_s * 1000);
  const double period_ms = 1000.0 / opts.rate;

  Resolver resolver(opts, sentinels);
  std::unique_ptr<Connection> conn;
  Endpoint current;
  std::vector<Ack> acks;
  long long sent = 0, failed = 0, resolves_failed = 0;
  long long first_new_ack = -1;
  long long first_ack_on_old = -1;
  std::string last_error, last_resolve_error;
  Trigger trigger;
  std::thread trigger_thread;
  long long triggered_at = -1;
  double next_due = 0;
  std::string failure;

  while (true) {
    const long long now = rel();
    if (triggered_at < 0 && now >= trigger_at) {
      if (acks.empty()) {
        failure = "no write was acknowledged before the failover was due (" +
                  (last_error.empty() ? last_resolve_error : last_error) + ")";
        break;
      }
      triggered_at = now;
      std::printf("  +%.3f s  triggering the failover\n", now / 1000.0);
      std::fflush(stdout);
      trigger_thread = std::thread(trigger_failover, std::cref(opts), std::cref(sentinels), *old_master, &trigger);
    }
    if (triggered_at >= 0 && trigger.done && !trigger.ok) {
      failure = "the failover could not be triggered: " + trigger.message;
      break;
    }
    if (first_new_ack >= 0 && now >= duration_ms && now >= first_new_ack + 500) break;
    if (triggered_at >= 0 && now > triggered_at + wait_ms) {
      failure = fmt::format("no write succeeded on a new master within {:g} s of the trigger (last error: {})",
                            opts.wait_s, last_error.empty() ? last_resolve_error : last_error);
      break;
    }
    if (!conn) {
      conn = resolver.resolve(&current, &last_resolve_error);
      if (!conn) {
        ++resolves_failed;
        std::this_thread::sleep_for(milliseconds(50));
        continue;
      }
    }
    if (next_due > now) std::this_thread::sleep_for(std::chrono::microseconds(static_cast<long long>((next_due - now) * 1000)));
    next_due += period_ms;
    if (next_due < rel() - period_ms) next_due = static_cast<double>(rel());  // late: no burst to catch up

    const long long n = ++sent;
    std::string err;
    auto r = conn->call({"SET", key_of(run, n), std::to_string(n)}, &err);
    if (r && r->type == Reply::Type::kStatus && r->str == "OK") {
      const long long t = rel();
      acks.push_back(Ack{n, t, current});
      if (first_ack_on_old < 0 && current == *old_master) first_ack_on_old = t;
      if (first_new_ack < 0 && !(current == *old_master)) {
        first_new_ack = t;
        std::printf("  +%.3f s  first write acknowledged by %s\n", t / 1000.0, current.str().c_str());
        std::fflush(stdout);
      }
    } else {
      ++failed;
      last_error = current.str() + ": " + error_text(r, err);
      conn.reset();  // READONLY, LOADING, timeouts, closed: resolve the master again
    }
  }
  if (trigger_thread.joinable()) trigger_thread.join();
  conn.reset();
  if (!failure.empty()) {
    std::fprintf(stderr, "vigil-cli: drill failed: %s\n", failure.c_str());
    std::printf("  writes: %lld sent, %zu acknowledged\n", sent, acks.size());
    return kExitProblem;
  }
  std::printf("  +%.3f s  writer stopped; %s\n", rel() / 1000.0, trigger.message.c_str());
  std::fflush(stdout);

  // Settle: every sentinel reports the new master, and it says ROLE master.
  const long long deadline = start + triggered_at + wait_ms;
  AgreementPoller poller(opts, sentinels);
  std::optional<Endpoint> agreed;
  while (now_ms() < deadline) {
    agreed = poller.poll(*old_master);
    if (agreed && node_role(opts, *agreed) == "master") break;
    agreed.reset();
    std::this_thread::sleep_for(milliseconds(100));
  }
  if (!agreed) {
    std::fprintf(stderr, "vigil-cli: the sentinels did not settle on a new master within %g s:\n%s", opts.wait_s,
                 poller.describe().c_str());
    return kExitProblem;
  }
  const long long settled_at = rel();

  // Read every acknowledged key back from the new master.
  std::string err;
  auto check = Connection::open(*agreed, opts.timeout, opts.node_auth(), &err);
  if (!check) {
    std::fprintf(stderr, "vigil-cli: cannot reach the new master %s: %s\n", agreed->str().c_str(), err.c_str());
    return kExitProblem;
  }
  long long lost = 0;
  std::vector<long long> lost_examples;
  constexpr size_t kBatch = 200;
  for (size_t i = 0; i < acks.size(); i += kBatch) {
    std::vector<std::string> argv{"MGET"};
    const size_t end = std::min(acks.size(), i + kBatch);
    for (size_t j = i; j < end; ++j) argv.push_back(key_of(run, acks[j].n));
    auto r = check->call(argv, &err);
    if (!r || r->type != Reply::Type::kArray || r->elements.size() != end - i) {
      std::fprintf(stderr, "vigil-cli: MGET on the new master failed: %s\n",
                   r ? (r->is_error() ? r->str.c_str() : "unexpected reply") : err.c_str());
      return kExitProblem;
    }
    for (size_t j = i; j < end; ++j) {
      const Reply& e = r->elements[j - i];
      if (e.is_nil() || e.str != std::to_string(acks[j].n)) {
        ++lost;
        if (lost_examples.size() < 10) lost_examples.push_back(acks[j].n);
      }
    }
  }
  if (!opts.keep_keys) {
    for (long long i = 1; i <= sent; i += kBatch) {
      std::vector<std::string> argv{"DEL"};
      for (long long n = i; n < i + static_cast<long long>(kBatch) && n <= sent; ++n) argv.push_back(key_of(run, n));
      if (!check->call(argv, &err)) break;  // best effort
    }
  }

  // The window, from the client's side: last ack by the old master (before the
  // first ack by another node) -> first ack by the new master.
  long long last_old = -1, old_after_new = 0, acked_old = 0, acked_new = 0;
  for (const auto& a : acks) {
    if (a.on == *old_master) {
      ++acked_old;
      if (first_new_ack < 0 || a.t <= first_new_ack) last_old = std::max(last_old, a.t);
      else ++old_after_new;
    } else {
      ++acked_new;
    }
  }
  Endpoint writer_new = *agreed;
  for (const auto& a : acks)
    if (!(a.on == *old_master)) writer_new = a.on;

  std::printf("\n");
  std::printf("old master              %s\n", old_master->str().c_str());
  std::printf("new master              %s (all %zu sentinels agree at +%.3f s)\n", agreed->str().c_str(),
              sentinels.size(), settled_at / 1000.0);
  if (!(writer_new == *agreed))
    std::printf("warning                 the writer's last acks came from %s, not the agreed master\n",
                writer_new.str().c_str());
  std::printf("failover triggered      +%.3f s (%s)\n", triggered_at / 1000.0, trigger.message.c_str());
  if (last_old >= 0) {
    std::printf("unavailability window   %lld ms (last ack on old master +%.3f s, first ack on new master +%.3f s)\n",
                first_new_ack - last_old, last_old / 1000.0, first_new_ack / 1000.0);
  } else {
    std::printf("unavailability window   unknown (no ack on the old master)\n");
  }
  std::printf("writes                  %lld sent, %zu acknowledged (%lld by the old master, %lld by the new), "
              "%lld failed or unacknowledged\n",
              sent, acks.size(), acked_old, acked_new, failed);
  if (old_after_new > 0)
    std::printf("split brain             %lld writes acknowledged by the old master after the new one took writes\n",
                old_after_new);
  std::string examples;
  for (long long n : lost_examples) examples += (examples.empty() ? "" : " ") + key_of(run, n);
  std::printf("acknowledged writes lost %lld of %zu%s%s\n", lost, acks.size(), lost ? ": " : "", examples.c_str());
  std::printf("result                  window_ms=%lld acked=%zu lost=%lld sent=%lld\n",
              last_old >= 0 ? first_new_ack - last_old : -1, acks.size(), lost, sent);
  if (opts.max_lost >= 0 && lost > opts.max_lost) {
    std::fprintf(stderr, "vigil-cli: %lld acknowledged writes lost (more than --max-lost %lld)\n", lost, opts.max_lost);
    return kExitProblem;
  }
  return kExitOk;
}

}  // namespace vigil::cli

#include "faults.h"

#include <algorithm>

#include "world.h"

namespace vigil::sim {

void FaultInjector::start(FaultConfig config, Micros until) {
  config_ = config;
  until_ = until;
  schedule_next();
}

void FaultInjector::stop() {
  ++gen_;
  std::fill(cut_count_.begin(), cut_count_.end(), 0);
}

void FaultInjector::after(Micros delay, std::function<void()> fn) {
  const std::uint64_t gen = gen_;
  world_.fabric().scheduler().after(delay, [this, gen, fn = std::move(fn)]() {
    if (gen == gen_) fn();
  });
}

Micros FaultInjector::duration() {
  // Mostly short faults, sometimes long ones (longer than down-after / failover timeouts).
  const Micros max = config_.max_duration;
  if (prng_.chance(0.6)) return prng_.between(ms(200), std::max<Micros>(ms(300), max / 8));
  return prng_.between(max / 8, max);
}

void FaultInjector::schedule_next() {
  const Micros gap = prng_.between(ms(100), 2 * config_.mean_interval);
  if (world_.fabric().now() + gap >= until_) return;
  after(gap, [this]() {
    inject();
    schedule_next();
  });
}

std::string FaultInjector::describe(const std::vector<int>& group) const {
  std::string out = "{";
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (i) out += ",";
    out += world_.fabric().process(group[i])->name();
  }
  return out + "}";
}

void FaultInjector::set_cut(int from, int to, int delta) {
  const int n = world_.config().sentinels + world_.config().nodes + world_.config().clients;
  if (cut_count_.empty()) cut_count_.assign(static_cast<std::size_t>(n * n), 0);
  int& c = cut_count_[static_cast<std::size_t>(from * n + to)];
  c = std::max(0, c + delta);
  world_.fabric().network().set_blocked(from, to, c > 0);
}

void FaultInjector::cut(const std::vector<int>& from, const std::vector<int>& to, Micros d, const std::string& what) {
  world_.fabric().trace().add("FLT", what + " for " + std::to_string(d / 1000) + "ms");
  for (int a : from)
    for (int b : to)
      if (a != b) set_cut(a, b, +1);
  after(d, [this, from, to, what]() {
    world_.fabric().trace().add("FLT", "end " + what);
    for (int a : from)
      for (int b : to)
        if (a != b) set_cut(a, b, -1);
  });
}

void FaultInjector::inject() {
  auto& nodes = world_.nodes();
  auto& sentinels = world_.sentinels();
  auto& trace = world_.fabric().trace();
  const int total = world_.config().sentinels + world_.config().nodes + world_.config().clients;
  ++injected_;
  for (int attempt = 0; attempt < 8; ++attempt) {
    switch (prng_.below(12)) {
      case 0:
      case 1: {  // bipartition of every process, symmetric
        if (!config_.partitions) continue;
        std::vector<int> a, b;
        for (int p = 0; p < total; ++p) (prng_.chance(0.5) ? a : b).push_back(p);
        if (a.empty() || b.empty()) continue;
        const Micros d = duration();
        cut(a, b, d, "partition " + describe(a) + " | " + describe(b));
        cut(b, a, d, "(reverse)");
        return;
      }
      case 2: {  // isolate one process, or cut one direction only
        if (!config_.partitions) continue;
        const int p = static_cast<int>(prng_.below(static_cast<std::uint64_t>(total)));
        std::vector<int> rest;
        for (int q = 0; q < total; ++q)
          if (q != p) rest.push_back(q);
        const Micros d = duration();
        const auto mode = prng_.below(3);
        if (mode != 1) cut({p}, rest, d, (mode == 0 ? "isolate " : "mute outgoing of ") + describe({p}));
        if (mode != 2) cut(rest, {p}, d, (mode == 1 ? "mute incoming of " : "(isolate in) ") + describe({p}));
        return;
      }
      case 3: {  // Jepsen: the current master + a minority of sentinels vs everybody else
        if (!config_.partitions) continue;
        std::vector<int> minority, majority;
        SimNode* master = nullptr;
        for (auto& n : nodes)
          if (n->alive() && n->is_master()) master = n.get();
        if (!master) continue;
        for (int p = 0; p < total; ++p) {
          const bool is_sentinel = p < world_.config().sentinels;
          const bool pick = p == master->id() ||
                            (is_sentinel && static_cast<int>(minority.size()) < (world_.config().sentinels - 1) / 2 &&
                             prng_.chance(0.5)) ||
                            (!is_sentinel && p != master->id() && prng_.chance(0.2));
          (pick ? minority : majority).push_back(p);
        }
        const Micros d = duration();
        cut(minority, majority, d, "partition (master side) " + describe(minority) + " | " + describe(majority));
        cut(majority, minority, d, "(reverse)");
        return;
      }
      case 4: {  // node crash + restart
        if (!config_.node_crashes) continue;
        SimNode* n = nodes[prng_.below(nodes.size())].get();
        if (!n->alive()) continue;
        const bool keep = prng_.chance(0.7);
        const Micros d = duration();
        trace.add("FLT", "kill -9 " + n->name() + " for " + std::to_string(d / 1000) + "ms" + (keep ? "" : ", restart empty"));
        n->crash();
        after(d, [n, keep]() { n->restart(keep); });
        return;
      }
      case 5: {  // node SIGSTOP
        if (!config_.node_pauses) continue;
        SimNode* n = nodes[prng_.below(nodes.size())].get();
        if (!n->alive() || n->paused()) continue;
        const Micros d = duration();
        trace.add("FLT", "SIGSTOP " + n->name() + " for " + std::to_string(d / 1000) + "ms");
        n->pause();
        after(d, [n, &trace]() {
          if (!n->paused()) return;
          trace.add("FLT", "SIGCONT " + n->name());
          n->resume();
        });
        return;
      }
      case 6: {  // slow node
        if (!config_.slow_nodes) continue;
        SimNode* n = nodes[prng_.below(nodes.size())].get();
        const Micros delay = prng_.between(ms(50), ms(3000));
        const Micros d = duration();
        trace.add("FLT", "slow " + n->name() + " (" + std::to_string(delay / 1000) + "ms per request) for " +
                             std::to_string(d / 1000) + "ms");
        n->set_service_delay(delay);
        after(d, [n]() { n->set_service_delay(0); });
        return;
      }
      case 7: {  // sentinel crash + restart, sometimes in the middle of a batch
        if (!config_.sentinel_crashes) continue;
        SimSentinel* s = sentinels[prng_.below(sentinels.size())].get();
        if (!s->alive()) continue;
        const Micros d = duration();
        if (prng_.chance(0.4)) {
          const int index = static_cast<int>(prng_.below(4));
          trace.add("FLT", "arm crash of " + s->name() + " at effect " + std::to_string(index) + " of its next persisting batch");
          s->arm_crash_in_batch(index);
        } else {
          trace.add("FLT", "kill -9 " + s->name() + " for " + std::to_string(d / 1000) + "ms");
          s->crash();
        }
        after(d, [s]() {
          s->arm_crash_in_batch(-1);
          s->restart();
        });
        return;
      }
      case 8: {  // sentinel stall (SIGSTOP / VM pause): its clock leaps when it resumes
        if (!config_.sentinel_stalls) continue;
        SimSentinel* s = sentinels[prng_.below(sentinels.size())].get();
        if (!s->alive() || s->paused()) continue;
        const Micros d = prng_.between(ms(500), seconds(12));
        trace.add("FLT", "stall " + s->name() + " for " + std::to_string(d / 1000) + "ms");
        s->pause();
        after(d, [s]() {
          if (s->paused()) s->resume();
        });
        return;
      }
      case 9: {  // clock leap
        if (!config_.clock_jumps) continue;
        SimSentinel* s = sentinels[prng_.below(sentinels.size())].get();
        const std::int64_t leap = prng_.between(500, 20000);
        trace.add("FLT", "clock of " + s->name() + " leaps +" + std::to_string(leap) + "ms");
        s->clock_jump(leap);
        return;
      }
      case 10: {  // connection resets or latency spike
        const bool resets = prng_.chance(0.5);
        if (resets ? !config_.connection_resets : !config_.latency_spikes) continue;
        NetworkConfig bad = world_.config().network;
        if (resets) {
          bad.reset_probability = 0.002 + prng_.unit() * 0.02;
        } else {
          bad.slow_probability = 0.3 + prng_.unit() * 0.6;
          bad.slow_max = prng_.between(ms(100), ms(1500));
        }
        const Micros d = duration();
        trace.add("FLT", std::string(resets ? "connection resets" : "latency spike") + " for " + std::to_string(d / 1000) + "ms");
        world_.fabric().network().set_config(bad);
        after(d, [this]() { world_.fabric().network().set_config(world_.config().network); });
        return;
      }
      case 11: {  // operator: SENTINEL FAILOVER
        if (!config_.operator_failovers) continue;
        SimSentinel* s = sentinels[prng_.below(sentinels.size())].get();
        if (!s->alive() || s->paused()) continue;
        s->operator_failover(World::kMasterName);
        return;
      }
      default:
        break;
    }
  }
}

}  // namespace vigil::sim

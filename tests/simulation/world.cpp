#include "world.h"

namespace vigil::sim {

namespace {

std::string node_host(int i) { return "10.0.1." + std::to_string(i + 1); }
std::string sentinel_host(int i) { return "10.0.0." + std::to_string(i + 1); }

}  // namespace

World::World(WorldConfig config) : config_(std::move(config)), prng_(config_.seed) {
  const int processes = config_.sentinels + config_.nodes + config_.clients;
  fabric_ = std::make_unique<Fabric>(prng_.next(), config_.network, processes, config_.trace);
  fabric_->trace().set_verbose(config_.trace_verbose);
  invariants_ = std::make_unique<Invariants>(*fabric_);

  // Process ids: sentinels first, then nodes, then clients.
  for (int i = 0; i < config_.sentinels; ++i) {
    SentinelSpec spec;
    spec.host = sentinel_host(i);
    spec.config.port = spec.port;
    spec.config.tunables = config_.tunables;
    spec.config.vigil = config_.vigil;
    sentinel::MasterConfig m;
    m.name = kMasterName;
    m.addr = sentinel::Address{node_host(0), 6379};
    m.quorum = config_.quorum;
    m.down_after_ms = config_.down_after_ms;
    m.failover_timeout_ms = config_.failover_timeout_ms;
    m.parallel_syncs = config_.parallel_syncs;
    spec.config.masters.push_back(m);
    if (config_.customize) config_.customize(spec.config);
    // Each sentinel's wall clock starts somewhere else and drifts by up to ±200 ppm.
    LocalClock clock(prng_.between(1'000'000, 2'000'000'000), prng_.between(-200, 200));
    auto s = std::make_unique<SimSentinel>(*fabric_, *invariants_, i, spec, clock, prng_.fork());
    fabric_->add_process(s.get(), spec.host, spec.port);
    sentinels_.push_back(std::move(s));
  }
  for (int i = 0; i < config_.nodes; ++i) {
    NodeSpec spec;
    spec.host = node_host(i);
    spec.port = 6379;
    if (static_cast<std::size_t>(i) < config_.priorities.size()) spec.priority = config_.priorities[static_cast<std::size_t>(i)];
    auto n = std::make_unique<SimNode>(*fabric_, history_, config_.sentinels + i, spec, config_.node_timings, prng_.fork());
    n->on_promoted = [this](SimNode& node) { invariants_->node_promoted(node.name(), node.spec().priority); };
    fabric_->add_process(n.get(), spec.host, spec.port);
    nodes_.push_back(std::move(n));
  }
  ClientSpec client_spec;
  for (auto& s : sentinels_) client_spec.sentinels.push_back(s->id());
  client_spec.write_interval = config_.write_interval;
  for (int i = 0; i < config_.clients; ++i) {
    const ProcessId pid = config_.sentinels + config_.nodes + i;
    auto c = std::make_unique<SimClient>(*fabric_, pid, client_spec, prng_.fork());
    fabric_->add_process(c.get(), "10.0.2." + std::to_string(i + 1), 50000);
    clients_.push_back(std::move(c));
  }
  faults_ = std::make_unique<FaultInjector>(*this, prng_.fork());
}

World::~World() = default;

void World::start() {
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    std::optional<sentinel::Address> replicaof;
    if (i != 0) replicaof = nodes_[0]->address();
    nodes_[i]->boot(replicaof);
  }
  for (auto& s : sentinels_) s->boot();
  for (auto& c : clients_) c->start();
}

void World::run_for(Micros duration) {
  const Micros until = fabric_->now() + duration;
  Scheduler& sched = fabric_->scheduler();
  while (!sched.empty() && sched.next_time() < until && !invariants_->failed()) sched.run_next();
  if (!invariants_->failed()) sched.run_until(until);
}

bool World::run_until(const std::function<bool()>& done, Micros limit, Micros poll) {
  const Micros until = fabric_->now() + limit;
  while (fabric_->now() < until) {
    if (done()) return true;
    run_for(std::min(poll, until - fabric_->now()));
    if (invariants_->failed()) return false;
  }
  return done();
}

void World::heal() {
  fabric_->trace().add("FLT", "heal: network healed, every process resumed / restarted");
  faults_->stop();
  fabric_->network().heal_all();
  fabric_->network().set_config(config_.network);
  for (auto& n : nodes_) {
    n->set_service_delay(0);
    if (n->paused()) n->resume();
    if (!n->alive()) n->restart(true);
  }
  for (auto& s : sentinels_) {
    s->arm_crash_in_batch(-1);
    if (s->paused()) s->resume();
    if (!s->alive()) s->restart();
  }
}

SimNode* World::node_at(const sentinel::Address& addr) const {
  for (auto& n : nodes_)
    if (n->address() == addr) return n.get();
  return nullptr;
}

std::optional<std::string> World::convergence_problem() const {
  std::optional<sentinel::Address> agreed;
  std::uint64_t epoch = 0;
  for (auto& s : sentinels_) {
    if (!s->alive() || !s->core()) return s->name() + " is down";
    auto addr = s->core()->master_addr(kMasterName);
    auto view = s->core()->master(kMasterName);
    if (!addr || !view) return s->name() + " does not know " + std::string(kMasterName);
    if (!agreed) {
      agreed = addr;
      epoch = view->config_epoch;
    } else if (*addr != *agreed || view->config_epoch != epoch) {
      return s->name() + " says " + addr->to_name() + " epoch " + std::to_string(view->config_epoch) + ", " +
             sentinels_[0]->name() + " says " + agreed->to_name() + " epoch " + std::to_string(epoch);
    }
  }
  SimNode* master = node_at(*agreed);
  if (!master) return "agreed master " + agreed->to_name() + " is not a node";
  if (!master->alive() || !master->is_master()) return "agreed master " + agreed->to_name() + " is not a master";
  for (auto& n : nodes_) {
    if (n.get() == master) continue;
    if (!n->alive()) return n->name() + " is down";
    if (!n->master_target() || *n->master_target() != *agreed)
      return n->name() + " does not replicate from " + agreed->to_name();
    if (!n->master_link_up()) return n->name() + " has its master link down";
  }
  return std::nullopt;
}

std::uint64_t World::acked_writes() const {
  std::uint64_t total = 0;
  for (auto& c : clients_) total += c->acked().size();
  return total;
}

std::uint64_t World::lost_writes() const {
  // "The final master" is the one the sentinels name (the first live one is asked).
  const SimNode* master = nullptr;
  for (auto& s : sentinels_) {
    if (!s->alive() || !s->core()) continue;
    if (auto addr = s->core()->master_addr(kMasterName)) master = node_at(*addr);
    break;
  }
  if (!master) return acked_writes();
  const std::vector<bool> kept = history_.lineage(master->tip());
  std::uint64_t lost = 0;
  for (auto& c : clients_)
    for (WriteId w : c->acked())
      if (!kept[w]) ++lost;
  return lost;
}

}  // namespace vigil::sim

// Epochs, votes (once per epoch, durable before the reply) and leader counting.
#include <catch2/catch.hpp>

#include "cluster.h"

using namespace vigil::sentinel;
using namespace vigil::sentinel::test;

namespace {

template <typename T>
std::vector<T> of_type(const std::vector<Effect>& effects) {
  std::vector<T> out;
  for (auto& e : effects)
    if (auto* x = std::get_if<T>(&e)) out.push_back(*x);
  return out;
}

}  // namespace

TEST_CASE("vote: at most once per epoch, first requester wins, persisted", "[vote]") {
  Sentinel s(basic_config(), std::nullopt, Environment{}, 0);
  s.take_effects();
  VoteReply r1 = s.is_master_down_by_addr(10, kMaster, 5, rid('b'));
  auto effects = s.take_effects();
  CHECK(r1.leader == rid('b'));
  CHECK(r1.leader_epoch == 5);
  CHECK_FALSE(r1.down);
  CHECK(s.current_epoch() == 5);
  // The vote and the epoch are in a Persist effect the daemon writes before replying.
  auto persists = of_type<PersistEffect>(effects);
  REQUIRE_FALSE(persists.empty());
  CHECK(persists.back().state.current_epoch == 5);
  CHECK(persists.back().state.masters.at(0).leader == rid('b'));
  CHECK(persists.back().state.masters.at(0).leader_epoch == 5);
  auto events = of_type<PublishEventEffect>(effects);
  REQUIRE(events.size() == 2);
  CHECK(events[0].channel == "+new-epoch");
  CHECK(events[0].message == "5");
  CHECK(events[1].channel == "+vote-for-leader");
  CHECK(events[1].message == rid('b') + " 5");

  // Same epoch, another candidate: the stored vote is returned, nothing persisted.
  VoteReply r2 = s.is_master_down_by_addr(20, kMaster, 5, rid('c'));
  CHECK(r2.leader == rid('b'));
  CHECK(r2.leader_epoch == 5);
  CHECK(of_type<PersistEffect>(s.take_effects()).empty());
  // Older epoch: refused too.
  CHECK(s.is_master_down_by_addr(30, kMaster, 4, rid('c')).leader == rid('b'));
  // Newer epoch: new vote.
  VoteReply r3 = s.is_master_down_by_addr(40, kMaster, 6, rid('c'));
  CHECK(r3.leader == rid('c'));
  CHECK(r3.leader_epoch == 6);
  // "*" asks only for the down state and never votes.
  VoteReply r4 = s.is_master_down_by_addr(50, kMaster, 9, "*");
  CHECK(r4.leader == "*");
  CHECK(r4.leader_epoch == 0);
  CHECK(s.current_epoch() == 6);
  // Unknown master address: no vote.
  CHECK(s.is_master_down_by_addr(60, Address{"1.2.3.4", 1}, 10, rid('d')).leader == "*");
}

TEST_CASE("vote survives a restart from the persisted state", "[vote]") {
  PersistedState saved;
  {
    Sentinel s(basic_config(), std::nullopt, Environment{}, 0);
    s.is_master_down_by_addr(10, kMaster, 7, rid('b'));
    for (auto& e : s.take_effects())
      if (auto* p = std::get_if<PersistEffect>(&e)) saved = p->state;
  }
  Config cfg = basic_config();
  cfg.myid.clear();  // taken from the state
  Sentinel again(cfg, saved, Environment{}, 100);
  CHECK(again.myid() == std::string(40, 'a'));
  CHECK(again.current_epoch() == 7);
  VoteReply r = again.is_master_down_by_addr(110, kMaster, 7, rid('c'));
  CHECK(r.leader == rid('b'));  // still the first vote
  CHECK(r.leader_epoch == 7);
}

TEST_CASE("voting for another sentinel delays our own failover attempt", "[vote]") {
  Cluster c;
  c.w.s().is_master_down_by_addr(c.w.now(), kMaster, 1, rid('b'));
  c.w.drain();
  c.w.kill("127.0.0.1:6379");
  c.w.run_for(15000);
  CHECK(c.w.count_events("+odown") == 1);
  CHECK(c.w.count_events("+try-failover") == 0);  // blocked for 2 × failover-timeout
}

TEST_CASE("leader election: majority of peers grants the win", "[election]") {
  Cluster c;
  c.w.kill("127.0.0.1:6379");
  REQUIRE(c.w.run_until([&] { return c.w.count_events("+elected-leader") > 0; }, 10000));
  CHECK(c.w.last_event("+try-failover") == std::string("master mymaster 127.0.0.1 6379"));
  CHECK(c.w.last_event("+elected-leader") == std::string("master mymaster 127.0.0.1 6379"));
  auto m = c.w.s().master("mymaster");
  CHECK(m->failover_epoch == 1);
  CHECK(m->leader == std::string(40, 'a'));
  CHECK(m->leader_epoch == 1);
  CHECK(c.peer_b().voted_for == std::string(40, 'a'));
  // Vote requests carry our runid and the new epoch.
  bool vote_request_seen = false;
  for (auto& cmd : c.w.commands)
    if (cmd.argv[0] == "SENTINEL" && cmd.argv[5] == std::string(40, 'a') && cmd.argv[4] == "1")
      vote_request_seen = true;
  CHECK(vote_request_seen);
  // Elected within a tick of ODOWN: the forced ask right after +try-failover.
  CHECK(*c.w.first_event_time("+elected-leader") - *c.w.first_event_time("+odown") <= 200);
}

TEST_CASE("leader election: peers voting for someone else => not elected, abort, retry later", "[election]") {
  Cluster c;
  c.peer_b().forced_vote = rid('c');
  c.peer_c().forced_vote = rid('c');
  c.w.kill("127.0.0.1:6379");
  REQUIRE(c.w.run_until([&] { return c.w.count_events("-failover-abort-not-elected") > 0; }, 30000));
  TimeMs start = *c.w.first_event_time("+try-failover");
  TimeMs abort = *c.w.first_event_time("-failover-abort-not-elected");
  CHECK(abort - start > 10000);        // election timeout (failover_start_time has 0..999 jitter)
  CHECK(abort - start <= 11000 + 200);
  CHECK(c.w.count_events("+elected-leader") == 0);
  // Replies arrive after our tally ran (network latency): we voted for ourselves; the
  // peers' reported votes are visible on their records.
  CHECK(c.w.s().master("mymaster")->leader == std::string(40, 'a'));
  CHECK(c.w.s().sentinels("mymaster")->at(0).voted_leader == rid('c'));
  CHECK(c.w.s().sentinels("mymaster")->at(0).voted_leader_epoch == 1);
  auto m = c.w.s().master("mymaster");
  CHECK((m->flags & flag::kFailoverInProgress) == 0);
  // Next attempt only after 2 × failover-timeout (120 s here) from the start.
  c.w.run_for(100000);
  CHECK(c.w.count_events("+try-failover") == 1);
  c.w.run_for(25000);
  CHECK(c.w.count_events("+try-failover") == 2);
}

TEST_CASE("leader election: majority counts every known sentinel", "[election]") {
  Cluster c;
  // Two more known sentinels that never answer: 5 voters, majority 3.
  c.w.add_peer("10.0.0.4", 26382, rid('d')).alive = false;
  c.w.add_peer("10.0.0.5", 26383, rid('e')).alive = false;
  c.w.hello_from(c.w.peer("10.0.0.4:26382"), "mymaster", kMaster, 0, 0);
  c.w.hello_from(c.w.peer("10.0.0.5:26383"), "mymaster", kMaster, 0, 0);
  SECTION("two of four peers vote for us: 3 of 5 => elected") {
    c.w.kill("127.0.0.1:6379");
    REQUIRE(c.w.run_until([&] { return c.w.count_events("+elected-leader") > 0; }, 10000));
  }
  SECTION("one of four peers votes for us: 2 of 5 => not elected") {
    c.peer_c().votes = false;
    c.w.kill("127.0.0.1:6379");
    REQUIRE(c.w.run_until([&] { return c.w.count_events("-failover-abort-not-elected") > 0; }, 30000));
    CHECK(c.w.count_events("+elected-leader") == 0);
  }
}

TEST_CASE("hello with a bigger current epoch is adopted and persisted", "[epoch]") {
  Cluster c;
  size_t persisted = c.w.persists.size();
  c.hellos(0, 12);
  CHECK(c.w.s().current_epoch() == 12);
  CHECK(c.w.count_events("+new-epoch") == 1);
  CHECK(c.w.last_event("+new-epoch") == std::string("12"));
  REQUIRE(c.w.persists.size() > persisted);
  CHECK(c.w.persists.back().current_epoch == 12);
}

TEST_CASE("simulate-failure crash-after-election stops the sentinel", "[election]") {
  Cluster c;
  REQUIRE(c.w.s().simulate_failure({"crash-after-election"}).ok);
  CHECK_FALSE(c.w.s().simulate_failure({"bogus"}).ok);
  REQUIRE(c.w.s().simulate_failure({"crash-after-election"}).ok);
  CHECK(c.w.s().summary().simulate_failure_flags == 1);
  c.w.kill("127.0.0.1:6379");
  REQUIRE(c.w.run_until([&] { return c.w.crashed; }, 10000));
  CHECK(c.w.count_events("+elected-leader") == 1);
  CHECK(c.w.count_events("+failover-state-select-slave") == 0);
}

TEST_CASE("the new epoch is persisted before our vote requests leave", "[election]") {
  Cluster c;
  c.w.kill("127.0.0.1:6379");
  REQUIRE(c.w.run_until([&] { return c.w.count_events("+try-failover") > 0; }, 10000));
  auto& order = c.w.effect_order;
  auto try_at = std::find(order.begin(), order.end(), "event:+try-failover");
  REQUIRE(try_at != order.end());
  auto persist_at = std::find(std::make_reverse_iterator(try_at), order.rend(), "persist");
  REQUIRE(persist_at != order.rend());
  // No command left between that Persist and +try-failover; the asks come after.
  CHECK(std::find(persist_at.base(), try_at, "send:SENTINEL") == try_at);
  CHECK(std::find(try_at, order.end(), "send:SENTINEL") != order.end());
  bool epoch_persisted = false;
  for (auto& p : c.w.persists) epoch_persisted |= p.current_epoch == 1;
  CHECK(epoch_persisted);
}

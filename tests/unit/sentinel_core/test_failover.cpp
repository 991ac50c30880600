// The failover state machine: the full happy path, replica choice, each timeout/abort,
// configuration propagation and the old master's return.
#include <catch2/catch.hpp>

#include "cluster.h"

using namespace vigil::sentinel;
using namespace vigil::sentinel::test;

namespace {

bool failover_done(World& w) { return w.count_events("+failover-end") > 0 && w.s().master("mymaster")->failover_state == FailoverState::None; }

Config redis_mode() {
  Config cfg = basic_config();
  cfg.vigil.redis_compatible_timing = true;
  return cfg;
}

}  // namespace

TEST_CASE("automatic failover: the whole sequence of events", "[failover]") {
  Cluster c;
  c.w.node("127.0.0.1:6380").offset = 100;
  c.w.node("127.0.0.1:6381").offset = 200;  // most up to date: chosen
  c.w.run_for(11000);                        // INFO refresh carries the offsets
  c.w.kill("127.0.0.1:6379");
  REQUIRE(c.w.run_until([&] { return failover_done(c.w); }, 20000));

  std::vector<std::string> expected = {
      "+sdown", "+odown", "+new-epoch", "+try-failover", "+vote-for-leader", "+elected-leader",
      "+failover-state-select-slave", "+selected-slave", "+failover-state-send-slaveof-noone",
      "+failover-state-wait-promotion", "+promoted-slave", "+failover-state-reconf-slaves",
      "+switch-master", "+slave-reconf-sent", "+slave-reconf-inprog", "+slave-reconf-done",
      "+failover-end"};
  std::vector<std::string> seen;
  for (auto& e : c.w.events)
    if (std::find(expected.begin(), expected.end(), e.channel) != expected.end() &&
        std::find(seen.begin(), seen.end(), e.channel) == seen.end())
      seen.push_back(e.channel);
  CHECK(seen == expected);
  CHECK(c.w.last_event("+selected-slave") == std::string("slave 127.0.0.1:6381 127.0.0.1 6381 @ mymaster 127.0.0.1 6379"));
  CHECK(c.w.last_event("+switch-master") == std::string("mymaster 127.0.0.1 6379 127.0.0.1 6381"));
  CHECK(c.w.count_events("+switch-master") == 1);
  CHECK(c.w.last_event("+slave-reconf-done") == std::string("slave 127.0.0.1:6380 127.0.0.1 6380 @ mymaster 127.0.0.1 6379"));

  // The promotion transaction, exactly as Redis sends it.
  std::vector<std::vector<std::string>> txn;
  for (auto& cmd : c.w.commands)
    if (cmd.addr == kReplica2 && (cmd.argv[0] == "MULTI" || !txn.empty()) && txn.size() < 6) txn.push_back(cmd.argv);
  REQUIRE(txn.size() == 6);
  CHECK(txn[1] == std::vector<std::string>{"SLAVEOF", "NO", "ONE"});
  CHECK(txn[2] == std::vector<std::string>{"CONFIG", "REWRITE"});
  CHECK(txn[3] == std::vector<std::string>{"CLIENT", "KILL", "TYPE", "normal"});
  CHECK(txn[4] == std::vector<std::string>{"CLIENT", "KILL", "TYPE", "pubsub"});
  CHECK(txn[5] == std::vector<std::string>{"EXEC"});
  CHECK(c.w.count_commands("127.0.0.1:6380", {"SLAVEOF", "127.0.0.1", "6381"}) == 1);

  // Final configuration: new address, config epoch = failover epoch, old master is a replica.
  CHECK(c.w.s().master_addr("mymaster") == kReplica2);
  auto m = c.w.s().master("mymaster");
  CHECK(m->addr == kReplica2);
  CHECK(m->config_epoch == 1);
  auto replicas = c.w.s().replicas("mymaster");
  std::vector<std::string> names;
  for (auto& r : *replicas) names.push_back(r.name);
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"127.0.0.1:6379", "127.0.0.1:6380"});
  CHECK(c.w.persists.back().masters[0].settings.addr == kReplica2);
  CHECK(c.w.persists.back().masters[0].config_epoch == 1);
  // The new configuration went to the peer sentinels in a hello right at promotion.
  TimeMs promoted = *c.w.first_event_time("+promoted-slave");
  bool hello_pushed = false;
  for (auto& cmd : c.w.commands)
    if (cmd.addr.port == 26380 && cmd.argv[0] == "PUBLISH" &&
        cmd.argv[2].find(",mymaster,127.0.0.1,6381,1") != std::string::npos)
      hello_pushed = true;
  CHECK(hello_pushed);
  CHECK(*c.w.first_event_time("+switch-master") == promoted);  // vigil: switch announced at promotion
}

TEST_CASE("fast promotion polling vs Redis-compatible timing", "[failover][vigil]") {
  auto promotion_latency = [](Config cfg) {
    Cluster c(cfg);
    c.w.node("127.0.0.1:6380").promote_delay = 50;
    c.w.node("127.0.0.1:6381").promote_delay = 50;
    c.w.kill("127.0.0.1:6379");
    REQUIRE(c.w.run_until([&] { return c.w.count_events("+promoted-slave") > 0; }, 20000));
    return *c.w.first_event_time("+promoted-slave") - *c.w.first_event_time("+failover-state-wait-promotion");
  };
  TimeMs fast = promotion_latency(basic_config());
  TimeMs redis = promotion_latency(redis_mode());
  CHECK(fast <= 200);  // 100 ms polls
  CHECK(redis > fast);  // next 1 s INFO
}

TEST_CASE("Redis-compatible mode: +switch-master at failover-end, hello on the next tick", "[failover]") {
  Cluster c(redis_mode());
  c.w.kill("127.0.0.1:6379");
  REQUIRE(c.w.run_until([&] { return failover_done(c.w); }, 20000));
  CHECK(c.w.count_events("+switch-master") == 1);
  CHECK(*c.w.first_event_time("+switch-master") >= *c.w.first_event_time("+failover-end"));
  CHECK(*c.w.first_event_time("+switch-master") > *c.w.first_event_time("+promoted-slave"));
}

TEST_CASE("replica selection order: priority, offset, runid; exclusions", "[select]") {
  Cluster c;
  c.w.add_node("127.0.0.1", 6382, rid('0'));
  c.w.node("127.0.0.1:6382").master = false;
  c.w.node("127.0.0.1:6382").replica_of = kMaster;
  auto selected_after_kill = [&](const std::function<void()>& prepare) {
    prepare();
    c.w.run_for(11000);  // fresh INFO for everyone
    c.w.kill("127.0.0.1:6379");
    REQUIRE(c.w.run_until([&] { return c.w.count_events("+selected-slave") > 0; }, 20000));
    return *c.w.last_event("+selected-slave");
  };
  SECTION("lower priority wins over a bigger offset") {
    std::string s = selected_after_kill([&] {
      c.w.node("127.0.0.1:6380").priority = 10;
      c.w.node("127.0.0.1:6381").offset = 999;
    });
    CHECK(s.find("127.0.0.1:6380") != std::string::npos);
  }
  SECTION("same priority: larger offset") {
    std::string s = selected_after_kill([&] { c.w.node("127.0.0.1:6381").offset = 5; });
    CHECK(s.find("127.0.0.1:6381") != std::string::npos);
  }
  SECTION("same priority and offset: smallest runid") {
    std::string s = selected_after_kill([] {});
    CHECK(s.find("127.0.0.1:6382") != std::string::npos);  // runid 000...
  }
  SECTION("priority 0 is never promoted") {
    std::string s = selected_after_kill([&] {
      c.w.node("127.0.0.1:6382").priority = 0;
      c.w.node("127.0.0.1:6382").offset = 1000;
    });
    CHECK(s.find("127.0.0.1:6382") == std::string::npos);
  }
  SECTION("an SDOWN or disconnected replica is skipped") {
    std::string s = selected_after_kill([&] {
      c.w.node("127.0.0.1:6382").muted = true;  // will be SDOWN when the master fails
      c.w.node("127.0.0.1:6382").offset = 1000;
      c.w.node("127.0.0.1:6380").offset = 10;
    });
    CHECK(s.find("127.0.0.1:6380") != std::string::npos);
  }
}

TEST_CASE("abort: no good replica, then retry after 2 × failover-timeout", "[failover][abort]") {
  Cluster c;
  c.w.node("127.0.0.1:6380").priority = 0;
  c.w.node("127.0.0.1:6381").priority = 0;
  c.w.run_for(11000);
  c.w.kill("127.0.0.1:6379");
  REQUIRE(c.w.run_until([&] { return c.w.count_events("-failover-abort-no-good-slave") > 0; }, 20000));
  CHECK(c.w.last_event("-failover-abort-no-good-slave") == std::string("master mymaster 127.0.0.1 6379"));
  auto m = c.w.s().master("mymaster");
  CHECK(m->failover_state == FailoverState::None);
  CHECK((m->flags & flag::kFailoverInProgress) == 0);
  TimeMs first_try = *c.w.first_event_time("+try-failover");
  c.w.run_until([&] { return c.w.count_events("+try-failover") > 1; }, 130000);
  REQUIRE(c.w.count_events("+try-failover") == 2);
  TimeMs second_try = c.w.event_times.back().first;
  for (auto& [t, ch] : c.w.event_times)
    if (ch == "+try-failover") second_try = t;
  CHECK(second_try - first_try >= 120000);
  CHECK(second_try - first_try <= 121100);
}

TEST_CASE("abort: promoted replica never reports master (wait-promotion timeout)", "[failover][abort]") {
  Cluster c;
  c.w.node("127.0.0.1:6380").promote_delay = 1000000;
  c.w.node("127.0.0.1:6381").promote_delay = 1000000;
  c.w.kill("127.0.0.1:6379");
  REQUIRE(c.w.run_until([&] { return c.w.count_events("-failover-abort-slave-timeout") > 0; }, 80000));
  TimeMs waited = *c.w.first_event_time("-failover-abort-slave-timeout") - *c.w.first_event_time("+failover-state-wait-promotion");
  CHECK(waited > 60000);
  CHECK(waited <= 60200);
  auto replicas = c.w.s().replicas("mymaster");
  for (auto& r : *replicas) CHECK((r.flags & flag::kPromoted) == 0);
  CHECK(c.w.s().master_addr("mymaster") == kMaster);
}

TEST_CASE("abort: selected replica disconnected before SLAVEOF NO ONE", "[failover][abort]") {
  // One state per tick, so the replica can die between selection and SLAVEOF NO ONE
  // (with prompt steps both happen in the same tick).
  Config cfg = basic_config();
  cfg.vigil.prompt_steps = false;
  Cluster c(cfg);
  c.w.node("127.0.0.1:6381").priority = 0;  // 6380 is the only candidate
  c.w.run_for(11000);
  c.w.kill("127.0.0.1:6379");
  REQUIRE(c.w.run_until([&] { return c.w.count_events("+selected-slave") > 0; }, 20000));
  c.w.kill("127.0.0.1:6380");
  REQUIRE(c.w.run_until([&] { return c.w.count_events("-failover-abort-slave-timeout") > 0; }, 80000));
  CHECK(c.w.count_events("+failover-state-wait-promotion") == 0);
}

TEST_CASE("reconf-slaves: a replica that never moves is timed out, failover still ends", "[failover]") {
  Cluster c;
  c.w.node("127.0.0.1:6381").offset = 10;  // promoted
  c.w.run_for(11000);
  c.w.kill("127.0.0.1:6379");
  REQUIRE(c.w.run_until([&] { return c.w.count_events("+promoted-slave") > 0; }, 20000));
  c.w.node("127.0.0.1:6380").muted = true;  // receives SLAVEOF but never reports
  REQUIRE(c.w.run_until([&] { return failover_done(c.w); }, 30000));
  CHECK(c.w.count_events("+slave-reconf-sent") == 1);
  // The muted replica goes SDOWN (5 s) before the 10 s reconf timeout: not waited for.
  CHECK(c.w.count_events("+slave-reconf-done") == 0);
  CHECK(c.w.s().master_addr("mymaster") == kReplica2);
}

TEST_CASE("observer: hello with a newer config epoch switches the master", "[hello]") {
  Cluster c;
  size_t before = c.w.persists.size();
  c.hellos(0, 0);  // same epoch: nothing changes
  CHECK(c.w.count_events("+switch-master") == 0);
  // Peer b announces it failed over to 6380 in epoch 3.
  c.w.hello_from(c.peer_b(), "mymaster", kReplica1, 3, 3);
  CHECK(c.w.count_events("+config-update-from") == 1);
  CHECK(c.w.last_event("+config-update-from") == "sentinel " + rid('b') + " 10.0.0.2 26380 @ mymaster 127.0.0.1 6379");
  CHECK(c.w.last_event("+switch-master") == std::string("mymaster 127.0.0.1 6379 127.0.0.1 6380"));
  CHECK(c.w.s().master_addr("mymaster") == kReplica1);
  CHECK(c.w.s().master("mymaster")->config_epoch == 3);
  CHECK(c.w.s().current_epoch() == 3);
  CHECK(c.w.persists.size() > before);
  // An older config epoch is ignored.
  c.w.hello_from(c.peer_c(), "mymaster", kMaster, 2, 3);
  CHECK(c.w.s().master_addr("mymaster") == kReplica1);
  CHECK(c.w.count_events("+switch-master") == 1);
  // Hello for an unknown master or a malformed payload: ignored.
  c.w.s().on_hello_publish(c.w.now(), "1.2.3.4,1,x,9,other,1.1.1.1,1,99");
  c.w.s().on_hello_publish(c.w.now(), "garbage");
  c.w.drain();
  CHECK(c.w.s().current_epoch() == 3);
}

TEST_CASE("sentinel address change and runid change at the same address", "[hello]") {
  Cluster c;
  FakePeer moved = c.peer_b();
  moved.addr = Address{"10.0.0.9", 26380};
  c.w.hello_from(moved, "mymaster", kMaster, 0, 0);
  CHECK(c.w.count_events("+sentinel-address-switch") == 1);
  CHECK(c.w.last_event("+sentinel-address-switch") ==
        "master mymaster 127.0.0.1 6379 ip 10.0.0.9 port 26380 for " + rid('b'));
  CHECK(c.w.s().sentinels("mymaster")->size() == 2);
  FakePeer reborn = c.peer_c();
  reborn.runid = rid('f');
  c.w.hello_from(reborn, "mymaster", kMaster, 0, 0);
  CHECK(c.w.count_events("+sentinel-invalid-addr") == 1);
  auto sentinels = c.w.s().sentinels("mymaster");
  REQUIRE(sentinels->size() == 2);
  bool has_f = false, has_c = false;
  for (auto& s : *sentinels) {
    has_f |= s.runid == rid('f');
    has_c |= s.runid == rid('c');
  }
  CHECK(has_f);
  CHECK_FALSE(has_c);
}

TEST_CASE("old master returning as master is converted to a replica", "[failover]") {
  Cluster c;
  c.w.kill("127.0.0.1:6379");
  REQUIRE(c.w.run_until([&] { return failover_done(c.w); }, 20000));
  Address new_master = *c.w.s().master_addr("mymaster");
  FakeNode& old = c.w.node("127.0.0.1:6379");
  old.alive = true;  // restarted, still thinks it is a master
  REQUIRE(c.w.run_until([&] { return c.w.count_events("+convert-to-slave") > 0; }, 30000));
  CHECK(c.w.last_event("+convert-to-slave") ==
        "slave 127.0.0.1:6379 127.0.0.1 6379 @ mymaster " + new_master.host + " " + std::to_string(new_master.port));
  CHECK_FALSE(old.master);
  CHECK(old.replica_of == new_master);
}

TEST_CASE("replica pointing at the wrong master is fixed after failover-timeout", "[failover]") {
  Config cfg = basic_config();
  cfg.masters[0].failover_timeout_ms = 5000;
  Cluster c(cfg);
  FakeNode& r = c.w.node("127.0.0.1:6380");
  c.w.run_for(2000);
  r.replica_of = Address{"127.0.0.1", 7777};
  REQUIRE(c.w.run_until([&] { return c.w.count_events("+fix-slave-config") > 0; }, 30000));
  CHECK(r.replica_of == kMaster);
}

TEST_CASE("newer config naming our old master while we finish an older failover", "[hello][failover]") {
  // sim seed 87: we promoted 6381 in epoch 1 and sit in reconf_slaves; a peer led epoch 2
  // and promoted the old master address back. We must follow epoch 2.
  Cluster c;
  c.w.node("127.0.0.1:6381").offset = 50;
  c.w.run_for(11000);
  c.w.node("127.0.0.1:6380").muted = true;  // keeps our failover in reconf_slaves
  c.w.kill("127.0.0.1:6379");
  REQUIRE(c.w.run_until([&] { return c.w.count_events("+promoted-slave") > 0; }, 20000));
  REQUIRE(c.w.s().master("mymaster")->failover_state == FailoverState::ReconfSlaves);
  REQUIRE(c.w.s().master_addr("mymaster") == kReplica2);
  c.w.hello_from(c.peer_b(), "mymaster", kMaster, 2, 2);
  CHECK(c.w.s().master_addr("mymaster") == kMaster);
  CHECK(c.w.s().master("mymaster")->config_epoch == 2);
  CHECK(c.w.s().master("mymaster")->failover_state == FailoverState::None);
  CHECK(c.w.last_event("+switch-master") == std::string("mymaster 127.0.0.1 6381 127.0.0.1 6379"));
  c.w.run_for(5000);
  CHECK(c.w.s().master_addr("mymaster") == kMaster);  // no later switch back to 6381
}

TEST_CASE("newer config confirming the current master aborts an older failover", "[hello][failover]") {
  Cluster c;
  c.hellos(0, 5);  // current epoch 5: our failover runs in epoch 6
  for (const char* r : {"127.0.0.1:6380", "127.0.0.1:6381"}) c.w.node(r).promote_delay = 1000000;
  c.w.kill("127.0.0.1:6379");
  REQUIRE(c.w.run_until([&] { return c.w.count_events("+failover-state-wait-promotion") > 0; }, 20000));
  uint64_t epoch = c.w.s().master("mymaster")->failover_epoch;
  REQUIRE(epoch == 6);
  // A config epoch newer than ours but older than our failover does not stop us...
  c.w.hello_from(c.peer_b(), "mymaster", kMaster, 3, epoch);
  CHECK(c.w.s().master("mymaster")->config_epoch == 3);
  CHECK(c.w.s().master("mymaster")->failover_state == FailoverState::WaitPromotion);
  // ...a newer one does.
  c.w.hello_from(c.peer_b(), "mymaster", kMaster, epoch + 1, epoch + 1);
  CHECK(c.w.s().master("mymaster")->failover_state == FailoverState::None);
  CHECK(c.w.s().master_addr("mymaster") == kMaster);
  CHECK(c.w.count_events("+switch-master") == 0);
}

TEST_CASE("reconf-slaves: failover-end-for-timeout when a replica never syncs", "[failover]") {
  Config cfg = basic_config();
  cfg.masters[0].failover_timeout_ms = 15000;
  Cluster c(cfg);
  c.w.node("127.0.0.1:6381").offset = 10;  // promoted
  c.w.node("127.0.0.1:6380").link_stuck_down = true;
  c.w.run_for(11000);
  c.w.kill("127.0.0.1:6379");
  REQUIRE(c.w.run_until([&] { return c.w.count_events("+failover-end") > 0; }, 40000));
  CHECK(c.w.count_events("+slave-reconf-inprog") == 1);
  CHECK(c.w.count_events("+slave-reconf-done") == 0);
  CHECK(c.w.count_events("+failover-end-for-timeout") == 1);
  TimeMs in_reconf = *c.w.first_event_time("+failover-state-reconf-slaves");
  CHECK(*c.w.first_event_time("+failover-end") - in_reconf > 15000);
  CHECK(*c.w.first_event_time("+failover-end") - in_reconf <= 15200);
  c.w.run_for(200);
  CHECK(c.w.s().master_addr("mymaster") == kReplica2);
  CHECK(c.w.s().master("mymaster")->failover_state == FailoverState::None);
}

TEST_CASE("vigil: a replica with an unanswered PING older than a ping period is not selected", "[select][vigil]") {
  for (bool redis : {false, true}) {
    Config cfg = basic_config();
    cfg.vigil.redis_compatible_timing = redis;
    Cluster c(cfg);
    c.w.node("127.0.0.1:6381").offset = 100;  // the best candidate...
    c.w.run_for(11000);
    c.w.node("127.0.0.1:6381").muted = true;  // ...silently cut off (no RST) 2.5 s before
    c.w.run_for(2500);
    REQUIRE(c.w.s().replicas("mymaster")->at(1).last_ping_sent > 1000);
    REQUIRE(c.w.count_events("+sdown") == 0);
    REQUIRE(c.w.s().failover(c.w.now(), "mymaster").ok);
    c.w.drain();
    REQUIRE(c.w.run_until([&] { return c.w.count_events("+selected-slave") > 0; }, 2000));
    std::string chosen = *c.w.last_event("+selected-slave");
    // Redis accepts up to 5 s of silence and picks the unreachable replica.
    CHECK(chosen.find(redis ? "127.0.0.1:6381" : "127.0.0.1:6380") != std::string::npos);
  }
}

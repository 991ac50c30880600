// SDOWN / ODOWN / TILT timing, driven with explicit virtual time.
#include <catch2/catch.hpp>

#include "cluster.h"

using namespace vigil::sentinel;
using namespace vigil::sentinel::test;

TEST_CASE("discovery: replicas from INFO, sentinels from hello", "[discovery]") {
  Cluster c;
  auto replicas = c.w.s().replicas("mymaster");
  REQUIRE(replicas);
  REQUIRE(replicas->size() == 2);
  CHECK((*replicas)[0].name == "127.0.0.1:6380");
  CHECK((*replicas)[0].runid == rid('1'));
  CHECK((*replicas)[0].master_link_up);
  CHECK(c.w.count_events("+slave") == 2);
  CHECK(c.w.last_event("+slave") == std::string("slave 127.0.0.1:6381 127.0.0.1 6381 @ mymaster 127.0.0.1 6379"));
  auto sentinels = c.w.s().sentinels("mymaster");
  REQUIRE(sentinels->size() == 2);
  CHECK(c.w.count_events("+sentinel") == 2);
  CHECK(c.w.last_event("+sentinel") ==
        "sentinel " + rid('c') + " 10.0.0.3 26381 @ mymaster 127.0.0.1 6379");
  // Each discovery is persisted.
  REQUIRE_FALSE(c.w.persists.empty());
  const PersistedMaster& pm = c.w.persists.back().masters.at(0);
  CHECK(pm.known_replicas.size() == 2);
  CHECK(pm.known_sentinels.size() == 2);
  auto m = c.w.s().master("mymaster");
  CHECK(m->flags_string == "master");
  CHECK(m->runid == rid('m'));
  CHECK(m->num_slaves == 2);
  CHECK(m->num_other_sentinels == 2);
}

TEST_CASE("SDOWN after down-after of silence, not before; -sdown on recovery", "[sdown]") {
  Cluster c;
  c.peer_b().says_down = false;  // keep it a one-sentinel opinion: no failover
  c.peer_c().says_down = false;
  TimeMs killed = c.w.now();
  c.w.kill("127.0.0.1:6379");
  c.w.run_until([&] { return c.w.count_events("+sdown") > 0; }, 10000);
  auto t = c.w.first_event_time("+sdown");
  REQUIRE(t);
  CHECK(*t - killed > 5000 - 1000);  // last PONG was at most one ping period before the kill
  CHECK(*t - killed <= 5000 + 200);
  CHECK(c.w.last_event("+sdown") == std::string("master mymaster 127.0.0.1 6379"));
  CHECK(c.w.s().master("mymaster")->s_down_time.has_value());

  c.w.node("127.0.0.1:6379").alive = true;
  REQUIRE(c.w.run_until([&] { return c.w.count_events("-sdown") > 0; }, 3000));
  CHECK_FALSE(c.w.s().master("mymaster")->s_down_time.has_value());
}

TEST_CASE("SDOWN of a connected instance that stops answering PING", "[sdown]") {
  Cluster c;
  c.w.node("127.0.0.1:6380").muted = true;
  TimeMs muted = c.w.now();
  REQUIRE(c.w.run_until([&] { return c.w.count_events("+sdown") > 0; }, 8000));
  TimeMs t = *c.w.first_event_time("+sdown");
  // vigil's fast detection counts from the last PONG, at most a ping period (down-after/10)
  // plus a tick before the mute; Redis counts from the first unanswered PING.
  CHECK(t - muted > 5000 - 500 - 100);
  CHECK(t - muted <= 5000 + 100);  // the test world ticks every 100 ms
  CHECK(c.w.last_event("+sdown")->rfind("slave 127.0.0.1:6380", 0) == 0);
}

TEST_CASE("LOADING and MASTERDOWN replies count as alive", "[sdown]") {
  Cluster c;
  c.w.node("127.0.0.1:6379").ping_reply = "-LOADING Redis is loading the dataset in memory";
  c.w.run_for(8000);
  CHECK(c.w.count_events("+sdown") == 0);
  c.w.node("127.0.0.1:6379").ping_reply = "-ERR something else";
  REQUIRE(c.w.run_until([&] { return c.w.count_events("+sdown") > 0; }, 8000));
}

TEST_CASE("master reporting role:slave goes SDOWN after down-after + 2 info periods", "[sdown]") {
  Config cfg = basic_config();
  cfg.tunables.info_period = 1000;  // keep the test short: 5000 + 2*1000
  Cluster c(cfg);
  FakeNode& m = c.w.node("127.0.0.1:6379");
  m.master = false;
  m.replica_of = Address{"127.0.0.1", 9999};
  TimeMs changed = c.w.now();
  REQUIRE(c.w.run_until([&] { return c.w.count_events("+sdown") > 0; }, 12000));
  TimeMs t = *c.w.first_event_time("+sdown");
  CHECK(t - changed > 7000 - 1100);
  CHECK(t - changed <= 7000 + 1200);
  CHECK(c.w.count_events("-role-change") == 1);
  CHECK(c.w.last_event("-role-change") == std::string("master mymaster 127.0.0.1 6379 new reported role is slave"));
}

TEST_CASE("master-reboot-down-after-period: restarted master answering LOADING goes SDOWN", "[sdown]") {
  Config cfg = basic_config();
  cfg.masters[0].master_reboot_down_after_period_ms = 2000;
  Cluster c(cfg);
  FakeNode& m = c.w.node("127.0.0.1:6379");
  m.runid = rid('n');  // restarted
  m.ping_reply = "-LOADING Redis is loading the dataset in memory";
  c.w.s().set(c.w.now(), "mymaster", {"down-after-milliseconds", "5000"});
  c.w.drain();
  REQUIRE(c.w.run_until([&] { return c.w.count_events("+reboot") > 0; }, 12000));
  TimeMs reboot = *c.w.first_event_time("+reboot");
  REQUIRE(c.w.run_until([&] { return c.w.count_events("+sdown") > 0; }, 5000));
  CHECK(*c.w.first_event_time("+sdown") - reboot > 2000);
  CHECK(*c.w.first_event_time("+sdown") - reboot <= 2200);
}

TEST_CASE("ODOWN needs the quorum of sentinels reporting down", "[odown]") {
  SECTION("quorum reached") {
    Cluster c;
    c.peer_c().says_down = false;
    c.w.kill("127.0.0.1:6379");
    REQUIRE(c.w.run_until([&] { return c.w.count_events("+odown") > 0; }, 10000));
    CHECK(c.w.last_event("+odown") == std::string("master mymaster 127.0.0.1 6379 #quorum 2/2"));
    CHECK(*c.w.first_event_time("+odown") - *c.w.first_event_time("+sdown") <= 100);
    CHECK(c.w.s().master("mymaster")->o_down_time.has_value());
    CHECK(c.w.s().sentinels("mymaster")->at(0).flags_string == "sentinel,master_down");
  }
  SECTION("quorum not reached") {
    Config cfg = basic_config(3);
    Cluster c(cfg);
    c.peer_c().says_down = false;
    c.w.kill("127.0.0.1:6379");
    c.w.run_for(10000);
    CHECK(c.w.count_events("+sdown") == 1);
    CHECK(c.w.count_events("+odown") == 0);
    CHECK(c.w.count_events("+try-failover") == 0);
  }
  SECTION("peer opinions expire after 5 ask periods without replies") {
    Cluster c;
    c.w.node("127.0.0.1:6380").priority = 0;  // no promotable replica: ODOWN persists
    c.w.node("127.0.0.1:6381").priority = 0;
    c.peer_c().says_down = false;
    c.w.kill("127.0.0.1:6379");
    REQUIRE(c.w.run_until([&] { return c.w.count_events("+odown") > 0; }, 10000));
    c.peer_b().alive = false;  // stops answering
    REQUIRE(c.w.run_until([&] { return c.w.count_events("-odown") > 0; }, 7000));
  }
}

TEST_CASE("asks: only while SDOWN, at most one per ask period per peer", "[odown]") {
  Config cfg = basic_config(3);  // no ODOWN => no failover: only plain asks
  Cluster c(cfg);
  c.peer_b().says_down = false;
  c.peer_c().says_down = false;
  CHECK(c.w.count_commands("10.0.0.2:26380", {"SENTINEL", "is-master-down-by-addr"}) == 0);
  c.w.kill("127.0.0.1:6379");
  c.w.run_until([&] { return c.w.count_events("+sdown") > 0; }, 10000);
  c.w.run_for(5000);
  int asks = c.w.count_commands("10.0.0.2:26380", {"SENTINEL", "is-master-down-by-addr", "127.0.0.1", "6379"});
  CHECK(asks >= 5);
  CHECK(asks <= 7);
  // Not failing over: the runid argument is "*".
  for (auto& cmd : c.w.commands)
    if (cmd.argv[0] == "SENTINEL") CHECK(cmd.argv[5] == "*");
}

TEST_CASE("TILT: a stalled timer suspends judgement for tilt-period", "[tilt]") {
  Cluster c;
  c.w.run_for(3000, 3000);  // one 3 s gap between ticks
  CHECK(c.w.count_events("+tilt") == 1);
  CHECK(c.w.last_event("+tilt") == std::string("#tilt mode entered"));
  CHECK(c.w.s().in_tilt());
  CHECK(c.w.s().summary().tilt);
  c.w.kill("127.0.0.1:6379");
  c.w.run_for(20000);
  CHECK(c.w.count_events("+sdown") == 0);  // no SDOWN evaluation while in TILT
  // IS-MASTER-DOWN-BY-ADDR answers down=0 in TILT.
  CHECK_FALSE(c.w.s().is_master_down_by_addr(c.w.now(), kMaster, 0, "*").down);
  REQUIRE(c.w.run_until([&] { return c.w.count_events("-tilt") > 0; }, 11000));
  CHECK(*c.w.first_event_time("-tilt") - *c.w.first_event_time("+tilt") >= 30000);
  REQUIRE(c.w.run_until([&] { return c.w.count_events("+sdown") > 0; }, 1000));
}

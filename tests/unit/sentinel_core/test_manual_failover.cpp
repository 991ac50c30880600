// SENTINEL FAILOVER: forced failover without election, its errors, and vigil's lossless
// variant (write pause + catch-up) with its fallbacks.
#include <catch2/catch.hpp>

#include "cluster.h"

using namespace vigil::sentinel;
using namespace vigil::sentinel::test;

namespace {

// Index of the first command matching `prefix` sent to `addr`, or -1.
int command_index(const World& w, const Address& addr, const std::vector<std::string>& prefix, int from = 0) {
  for (size_t i = static_cast<size_t>(from); i < w.commands.size(); ++i) {
    auto& c = w.commands[i];
    if (c.addr != addr || c.argv.size() < prefix.size()) continue;
    if (std::equal(prefix.begin(), prefix.end(), c.argv.begin())) return static_cast<int>(i);
  }
  return -1;
}

bool done(World& w) {
  return w.count_events("+failover-end") > 0 && w.s().master("mymaster")->failover_state == FailoverState::None;
}

}  // namespace

TEST_CASE("SENTINEL FAILOVER errors", "[manual]") {
  Cluster c;
  CHECK(c.w.s().failover(c.w.now(), "nosuch").message == "ERR No such master with that name");
  c.w.node("127.0.0.1:6380").priority = 0;
  c.w.node("127.0.0.1:6381").priority = 0;
  c.w.run_for(11000);
  CommandResult r = c.w.s().failover(c.w.now(), "mymaster");
  CHECK_FALSE(r.ok);
  CHECK(r.message == "NOGOODSLAVE No suitable replica to promote");
  c.w.node("127.0.0.1:6380").priority = 100;
  c.w.run_for(11000);
  REQUIRE(c.w.s().failover(c.w.now(), "mymaster").ok);
  c.w.drain();
  CommandResult again = c.w.s().failover(c.w.now(), "mymaster");
  CHECK_FALSE(again.ok);
  CHECK(again.message == "INPROG Failover already in progress");
}

TEST_CASE("forced failover in Redis mode: no votes needed, no pause", "[manual]") {
  Config cfg = basic_config();
  cfg.vigil.redis_compatible_timing = true;
  Cluster c(cfg);
  c.peer_b().votes = false;
  c.peer_c().votes = false;
  REQUIRE(c.w.s().failover(c.w.now(), "mymaster").ok);
  c.w.drain();
  auto m = c.w.s().master("mymaster");
  CHECK(m->flags_string == "master,failover_in_progress,force_failover");
  REQUIRE(c.w.run_until([&] { return done(c.w); }, 20000));
  CHECK(c.w.count_events("+elected-leader") == 1);
  CHECK(c.w.count_events("+odown") == 0);
  CHECK(c.w.count_commands("127.0.0.1:6379", {"CLIENT", "PAUSE"}) == 0);
  CHECK(c.w.s().master_addr("mymaster") != kMaster);
  // Nobody was asked: the master was never SDOWN.
  CHECK(c.w.count_commands("10.0.0.2:26380", {"SENTINEL"}) == 0);
}

TEST_CASE("lossless manual failover: pause, catch up, promote, re-point old master", "[manual][vigil]") {
  Cluster c;
  FakeNode& master = c.w.node("127.0.0.1:6379");
  FakeNode& r1 = c.w.node("127.0.0.1:6380");
  FakeNode& r2 = c.w.node("127.0.0.1:6381");
  master.offset = 1000;
  r1.offset = 900;  // lagging: must catch up before promotion
  r2.offset = 500;
  c.w.run_for(11000);
  REQUIRE(c.w.s().failover(c.w.now(), "mymaster").ok);
  c.w.drain();
  REQUIRE(c.w.run_until([&] { return c.w.count_events("+selected-slave") > 0; }, 2000));
  CHECK(c.w.last_event("+selected-slave")->find("127.0.0.1:6380") != std::string::npos);
  c.w.run_for(1000);
  CHECK(master.paused);
  CHECK(c.w.count_events("+promoted-slave") == 0);  // still behind: not promoted
  CHECK(c.w.count_commands("127.0.0.1:6380", {"SLAVEOF", "NO", "ONE"}) == 0);
  r1.offset = 1000;  // replica catches up
  REQUIRE(c.w.run_until([&] { return done(c.w); }, 10000));
  CHECK(c.w.s().master_addr("mymaster") == kReplica1);
  int pause = command_index(c.w, kMaster, {"CLIENT", "PAUSE"});
  int promote = command_index(c.w, kReplica1, {"SLAVEOF", "NO", "ONE"});
  int repoint = command_index(c.w, kMaster, {"SLAVEOF", "127.0.0.1", "6380"});
  int unpause = command_index(c.w, kMaster, {"CLIENT", "UNPAUSE"});
  REQUIRE(pause >= 0);
  // 3/4 of down-after (5000): peers whose hellos the pause holds never see the master down.
  CHECK(c.w.commands[static_cast<size_t>(pause)].argv == std::vector<std::string>{"CLIENT", "PAUSE", "3750", "WRITE"});
  CHECK(promote > pause);
  CHECK(repoint > promote);
  CHECK(unpause > repoint);
  // Nothing a write pause blocks (PUBLISH) goes to the paused master before the UNPAUSE:
  // it would hold the re-point and the UNPAUSE queued behind it.
  for (int i = pause + 1; i < unpause; ++i) {
    auto& cmd = c.w.commands[static_cast<size_t>(i)];
    if (cmd.addr == kMaster) CHECK(cmd.argv[0] != "PUBLISH");
  }
  CHECK_FALSE(master.paused);
  CHECK_FALSE(master.master);
  CHECK(master.replica_of == kReplica1);
  CHECK(r2.replica_of == kReplica1);
  CHECK(c.w.count_events("+convert-to-slave") == 0);  // already re-pointed
}

TEST_CASE("lossless manual failover: replica never catches up => abort and unpause", "[manual][vigil]") {
  Cluster c;
  FakeNode& master = c.w.node("127.0.0.1:6379");
  master.offset = 1000;
  c.w.node("127.0.0.1:6380").offset = 900;
  c.w.node("127.0.0.1:6381").offset = 800;
  c.w.run_for(11000);
  REQUIRE(c.w.s().failover(c.w.now(), "mymaster").ok);
  c.w.drain();
  REQUIRE(c.w.run_until([&] { return c.w.count_events("-failover-abort-slave-timeout") > 0; }, 10000));
  TimeMs waited = *c.w.first_event_time("-failover-abort-slave-timeout") - *c.w.first_event_time("+selected-slave");
  CHECK(waited > 2500);  // catch-up timeout capped at down-after / 2
  CHECK(waited <= 2900);
  CHECK_FALSE(master.paused);
  CHECK(master.master);
  CHECK(c.w.count_commands("127.0.0.1:6380", {"SLAVEOF", "NO", "ONE"}) == 0);
  auto m = c.w.s().master("mymaster");
  CHECK(m->failover_state == FailoverState::None);
  CHECK(c.w.s().master_addr("mymaster") == kMaster);
}

TEST_CASE("lossless manual failover: pause refused => Redis path", "[manual][vigil]") {
  Cluster c;
  c.w.node("127.0.0.1:6379").accept_pause = false;
  c.w.node("127.0.0.1:6379").offset = 1000;  // replicas behind: would block a lossless failover
  REQUIRE(c.w.s().failover(c.w.now(), "mymaster").ok);
  c.w.drain();
  REQUIRE(c.w.run_until([&] { return done(c.w); }, 20000));
  CHECK(c.w.count_commands("127.0.0.1:6379", {"CLIENT", "PAUSE"}) == 1);
  CHECK(c.w.count_commands("127.0.0.1:6379", {"CLIENT", "UNPAUSE"}) == 0);
  CHECK(c.w.s().master_addr("mymaster") != kMaster);
}

TEST_CASE("crash-after-promotion", "[manual]") {
  Cluster c;
  REQUIRE(c.w.s().simulate_failure({"crash-after-promotion"}).ok);
  c.w.kill("127.0.0.1:6379");
  REQUIRE(c.w.run_until([&] { return c.w.crashed; }, 20000));
  CHECK(c.w.count_events("+promoted-slave") == 1);
  CHECK(c.w.count_events("+failover-state-reconf-slaves") == 0);
  // The promotion (config epoch) was persisted before the crash.
  CHECK(c.w.persists.back().masters[0].config_epoch == 1);
}

TEST_CASE("vigil: a manual failover needs a majority for its epoch", "[manual][vigil]") {
  Cluster c;
  SECTION("peers vote: elected, vote requests sent although the master is healthy") {
    REQUIRE(c.w.s().failover(c.w.now(), "mymaster").ok);
    c.w.drain();
    REQUIRE(c.w.run_until([&] { return c.w.count_events("+elected-leader") > 0; }, 2000));
    CHECK(c.peer_b().voted_for == std::string(40, 'a'));
    CHECK(c.peer_b().voted_epoch == 1);
  }
  SECTION("peers voted for another sentinel in this epoch: not elected, abort") {
    c.peer_b().forced_vote = rid('c');
    c.peer_c().forced_vote = rid('c');
    REQUIRE(c.w.s().failover(c.w.now(), "mymaster").ok);
    c.w.drain();
    REQUIRE(c.w.run_until([&] { return c.w.count_events("-failover-abort-not-elected") > 0; }, 15000));
    CHECK(c.w.count_events("+elected-leader") == 0);
    CHECK(c.w.s().master_addr("mymaster") == kMaster);
  }
  SECTION("partitioned from the peers: not elected, abort") {
    c.peer_b().alive = false;
    c.peer_c().alive = false;
    REQUIRE(c.w.s().failover(c.w.now(), "mymaster").ok);
    c.w.drain();
    REQUIRE(c.w.run_until([&] { return c.w.count_events("-failover-abort-not-elected") > 0; }, 15000));
    CHECK(c.w.count_events("+elected-leader") == 0);
  }
}

TEST_CASE("outbound AUTH to sentinels falls back to requirepass", "[links]") {
  Config cfg = basic_config();
  cfg.globals.requirepass = "nodepass";
  Cluster c(cfg);
  bool checked = false;
  for (auto& conn : c.w.connects) {
    if (conn.addr.port != 26380) continue;
    CHECK(conn.conn == Connection::Command);
    CHECK(conn.handshake.at(0) == std::vector<std::string>{"AUTH", "nodepass"});
    checked = true;
  }
  CHECK(checked);
  CHECK(c.w.s().persisted_state().globals.requirepass.empty());
  for (auto& kv : c.w.s().config_get("*")) CHECK(kv.second != "nodepass");
}

TEST_CASE("lossless manual failover: a replica still syncing is waited for before the pause", "[manual][vigil]") {
  Cluster c;
  FakeNode& master = c.w.node("127.0.0.1:6379");
  FakeNode& r1 = c.w.node("127.0.0.1:6380");
  c.w.node("127.0.0.1:6381").priority = 0;  // 6380 is the only candidate
  r1.link_stuck_down = true;                 // e.g. its initial sync is not done
  c.w.run_for(11000);
  REQUIRE(c.w.s().failover(c.w.now(), "mymaster").ok);
  c.w.drain();
  REQUIRE(c.w.run_until([&] { return c.w.count_events("+selected-slave") > 0; }, 3000));
  c.w.run_for(6000);  // longer than any pause may last: writes keep flowing meanwhile
  CHECK(command_index(c.w, kMaster, {"CLIENT", "PAUSE"}) < 0);
  CHECK_FALSE(master.paused);
  CHECK(c.w.count_events("-failover-abort-slave-timeout") == 0);
  r1.link_stuck_down = false;  // synced
  REQUIRE(c.w.run_until([&] { return c.w.count_events("+promoted-slave") > 0; }, 3000));
  CHECK(command_index(c.w, kMaster, {"CLIENT", "PAUSE"}) >= 0);
  CHECK(c.w.s().master_addr("mymaster") == kReplica1);
}

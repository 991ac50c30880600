// Operator commands and read-only views, checked against Redis 7.0.15's replies.
#include <catch2/catch.hpp>

#include "cluster.h"

using namespace vigil::sentinel;
using namespace vigil::sentinel::test;

TEST_CASE("SENTINEL MONITOR / REMOVE validation and events", "[commands]") {
  World w(basic_config());
  Sentinel& s = w.s();
  CHECK(s.monitor(w.now(), "x", "127.0.0.1", "abc", "2").message == "ERR Invalid port");
  CHECK(s.monitor(w.now(), "x", "127.0.0.1", "70000", "2").message == "ERR Invalid port number.");
  CHECK(s.monitor(w.now(), "x", "127.0.0.1", "-1", "2").message == "ERR Invalid port number.");
  CHECK(s.monitor(w.now(), "x", "127.0.0.1", "1", "abc").message == "ERR Invalid quorum");
  CHECK(s.monitor(w.now(), "x", "127.0.0.1", "1", "0").message == "ERR Quorum must be 1 or greater.");
  CHECK(s.monitor(w.now(), "x", "localhost", "1", "2").message == "ERR Invalid IP address or hostname specified");
  CHECK(s.monitor(w.now(), "mymaster", "127.0.0.1", "1", "2").message == "ERR Duplicate master name.");
  w.drain();
  CHECK(w.events.empty());
  CommandResult ok = s.monitor(w.now(), "other", "10.1.1.1", "7000", "3");
  REQUIRE(ok.ok);
  CHECK(ok.message == "OK");
  w.drain();
  CHECK(w.last_event("+monitor") == std::string("master other 10.1.1.1 7000 quorum 3"));
  REQUIRE_FALSE(w.persists.empty());
  CHECK(w.persists.back().masters.size() == 2);
  CHECK(s.master_names() == std::vector<std::string>{"mymaster", "other"});
  auto m = s.master("other");
  CHECK(m->down_after_ms == 30000);
  CHECK(m->failover_timeout_ms == 180000);
  CHECK(m->parallel_syncs == 1);
  CHECK(s.remove(w.now(), "nosuch").message == "ERR No such master with that name");
  REQUIRE(s.remove(w.now(), "other").ok);
  w.drain();
  CHECK(w.last_event("-monitor") == std::string("master other 10.1.1.1 7000"));
  CHECK(w.persists.back().masters.size() == 1);
  CHECK_FALSE(s.master("other"));
}

TEST_CASE("SENTINEL SET options, events, errors", "[commands]") {
  Cluster c;
  Sentinel& s = c.w.s();
  CommandResult r = s.set(c.w.now(), "mymaster", {"down-after-milliseconds", "1000", "quorum", "3", "auth-pass", "secret"});
  REQUIRE(r.ok);
  c.w.drain();
  CHECK(s.master("mymaster")->down_after_ms == 1000);
  CHECK(s.master("mymaster")->quorum == 3);
  CHECK(s.replicas("mymaster")->at(0).down_after_ms == 1000);  // propagated
  CHECK(s.sentinels("mymaster")->at(0).down_after_ms == 1000);
  CHECK(c.w.count_events("+set") == 3);
  CHECK(c.w.last_event("+set") == std::string("master mymaster 127.0.0.1 6379 auth-pass ******"));
  CHECK(c.w.persists.back().masters[0].settings.auth_pass == "secret");
  // New credentials: the master's connections are re-opened with AUTH first.
  c.w.connects.clear();
  c.w.run_for(2000);
  REQUIRE(c.w.connects.size() >= 2);
  for (auto& conn : c.w.connects) {
    if (conn.addr != kMaster) continue;
    CHECK(conn.handshake.at(0) == std::vector<std::string>{"AUTH", "secret"});
    std::string role = conn.conn == Connection::Command ? "cmd" : "pubsub";
    CHECK(conn.handshake.at(1) ==
          std::vector<std::string>{"CLIENT", "SETNAME", "sentinel-aaaaaaaa-" + role});
    if (conn.conn == Connection::PubSub)
      CHECK(conn.handshake.at(2) == std::vector<std::string>{"SUBSCRIBE", "__sentinel__:hello"});
  }
  CHECK(s.set(c.w.now(), "mymaster", {"quorum", "0"}).message == "ERR Invalid argument '0' for SENTINEL SET 'quorum'");
  CHECK(s.set(c.w.now(), "mymaster", {"parallel-syncs", "0"}).message ==
        "ERR Invalid argument '0' for SENTINEL SET 'parallel-syncs'");
  CHECK(s.set(c.w.now(), "mymaster", {"master-reboot-down-after-period", "-1"}).message ==
        "ERR Invalid argument '-1' for SENTINEL SET 'master-reboot-down-after-period'");
  CHECK(s.set(c.w.now(), "mymaster", {"foo", "1"}).message ==
        "ERR Unknown option or number of arguments for SENTINEL SET 'foo'");
  CHECK(s.set(c.w.now(), "mymaster", {"rename-command", "", "x"}).message ==
        "ERR Invalid argument '' for SENTINEL SET 'rename-command'");
  CHECK(s.set(c.w.now(), "mymaster", {"notification-script", "/bin/true"}).message ==
        "ERR Reconfiguration of scripts path is denied for security reasons. Check the "
        "deny-scripts-reconfig configuration directive in your Sentinel configuration");
  CHECK(s.set(c.w.now(), "nosuch", {"quorum", "1"}).message == "ERR No such master with that name");
  // Earlier options of a failing list stay applied (as Redis).
  CHECK_FALSE(s.set(c.w.now(), "mymaster", {"failover-timeout", "5000", "quorum", "x"}).ok);
  CHECK(s.master("mymaster")->failover_timeout_ms == 5000);
  // rename-command applies to everything sent to the master and its replicas.
  REQUIRE(s.set(c.w.now(), "mymaster", {"rename-command", "PING", "XPING"}).ok);
  c.w.drain();
  CHECK(c.w.last_event("+set") == std::string("master mymaster 127.0.0.1 6379 rename-command PING XPING"));
  c.w.commands.clear();
  c.w.run_for(3000);
  CHECK(c.w.count_commands("127.0.0.1:6380", {"XPING"}) > 0);
  CHECK(c.w.count_commands("127.0.0.1:6380", {"PING"}) == 0);
}

TEST_CASE("SENTINEL SET scripts when allowed; notification script on WARNING events", "[commands]") {
  Config cfg = basic_config();
  cfg.globals.deny_scripts_reconfig = false;
  World w(cfg);
  REQUIRE(w.s().set(w.now(), "mymaster", {"notification-script", "/usr/local/bin/notify"}).ok);
  w.drain();
  REQUIRE_FALSE(w.scripts.empty());  // the +set event itself is a WARNING with an instance
  CHECK(w.scripts.back().argv ==
        std::vector<std::string>{"/usr/local/bin/notify", "+set",
                                 "master mymaster 127.0.0.1 6379 notification-script /usr/local/bin/notify"});
  CHECK(w.s().master("mymaster")->notification_script == "/usr/local/bin/notify");
}

TEST_CASE("SENTINEL SET script path validation uses Environment::is_executable", "[commands]") {
  Config cfg = basic_config();
  cfg.globals.deny_scripts_reconfig = false;
  Environment env;
  env.is_executable = [](const std::string& p) { return p == "/ok"; };
  Sentinel s(cfg, std::nullopt, env, 0);
  CHECK(s.set(0, "mymaster", {"client-reconfig-script", "/nope"}).message ==
        "ERR Client reconfiguration script seems non existing or non executable");
  CHECK(s.set(0, "mymaster", {"notification-script", "/nope"}).message ==
        "ERR Notification script seems non existing or non executable");
  CHECK(s.set(0, "mymaster", {"client-reconfig-script", "/ok"}).ok);
  CHECK(s.set(0, "mymaster", {"client-reconfig-script", ""}).ok);  // clears
  CHECK(s.master("mymaster")->client_reconfig_script.empty());
}

TEST_CASE("client-reconfig script runs at promotion with role leader", "[commands]") {
  Config cfg = basic_config();
  cfg.masters[0].client_reconfig_script = "/reconf";
  Cluster c(cfg);
  c.w.node("127.0.0.1:6381").priority = 0;
  c.w.run_for(11000);
  c.w.kill("127.0.0.1:6379");
  REQUIRE(c.w.run_until([&] { return c.w.count_events("+promoted-slave") > 0; }, 20000));
  bool found = false;
  for (auto& sc : c.w.scripts)
    if (sc.kind == RunScriptEffect::Kind::ClientReconfig)
      found = sc.argv == std::vector<std::string>{"/reconf", "mymaster", "leader", "start", "127.0.0.1", "6379",
                                                  "127.0.0.1", "6380"};
  CHECK(found);
}

TEST_CASE("SENTINEL CKQUORUM", "[commands]") {
  Cluster c;
  CHECK(c.w.s().ckquorum("mymaster").message ==
        "OK 3 usable Sentinels. Quorum and failover authorization can be reached");
  CHECK(c.w.s().ckquorum("nosuch").message == "ERR No such master with that name");
  Config cfg = basic_config(2);
  World lonely(cfg);
  CHECK(lonely.s().ckquorum("mymaster").message ==
        "NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the specified quorum for this master");
  c.peer_b().alive = false;
  c.peer_c().alive = false;
  c.w.run_for(8000);  // both peers SDOWN
  CommandResult r = c.w.s().ckquorum("mymaster");
  CHECK_FALSE(r.ok);
  CHECK(r.message ==
        "NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the specified quorum for this "
        "master. Not enough available Sentinels to reach the majority and authorize a failover");
}

TEST_CASE("SENTINEL RESET forgets replicas and sentinels", "[commands]") {
  Cluster c;
  CHECK(c.w.s().reset(c.w.now(), "nosuch*") == 0);
  CHECK(c.w.s().reset(c.w.now(), "my*") == 1);
  c.w.drain();
  CHECK(c.w.last_event("+reset-master") == std::string("master mymaster 127.0.0.1 6379"));
  CHECK(c.w.s().replicas("mymaster")->empty());
  CHECK(c.w.s().sentinels("mymaster")->empty());
  CHECK(c.w.persists.back().masters[0].known_sentinels.empty());
  c.w.run_for(2000);  // rediscovered from INFO
  CHECK(c.w.s().replicas("mymaster")->size() == 2);
}

TEST_CASE("SENTINEL CONFIG GET/SET", "[commands]") {
  World w(basic_config());
  Sentinel& s = w.s();
  auto all = s.config_get("*");
  REQUIRE(all.size() == 6);
  CHECK(all[0] == std::pair<std::string, std::string>{"resolve-hostnames", "no"});
  CHECK(all[2] == std::pair<std::string, std::string>{"announce-ip", "10.0.0.1"});
  CHECK(all[3] == std::pair<std::string, std::string>{"announce-port", "0"});
  CHECK(s.config_get("ANNOUNCE-*").size() == 3);
  CHECK(s.config_set(w.now(), "announce-port", "70000").message ==
        "ERR Invalid value '70000' to SENTINEL CONFIG SET 'announce-port'");
  CHECK(s.config_set(w.now(), "foo", "1").message == "ERR Invalid argument 'foo' to SENTINEL CONFIG SET");
  CHECK(s.config_set(w.now(), "resolve-hostnames", "maybe").message ==
        "ERR Invalid value 'maybe' to SENTINEL CONFIG SET 'resolve-hostnames'");
  REQUIRE(s.config_set(w.now(), "resolve-hostnames", "yes").ok);
  REQUIRE(s.config_set(w.now(), "announce-port", "26999").ok);
  w.drain();
  CHECK(w.persists.back().globals.resolve_hostnames);
  CHECK(w.persists.back().globals.announce_port == 26999);
  CHECK(s.monitor(w.now(), "byname", "db.example", "6379", "2").ok);  // hostnames now accepted
}

TEST_CASE("SENTINEL DEBUG and SIMULATE-FAILURE", "[commands]") {
  World w(basic_config());
  Sentinel& s = w.s();
  auto d = s.debug_get();
  REQUIRE(d.size() >= 13);
  CHECK(d[0] == std::pair<std::string, int64_t>{"INFO-PERIOD", 10000});
  CHECK(d[12] == std::pair<std::string, int64_t>{"SCRIPT-RETRY-DELAY", 30000});
  CHECK(s.debug_set({"info-period", "0"}).message == "ERR Invalid argument '0' for SENTINEL DEBUG 'info-period'");
  CHECK(s.debug_set({"foo", "1"}).message == "ERR Unknown option or number of arguments for SENTINEL DEBUG 'foo'");
  CHECK(s.debug_set({"info-period"}).message ==
        "ERR Unknown option or number of arguments for SENTINEL DEBUG 'info-period'");
  REQUIRE(s.debug_set({"ping-period", "500", "vigil-push-config", "0"}).ok);
  CHECK(s.config().tunables.ping_period == 500);
  CHECK_FALSE(s.config().vigil.push_config);
  CHECK(s.simulate_failure({"bogus"}).message == "ERR Unknown failure simulation specified");
}

TEST_CASE("views: SENTINEL MASTER fields in Redis order", "[views]") {
  Cluster c;
  auto fields = redis_fields(*c.w.s().master("mymaster"));
  std::vector<std::string> keys;
  for (auto& [k, v] : fields) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"name", "ip", "port", "runid", "flags", "link-pending-commands",
                                         "link-refcount", "last-ping-sent", "last-ok-ping-reply", "last-ping-reply",
                                         "down-after-milliseconds", "info-refresh", "role-reported",
                                         "role-reported-time", "config-epoch", "num-slaves", "num-other-sentinels",
                                         "quorum", "failover-timeout", "parallel-syncs"});
  CHECK(fields[2].second == "6379");
  CHECK(fields[4].second == "master");
  auto replica = redis_fields(c.w.s().replicas("mymaster")->at(0));
  std::vector<std::string> rkeys;
  for (auto& [k, v] : replica) rkeys.push_back(k);
  CHECK(std::vector<std::string>(rkeys.end() - 7, rkeys.end()) ==
        std::vector<std::string>{"master-link-down-time", "master-link-status", "master-host", "master-port",
                                 "slave-priority", "slave-repl-offset", "replica-announced"});
  auto sentinel = redis_fields(c.w.s().sentinels("mymaster")->at(0));
  CHECK(sentinel.back().first == "voted-leader-epoch");
  CHECK(sentinel[sentinel.size() - 2] == std::pair<std::string, std::string>{"voted-leader", "?"});
  CHECK(std::find_if(sentinel.begin(), sentinel.end(), [](auto& kv) { return kv.first == "info-refresh"; }) ==
        sentinel.end());
  // SDOWN adds s-down-time; a failover adds failover-state.
  c.w.kill("127.0.0.1:6379");
  c.w.run_until([&] { return c.w.count_events("+elected-leader") > 0; }, 10000);
  auto during = redis_fields(*c.w.s().master("mymaster"));
  std::vector<std::string> dkeys;
  for (auto& [k, v] : during) dkeys.push_back(k);
  CHECK(dkeys[7] == "failover-state");
  CHECK(std::find(dkeys.begin(), dkeys.end(), "s-down-time") != dkeys.end());
  CHECK(std::find(dkeys.begin(), dkeys.end(), "o-down-time") != dkeys.end());
  CHECK(during[4].second == "s_down,o_down,master,disconnected,failover_in_progress");
}

TEST_CASE("views: INFO sentinel summary and INFO-CACHE", "[views]") {
  Cluster c;
  SentinelSummary sum = c.w.s().summary();
  CHECK_FALSE(sum.tilt);
  CHECK(sum.tilt_since_seconds == -1);
  REQUIRE(sum.masters.size() == 1);
  CHECK(sum.masters[0].status == "ok");
  CHECK(sum.masters[0].slaves == 2);
  CHECK(sum.masters[0].sentinels == 3);
  auto cache = c.w.s().info_cache("mymaster");
  REQUIRE(cache);
  REQUIRE(cache->size() == 3);
  REQUIRE((*cache)[0].info);
  CHECK((*cache)[0].info->find("role:master") != std::string::npos);
  CHECK_FALSE(c.w.s().info_cache("nosuch"));
}

TEST_CASE("restart restores known replicas, sentinels, epochs and address", "[persist]") {
  Cluster c;
  c.w.kill("127.0.0.1:6379");
  REQUIRE(c.w.run_until([&] { return c.w.count_events("+failover-end") > 0; }, 20000));
  c.w.run_for(1000);
  PersistedState saved = c.w.s().persisted_state();
  CHECK(saved.masters[0].settings.addr == *c.w.s().master_addr("mymaster"));
  Sentinel again(basic_config(), saved, Environment{}, 0);
  CHECK(again.current_epoch() == c.w.s().current_epoch());
  CHECK(again.master_addr("mymaster") == c.w.s().master_addr("mymaster"));
  CHECK(again.master("mymaster")->config_epoch == 1);
  CHECK(again.replicas("mymaster")->size() == 2);
  CHECK(again.sentinels("mymaster")->size() == 2);
}

TEST_CASE("a generated myid is 40 hex chars and persisted at once", "[persist]") {
  Config cfg = basic_config();
  cfg.myid.clear();
  Sentinel s(cfg, std::nullopt, Environment{}, 0);
  REQUIRE(s.myid().size() == 40);
  CHECK(s.myid().find_first_not_of("0123456789abcdef") == std::string::npos);
  auto effects = s.take_effects();
  REQUIRE(effects.size() == 1);
  CHECK(std::get<PersistEffect>(effects[0]).state.myid == s.myid());
}

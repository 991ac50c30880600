// Replication directives: replicaof/slaveof parsing, aliases, CONFIG REWRITE of the role.
#include <catch2/catch.hpp>

#include "common/config/registry.h"
#include "common/config/rewrite.h"
#include "node/replication/replication_config.h"

using vigil::node::replication::ReplicationConfig;
using vigil::node::replication::register_replication_config;

TEST_CASE("replicaof directive and its alias", "[repl][config]") {
  vigil::config::ConfigRegistry reg;
  ReplicationConfig cfg;
  register_replication_config(reg, cfg);
  REQUIRE_FALSE(cfg.is_replica());

  auto* p = reg.find("slaveof");
  REQUIRE(p != nullptr);
  REQUIRE(p->name == "replicaof");
  std::string err;
  REQUIRE(p->set({"10.0.0.1", "6380"}, &err) == 1);
  REQUIRE(cfg.is_replica());
  REQUIRE(p->get() == "10.0.0.1 6380");
  REQUIRE(p->set({"h", "99999"}, &err) == 0);
  REQUIRE(err == "Invalid master port");
  REQUIRE(p->set({"NO", "ONE"}, &err) == 1);
  REQUIRE_FALSE(cfg.is_replica());

  // Aliases of the typed parameters.
  REQUIRE(reg.find("slave-read-only") == reg.find("replica-read-only"));
  REQUIRE(reg.find("min-slaves-to-write") == reg.find("min-replicas-to-write"));
  REQUIRE(reg.config_set({"slave-priority", "7"}).empty());
  REQUIRE(cfg.replica_priority == 7);
  REQUIRE(reg.config_set({"replicaof", "a 1"}).find("immutable") != std::string::npos);
}

TEST_CASE("CONFIG REWRITE writes the replicaof line of a replica only", "[repl][config]") {
  vigil::config::ConfigRegistry reg;
  ReplicationConfig cfg;
  register_replication_config(reg, cfg);
  auto rewrite = [&](const std::string& old) {
    vigil::config::ConfigRewriter rw(old, [&](std::string_view n) { return reg.knows(n); },
                                     [&](std::string_view n) { return reg.canonical(n); });
    reg.rewrite(rw);
    return rw.content();
  };
  cfg.replicaof_host = "127.0.0.1";
  cfg.replicaof_port = 7000;
  REQUIRE(rewrite("port 1\n").find("replicaof 127.0.0.1 7000\n") != std::string::npos);
  cfg.replicaof_host.clear();
  cfg.replicaof_port = 0;
  std::string out = rewrite("port 1\nslaveof 127.0.0.1 7000\n");
  REQUIRE(out.find("slaveof") == std::string::npos);
  REQUIRE(out.find("replicaof") == std::string::npos);
}

#include <catch2/catch.hpp>

#include "redis70_info_samples.h"
#include "sentinel/core/info_parser.h"

using namespace vigil::sentinel;

TEST_CASE("INFO of a real Redis 7.0 master", "[info]") {
  InfoReport r = parse_info(testdata::crlf(testdata::kRedis70MasterInfo));
  REQUIRE(r.run_id == std::string("7fd24ca107e9a0185b88f03a4ba2cb01202721b8"));
  REQUIRE(r.role == ReportedRole::Master);
  REQUIRE(r.replicas.size() == 1);
  CHECK(r.replicas[0].ip == "127.0.0.1");
  CHECK(r.replicas[0].port == 51647);
  CHECK(r.master_repl_offset == int64_t(50));
  CHECK(r.master_link_down_time == 0);
  CHECK_FALSE(r.master_host.has_value());  // replica fields only after role:slave
  CHECK_FALSE(r.slave_priority.has_value());
}

TEST_CASE("INFO of a real Redis 7.0 replica", "[info]") {
  InfoReport r = parse_info(testdata::crlf(testdata::kRedis70ReplicaInfo));
  REQUIRE(r.run_id == std::string("c873a311ec2ce615430b266846a8c1f443a34d27"));
  REQUIRE(r.role == ReportedRole::Slave);
  CHECK(r.replicas.empty());
  CHECK(r.master_host == std::string("127.0.0.1"));
  CHECK(r.master_port == 52583);
  CHECK(r.master_link_up == true);
  CHECK(r.slave_priority == 50);
  CHECK(r.slave_repl_offset == int64_t(50));
  CHECK(r.replica_announced == true);
  CHECK(r.master_link_down_time == 0);
}

TEST_CASE("INFO: link down since, never connected, pre-2.8 replica lines", "[info]") {
  InfoReport down = parse_info(
      "role:slave\r\nmaster_host:10.0.0.5\r\nmaster_port:7000\r\nmaster_link_status:down\r\n"
      "master_link_down_since_seconds:12\r\n");
  CHECK(down.master_link_up == false);
  CHECK(down.master_link_down_time == 12000);
  InfoReport never = parse_info("role:slave\r\nmaster_link_down_since_seconds:-1\r\n");
  CHECK(never.master_link_down_time == -1000);  // passes Redis's filter (reference §14.4)
  InfoReport old = parse_info("role:master\r\nslave0:10.1.1.1,6380,online\r\nslave1:10.1.1.2,6381\r\n");
  REQUIRE(old.replicas.size() == 1);  // the second line lacks the state field
  CHECK(old.replicas[0].ip == "10.1.1.1");
  CHECK(old.replicas[0].port == 6380);
}

TEST_CASE("INFO: garbage never crashes and yields nothing", "[info]") {
  for (const char* text : {"", "\r\n", "run_id:short", "slave", "slave0:", "slave0:ip=", "role:", "\r\r\n\n",
                           "slave9:ip=1.2.3.4", "master_link_down_since_seconds:zz"}) {
    InfoReport r = parse_info(text);
    CHECK(r.role == ReportedRole::Unknown);
    CHECK_FALSE(r.run_id.has_value());
  }
  InfoReport noport = parse_info("role:master\r\nslave0:ip=1.2.3.4,state=online\r\n");
  CHECK(noport.replicas.empty());
}

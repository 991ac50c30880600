#include <catch2/catch.hpp>

#include "sentinel/core/hello.h"
#include "sentinel/core/text.h"
#include "sentinel/core/types.h"

using namespace vigil::sentinel;

TEST_CASE("hello payload round trip and rejection", "[hello]") {
  Hello h{"10.0.0.1", 26379, std::string(40, 'b'), 7, "mymaster", "127.0.0.1", 6379, 3};
  std::string payload = format_hello(h);
  CHECK(payload == "10.0.0.1,26379," + std::string(40, 'b') + ",7,mymaster,127.0.0.1,6379,3");
  auto back = parse_hello(payload);
  REQUIRE(back);
  CHECK(back->sentinel_port == 26379);
  CHECK(back->current_epoch == 7);
  CHECK(back->master_name == "mymaster");
  CHECK(back->master_config_epoch == 3);
  CHECK_FALSE(parse_hello("a,b,c"));
  CHECK_FALSE(parse_hello(payload + ",extra"));
  CHECK_FALSE(parse_hello(""));
  auto junk = parse_hello("x,y,z,w,m,i,p,e");  // 8 fields: numbers read as 0 like Redis
  REQUIRE(junk);
  CHECK(junk->sentinel_port == 0);
  CHECK(junk->current_epoch == 0);
}

TEST_CASE("strict integers, prefixes, glob, IP literals", "[text]") {
  CHECK(text::parse_int64("42") == int64_t(42));
  CHECK(text::parse_int64("-7") == int64_t(-7));
  CHECK_FALSE(text::parse_int64("007"));
  CHECK_FALSE(text::parse_int64("4x"));
  CHECK_FALSE(text::parse_int64(""));
  CHECK_FALSE(text::parse_int64("99999999999999999999"));
  CHECK(text::atoll_prefix("12abc") == 12);
  CHECK(text::atoll_prefix("-1") == -1);
  CHECK(text::atoll_prefix("x") == 0);
  CHECK(text::glob_match("*", "mymaster", false));
  CHECK(text::glob_match("my*", "mymaster", false));
  CHECK(text::glob_match("m?master", "mymaster", false));
  CHECK(text::glob_match("[lm]ymaster", "mymaster", false));
  CHECK_FALSE(text::glob_match("other*", "mymaster", false));
  CHECK(text::glob_match("ANNOUNCE-*", "announce-ip", true));
  CHECK_FALSE(text::glob_match("*", "", false));  // Redis 7.0 quirk
  CHECK(text::is_ip_literal("127.0.0.1"));
  CHECK(text::is_ip_literal("::1"));
  CHECK(text::is_ip_literal("fe80::1:2"));
  CHECK(text::is_ip_literal("2001:db8:0:0:0:0:2:1"));
  CHECK_FALSE(text::is_ip_literal("localhost"));
  CHECK_FALSE(text::is_ip_literal("256.1.1.1"));
  CHECK_FALSE(text::is_ip_literal("1.2.3"));
}

TEST_CASE("addresses and flags strings", "[types]") {
  CHECK(Address{"Host", 1} == Address{"host", 1});
  CHECK(Address{"host", 1} != Address{"host", 2});
  CHECK(Address{"127.0.0.1", 6380}.to_name() == "127.0.0.1:6380");
  CHECK(Address{"::1", 6380}.to_name() == "[::1]:6380");
  CHECK(flags_to_string(flag::kMaster | flag::kSDown | flag::kODown, false) == "s_down,o_down,master");
  CHECK(flags_to_string(flag::kSlave | flag::kPromoted, true) == "slave,disconnected,promoted");
  CHECK(flags_to_string(flag::kMasterReboot, false) == "");  // not printed in 7.0
}

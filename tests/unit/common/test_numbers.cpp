#include <catch2/catch.hpp>

#include <climits>

#include "common/util/numbers.h"

using namespace vigil::util;

TEST_CASE("string2ll follows Redis exactly", "[util][numbers]") {
  long long v = 7;
  REQUIRE(string2ll("0", &v));
  REQUIRE(v == 0);
  REQUIRE(string2ll("-1", &v));
  REQUIRE(v == -1);
  REQUIRE(string2ll("9223372036854775807", &v));
  REQUIRE(v == LLONG_MAX);
  REQUIRE(string2ll("-9223372036854775808", &v));
  REQUIRE(v == LLONG_MIN);
  for (const char* bad : {"", "-", "+1", " 1", "1 ", "01", "-0", "00", "1a", "9223372036854775808",
                          "-9223372036854775809", "99999999999999999999", "1.0", "0x10"}) {
    INFO(bad);
    REQUIRE_FALSE(string2ll(bad, &v));
  }
  REQUIRE_FALSE(string2ll(std::string_view("1\0", 2), &v));
  REQUIRE(parse_ll("123") == 123);
  REQUIRE_FALSE(parse_ll("x").has_value());
}

TEST_CASE("string2d / string2ld as getDoubleFromObject", "[util][numbers]") {
  double d;
  REQUIRE(string2d("1.5", &d));
  REQUIRE(d == 1.5);
  REQUIRE(string2d("+1e3", &d));
  REQUIRE(d == 1000);
  REQUIRE(string2d("inf", &d));
  REQUIRE(string2d("-inf", &d));
  for (const char* bad : {"", " 1", "1 ", "nan", "abc", "1e400", "1e-400", "1.5x"}) {
    INFO(bad);
    REQUIRE_FALSE(string2d(bad, &d));
  }
  long double ld;
  REQUIRE(string2ld("10.5", &ld));
  REQUIRE(ld == 10.5L);
  REQUIRE_FALSE(string2ld(" 1", &ld));
  REQUIRE_FALSE(string2ld("nan", &ld));
  REQUIRE_FALSE(string2ld(std::string(6000, '1'), &ld));
}

TEST_CASE("ld2string human mode as INCRBYFLOAT prints", "[util][numbers]") {
  REQUIRE(ld2string(10.5L, LdMode::kHuman) == "10.5");
  REQUIRE(ld2string(3.0L, LdMode::kHuman) == "3");
  REQUIRE(ld2string(-0.0L, LdMode::kHuman) == "0");
  REQUIRE(ld2string(5.0e3L, LdMode::kHuman) == "5000");
  REQUIRE(ld2string(10.5L + 0.1L, LdMode::kHuman) == "10.6");
  REQUIRE(ld2string(1.0L / 0.0L, LdMode::kHuman) == "inf");
  REQUIRE(ld2string(1.5L, LdMode::kAuto) == "1.5");
}

TEST_CASE("memtoll / memtoull units", "[util][numbers]") {
  REQUIRE(memtoll("1gb") == 1024LL * 1024 * 1024);
  REQUIRE(memtoll("100mb") == 100LL * 1024 * 1024);
  REQUIRE(memtoll("10k") == 10000);
  REQUIRE(memtoll("10KB") == 10240);
  REQUIRE(memtoll("5") == 5);
  REQUIRE(memtoll("-5") == -5);
  REQUIRE(memtoll("1g") == 1000000000LL);
  REQUIRE_FALSE(memtoll("1tb").has_value());
  REQUIRE_FALSE(memtoll("abc").has_value());
  REQUIRE(memtoull("007mb") == 7ULL * 1024 * 1024);
  REQUIRE_FALSE(memtoull("-1").has_value());
  REQUIRE_FALSE(memtoull("1.5gb").has_value());
}

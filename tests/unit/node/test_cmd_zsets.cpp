// Sorted-set commands against a running vigil-node (replies as redis-server 7.0.15).
#include <catch2/catch.hpp>

#include "test_cmd_support.h"

using vigil::test::NodeProcess;

TEST_CASE("ZADD flags and their conflicts", "[cmd][zsets]") {
  NodeProcess n;
  REQUIRE(n({"ZADD", "z", "1", "a", "2", "b", "3", "c"}) == "3");
  REQUIRE(n({"ZADD", "z", "CH", "5", "a"}) == "1");
  REQUIRE(n({"ZADD", "z", "NX", "9", "a", "9", "d"}) == "1");
  REQUIRE(n({"ZADD", "z", "GT", "CH", "1", "b"}) == "0");
  REQUIRE(n({"ZADD", "z", "INCR", "5", "b"}) == "7");
  REQUIRE(n({"ZADD", "z", "INCR", "GT", "-100", "b"}) == "(nil)");
  REQUIRE(n({"ZADD", "z", "NX", "XX", "1", "a"}) == "ERR XX and NX options at the same time are not compatible");
  REQUIRE(n({"ZADD", "z", "GT", "LT", "1", "a"}) == "ERR GT, LT, and/or NX options at the same time are not compatible");
  REQUIRE(n({"ZADD", "z", "INCR", "1", "a", "2", "b"}) == "ERR INCR option supports a single increment-element pair");
  REQUIRE(n({"ZADD", "z", "1", "a", "2"}) == "ERR syntax error");
  REQUIRE(n({"ZADD", "z", "nan", "a"}) == "ERR value is not a valid float");
  REQUIRE(n({"ZADD", "z", "inf", "p"}) == "1");
  REQUIRE(n({"ZADD", "z", "INCR", "-inf", "p"}) == "ERR resulting score is not a number (NaN)");
  REQUIRE(n({"ZADD", "nz", "XX", "1", "a"}) == "0");
  REQUIRE(n({"EXISTS", "nz"}) == "0");
  REQUIRE(n({"ZADD", "zz", "1.1", "a", "-0", "d"}) == "2");
  REQUIRE(n({"ZRANGE", "zz", "0", "-1", "WITHSCORES"}) == "[d,0,a,1.1000000000000001]");
  REQUIRE(n({"ZINCRBY", "zz", "abc", "a"}) == "ERR value is not a valid float");
}

TEST_CASE("ZRANGE forms, LIMIT and lexicographic ranges", "[cmd][zsets]") {
  NodeProcess n;
  REQUIRE(n({"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"}) == "4");
  REQUIRE(n({"ZRANGE", "z", "0", "1", "REV"}) == "[d,c]");
  REQUIRE(n({"ZRANGE", "z", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "1", "2"}) == "[c,b]");
  REQUIRE(n({"ZRANGE", "z", "(1", "10", "BYSCORE", "LIMIT", "1", "2", "WITHSCORES"}) == "[c,3,d,4]");
  REQUIRE(n({"ZRANGE", "z", "1", "10", "BYSCORE", "LIMIT", "-1", "2"}) == "[]");
  REQUIRE(n({"ZRANGE", "z", "0", "-1", "LIMIT", "0", "1"}) ==
          "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
  REQUIRE(n({"ZRANGE", "z", "0", "-1", "BYLEX", "WITHSCORES"}) ==
          "ERR syntax error, WITHSCORES not supported in combination with BYLEX");
  REQUIRE(n({"ZRANGEBYSCORE", "z", "a", "b"}) == "ERR min or max is not a float");
  REQUIRE(n({"ZRANGEBYSCORE", "z", "-inf", "+inf", "REV"}) == "ERR syntax error");
  REQUIRE(n({"ZREVRANGEBYSCORE", "z", "3", "1"}) == "[c,b,a]");
  REQUIRE(n({"ZCOUNT", "z", "(1", "3"}) == "2");
  REQUIRE(n({"ZRANK", "z", "c"}) == "2");
  REQUIRE(n({"ZREVRANK", "z", "c"}) == "1");
  REQUIRE(n({"ZADD", "lex", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e"}) == "5");
  REQUIRE(n({"ZRANGEBYLEX", "lex", "[b", "(e"}) == "[b,c,d]");
  REQUIRE(n({"ZREVRANGEBYLEX", "lex", "[e", "(b"}) == "[e,d,c]");
  REQUIRE(n({"ZRANGEBYLEX", "lex", "a", "b"}) == "ERR min or max not valid string range item");
  REQUIRE(n({"ZLEXCOUNT", "lex", "-", "+"}) == "5");
  REQUIRE(n({"ZRANGESTORE", "dst", "z", "0", "1"}) == "2");
  REQUIRE(n({"ZRANGESTORE", "dst", "z", "10", "20"}) == "0");
  REQUIRE(n({"EXISTS", "dst"}) == "0");
}

TEST_CASE("ZREMRANGEBY*, pops and ZMPOP", "[cmd][zsets]") {
  NodeProcess n;
  REQUIRE(n({"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"}) == "5");
  REQUIRE(n({"ZREMRANGEBYSCORE", "z", "(4", "+inf"}) == "1");
  REQUIRE(n({"ZREMRANGEBYRANK", "z", "0", "0"}) == "1");
  REQUIRE(n({"ZREMRANGEBYLEX", "z", "a", "b"}) == "ERR min or max not valid string range item");
  REQUIRE(n({"ZPOPMIN", "z"}) == "[b,2]");
  REQUIRE(n({"ZPOPMAX", "z", "5"}) == "[d,4,c,3]");
  REQUIRE(n({"EXISTS", "z"}) == "0");
  REQUIRE(n({"ZPOPMIN", "nokey"}) == "[]");
  REQUIRE(n({"ZPOPMIN", "z", "-1"}) == "ERR value is out of range, must be positive");
  REQUIRE(n({"ZADD", "zp", "1", "a", "2", "b", "3", "c"}) == "3");
  REQUIRE(n({"ZMPOP", "2", "nokey", "zp", "MAX", "COUNT", "2"}) == "[zp,[[c,3],[b,2]]]");
  REQUIRE(n({"BZPOPMIN", "zp", "0"}) == "[zp,a,1]");
  REQUIRE(n({"BZPOPMAX", "nokey", "0.05"}) == "(nil)");
}

TEST_CASE("ZUNIONSTORE / ZINTERSTORE with weights and aggregates", "[cmd][zsets]") {
  NodeProcess n;
  REQUIRE(n({"ZADD", "u1", "1", "a", "2", "b", "3", "c"}) == "3");
  REQUIRE(n({"ZADD", "u2", "10", "b", "20", "c", "30", "d"}) == "3");
  REQUIRE(n({"SADD", "us", "c", "d", "e"}) == "3");
  REQUIRE(n({"ZUNIONSTORE", "out", "2", "u1", "u2", "WEIGHTS", "2", "3"}) == "4");
  REQUIRE(n({"ZRANGE", "out", "0", "-1", "WITHSCORES"}) == "[a,2,b,34,c,66,d,90]");
  REQUIRE(n({"ZINTERSTORE", "out", "3", "u1", "u2", "us"}) == "1");
  REQUIRE(n({"ZRANGE", "out", "0", "-1", "WITHSCORES"}) == "[c,24]");
  REQUIRE(n({"ZUNION", "2", "u1", "u2", "AGGREGATE", "MAX", "WITHSCORES"}) == "[a,1,b,10,c,20,d,30]");
  REQUIRE(n({"ZDIFF", "2", "u1", "u2"}) == "[a]");
  REQUIRE(n({"ZUNIONSTORE", "out", "0", "u1"}) == "ERR at least 1 input key is needed for 'zunionstore' command");
  REQUIRE(n({"ZINTERCARD", "2", "u1", "u2", "LIMIT", "1"}) == "1");
}

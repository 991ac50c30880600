// Hash and set commands against a running vigil-node (replies as redis-server 7.0.15).
#include <catch2/catch.hpp>

#include "test_cmd_support.h"

using vigil::test::NodeProcess;

TEST_CASE("hash basics keep listpack insertion order", "[cmd][hashes]") {
  NodeProcess n;
  REQUIRE(n({"HSET", "h", "f1", "v1", "f2", "v2"}) == "2");
  REQUIRE(n({"HSET", "h", "f1", "x", "f3", "v3"}) == "1");
  REQUIRE(n({"HSET", "h", "f1"}) == "ERR wrong number of arguments for 'hset' command");
  REQUIRE(n({"HGETALL", "h"}) == "[f1,x,f2,v2,f3,v3]");
  REQUIRE(n({"HMGET", "h", "f2", "nokey"}) == "[v2,(nil)]");
  REQUIRE(n({"HSETNX", "h", "f2", "5"}) == "0");
  REQUIRE(n({"HDEL", "h", "f1", "nokey"}) == "1");
  REQUIRE(n({"HLEN", "h"}) == "2");
  REQUIRE(n({"HSTRLEN", "h", "f2"}) == "2");
  REQUIRE(n({"HINCRBY", "h", "cnt", "5"}) == "5");
  REQUIRE(n({"HINCRBY", "h", "f2", "1"}) == "ERR hash value is not an integer");
  REQUIRE(n({"HINCRBYFLOAT", "h", "fl", "1.5"}) == "1.5");
  REQUIRE(n({"HINCRBYFLOAT", "h", "fl", "inf"}) == "ERR value is NaN or Infinity");
  REQUIRE(n({"HINCRBYFLOAT", "h", "f2", "1"}) == "ERR hash value is not a float");
  REQUIRE(n({"HDEL", "h", "f2", "f3", "cnt", "fl"}) == "4");
  REQUIRE(n({"EXISTS", "h"}) == "0");
  REQUIRE(n({"HSET", "h2", "a", "1", "b", "2", "c", "3"}) == "3");
  REQUIRE(n({"HSCAN", "h2", "0", "MATCH", "a*"}) == "[0,[a,1]]");
  REQUIRE(n({"HSCAN", "nokey", "0"}) == "[0,[]]");
  REQUIRE(n({"HRANDFIELD", "h2", "0"}) == "[]");
  REQUIRE(n({"HRANDFIELD", "h2", "-9223372036854775808"}) ==
          "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
  REQUIRE(n({"HRANDFIELD", "h2", "5", "foo"}) == "ERR syntax error");
  REQUIRE(n({"HSET", "one", "a", "1"}) == "1");
  REQUIRE(n({"HRANDFIELD", "one", "-2", "WITHVALUES"}) == "[a,1,a,1]");
  REQUIRE(n({"OBJECT", "ENCODING", "h2"}) == "listpack");
}

TEST_CASE("set basics, intset order, pops and random members", "[cmd][sets]") {
  NodeProcess n;
  REQUIRE(n({"SADD", "s", "3", "1", "2"}) == "3");
  REQUIRE(n({"SADD", "s", "2", "4"}) == "1");
  REQUIRE(n({"SMEMBERS", "s"}) == "[1,2,3,4]");
  REQUIRE(n({"OBJECT", "ENCODING", "s"}) == "intset");
  REQUIRE(n({"SREM", "s", "4", "nokey"}) == "1");
  REQUIRE(n({"SMISMEMBER", "s", "1", "9"}) == "[1,0]");
  REQUIRE(n({"SPOP", "s", "-1"}) == "ERR value is out of range, must be positive");
  REQUIRE(n({"SPOP", "s", "abc"}) == "ERR value is out of range, must be positive");  // once
  REQUIRE(n({"SPOP", "s", "1", "2"}) == "ERR syntax error");
  REQUIRE(n({"SPOP", "s", "5"}) == "[1,2,3]");
  REQUIRE(n({"EXISTS", "s"}) == "0");
  REQUIRE(n({"SRANDMEMBER", "nokey"}) == "(nil)");
  REQUIRE(n({"SADD", "r", "1"}) == "1");
  REQUIRE(n({"SRANDMEMBER", "r", "-3"}) == "[1,1,1]");
  REQUIRE(n({"SMOVE", "r", "t", "1"}) == "1");
  REQUIRE(n({"EXISTS", "r"}) == "0");
  REQUIRE(n({"SMOVE", "t", "t", "zz"}) == "0");
}

TEST_CASE("set algebra and SINTERCARD", "[cmd][sets]") {
  NodeProcess n;
  REQUIRE(n({"SADD", "a", "1", "2", "3", "4"}) == "4");
  REQUIRE(n({"SADD", "b", "3", "4", "5"}) == "3");
  REQUIRE(n({"SET", "str", "x"}) == "OK");
  REQUIRE(n({"SINTER", "a", "b"}) == "[3,4]");
  REQUIRE(n({"SINTER", "a", "nokey", "str"}) == "WRONGTYPE Operation against a key holding the wrong kind of value");
  REQUIRE(n({"SUNION", "a", "b"}) == "[1,2,3,4,5]");
  REQUIRE(n({"SDIFF", "a", "b"}) == "[1,2]");
  REQUIRE(n({"SDIFF", "a", "a"}) == "[]");
  REQUIRE(n({"SINTERSTORE", "d", "a", "b"}) == "2");
  REQUIRE(n({"SINTERSTORE", "d", "a", "nokey"}) == "0");
  REQUIRE(n({"EXISTS", "d"}) == "0");
  REQUIRE(n({"SUNIONSTORE", "d", "a", "b"}) == "5");
  REQUIRE(n({"SINTERCARD", "2", "a", "b", "LIMIT", "1"}) == "1");
  REQUIRE(n({"SINTERCARD", "3", "a", "b"}) == "ERR Number of keys can't be greater than number of args");
  REQUIRE(n({"SINTERCARD", "1", "a", "LIMIT", "x"}) == "ERR LIMIT can't be negative");
  REQUIRE(n({"SSCAN", "a", "0", "MATCH", "1*"}) == "[0,[1]]");
}

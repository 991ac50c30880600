// String commands against a running vigil-node; expected replies are those of
// redis-server 7.0.15 for the same commands.
#include <catch2/catch.hpp>

#include "test_cmd_support.h"

using vigil::test::NodeProcess;

TEST_CASE("SET options, conflicts and GET", "[cmd][strings]") {
  NodeProcess n;
  REQUIRE(n({"SET", "a", "1"}) == "OK");
  REQUIRE(n({"SET", "a", "2", "NX"}) == "(nil)");
  REQUIRE(n({"SET", "b", "3", "XX"}) == "(nil)");
  REQUIRE(n({"SET", "b", "3", "NX", "GET"}) == "(nil)");
  REQUIRE(n({"SET", "a", "5", "GET"}) == "1");
  REQUIRE(n({"SET", "a", "6", "GET", "EX", "100"}) == "5");
  REQUIRE(n({"TTL", "a"}) == "100");
  REQUIRE(n({"SET", "a", "7", "KEEPTTL"}) == "OK");
  REQUIRE(n({"TTL", "a"}) == "100");
  REQUIRE(n({"SET", "a", "8"}) == "OK");
  REQUIRE(n({"TTL", "a"}) == "-1");
  REQUIRE(n({"SET", "a", "8", "EX", "0"}) == "ERR invalid expire time in 'set' command");
  REQUIRE(n({"SET", "a", "8", "EX", "abc"}) == "ERR value is not an integer or out of range");
  REQUIRE(n({"SET", "a", "8", "EX", "9223372036854775807"}) == "ERR invalid expire time in 'set' command");
  REQUIRE(n({"SET", "a", "8", "NX", "XX"}) == "ERR syntax error");
  REQUIRE(n({"SET", "a", "8", "KEEPTTL", "EX", "10"}) == "ERR syntax error");
  REQUIRE(n({"SET", "a", "8", "EX"}) == "ERR syntax error");
  REQUIRE(n({"SET", "a", "8", "EXAT", "1"}) == "OK");
  REQUIRE(n({"GET", "a"}) == "(nil)");  // already expired
  REQUIRE(n({"LPUSH", "l", "x"}) == "1");
  REQUIRE(n({"SET", "l", "1", "GET"}) == "WRONGTYPE Operation against a key holding the wrong kind of value");
  REQUIRE(n({"GET", "l"}) == "WRONGTYPE Operation against a key holding the wrong kind of value");
  REQUIRE(n({"SETEX", "s", "-5", "v"}) == "ERR invalid expire time in 'setex' command");
  REQUIRE(n({"PSETEX", "p", "0", "v"}) == "ERR invalid expire time in 'psetex' command");
  REQUIRE(n({"SETNX", "n", "1"}) == "1");
  REQUIRE(n({"SETNX", "n", "2"}) == "0");
}

TEST_CASE("MSET, MSETNX and MGET", "[cmd][strings]") {
  NodeProcess n;
  REQUIRE(n({"MSET", "k1", "v1", "k2"}) == "ERR wrong number of arguments for 'mset' command");
  REQUIRE(n({"MSET", "k1", "v1", "k2", "v2"}) == "OK");
  REQUIRE(n({"LPUSH", "l", "x"}) == "1");
  REQUIRE(n({"MGET", "k1", "k2", "nokey", "l"}) == "[v1,v2,(nil),(nil)]");
  REQUIRE(n({"MSETNX", "k1", "x", "k3", "y"}) == "0");
  REQUIRE(n({"EXISTS", "k3"}) == "0");
  REQUIRE(n({"MSETNX", "k3", "x", "k4", "y"}) == "1");
}

TEST_CASE("INCR family: ranges, overflow and float formatting", "[cmd][strings]") {
  NodeProcess n;
  REQUIRE(n({"INCR", "i"}) == "1");
  REQUIRE(n({"INCRBY", "i", "-30"}) == "-29");
  REQUIRE(n({"DECRBY", "i", "-9223372036854775808"}) == "ERR decrement would overflow");
  REQUIRE(n({"INCRBY", "i", "abc"}) == "ERR value is not an integer or out of range");
  REQUIRE(n({"SET", "i", "9223372036854775807"}) == "OK");
  REQUIRE(n({"INCR", "i"}) == "ERR increment or decrement would overflow");
  REQUIRE(n({"SET", "i", " 1"}) == "OK");
  REQUIRE(n({"INCR", "i"}) == "ERR value is not an integer or out of range");
  REQUIRE(n({"SET", "f", "10.5"}) == "OK");
  REQUIRE(n({"INCRBYFLOAT", "f", "0.1"}) == "10.6");
  REQUIRE(n({"INCRBYFLOAT", "f", "5.0e3"}) == "5010.60000000000000009");  // long double, as Redis
  REQUIRE(n({"INCRBYFLOAT", "f", "abc"}) == "ERR value is not a valid float");
  REQUIRE(n({"INCRBYFLOAT", "f", "inf"}) == "ERR increment would produce NaN or Infinity");
  REQUIRE(n({"SET", "f", "1.18973149535723176502e+4932"}) == "OK");  // near LDBL_MAX
  REQUIRE(n({"INCRBYFLOAT", "f", "1.18973149535723176502e+4932"}) == "ERR increment would produce NaN or Infinity");
  REQUIRE(n({"INCRBYFLOAT", "nf", "-3"}) == "-3");
}

TEST_CASE("APPEND, STRLEN, GETRANGE and SETRANGE", "[cmd][strings]") {
  NodeProcess n;
  REQUIRE(n({"APPEND", "ap", "hello"}) == "5");
  REQUIRE(n({"APPEND", "ap", " world"}) == "11");
  REQUIRE(n({"STRLEN", "ap"}) == "11");
  REQUIRE(n({"STRLEN", "nokey"}) == "0");
  REQUIRE(n({"GETRANGE", "ap", "-5", "-1"}) == "world");
  REQUIRE(n({"GETRANGE", "ap", "5", "3"}) == "");
  REQUIRE(n({"GETRANGE", "ap", "-1", "-5"}) == "");
  REQUIRE(n({"GETRANGE", "ap", "0", "100"}) == "hello world");
  REQUIRE(n({"SUBSTR", "ap", "1", "3"}) == "ell");
  REQUIRE(n({"SETRANGE", "sr", "5", "hi"}) == "7");
  REQUIRE(n({"GET", "sr"}) == std::string("\0\0\0\0\0hi", 7));
  REQUIRE(n({"SETRANGE", "sr", "-1", "x"}) == "ERR offset is out of range");
  REQUIRE(n({"SETRANGE", "sr", "536870912", "x"}) ==
          "ERR string exceeds maximum allowed size (proto-max-bulk-len)");
  REQUIRE(n({"SETRANGE", "nokey2", "3", ""}) == "0");
  REQUIRE(n({"EXISTS", "nokey2"}) == "0");
  // Many small appends stay correct (the entry grows in place / moves).
  for (int i = 0; i < 300; ++i) n({"APPEND", "grow", "xy"});
  REQUIRE(n({"STRLEN", "grow"}) == "600");
}

TEST_CASE("GETSET, GETDEL and GETEX", "[cmd][strings]") {
  NodeProcess n;
  REQUIRE(n({"GETSET", "gs", "1"}) == "(nil)");
  REQUIRE(n({"GETSET", "gs", "2"}) == "1");
  REQUIRE(n({"GETDEL", "gs"}) == "2");
  REQUIRE(n({"GETDEL", "gs"}) == "(nil)");
  REQUIRE(n({"SET", "k", "v"}) == "OK");
  REQUIRE(n({"GETEX", "k", "EX", "100"}) == "v");
  REQUIRE(n({"TTL", "k"}) == "100");
  REQUIRE(n({"GETEX", "k", "PERSIST"}) == "v");
  REQUIRE(n({"TTL", "k"}) == "-1");
  REQUIRE(n({"GETEX", "k", "PERSIST", "EX", "100"}) == "ERR syntax error");
  REQUIRE(n({"GETEX", "k", "EXAT", "1"}) == "v");
  REQUIRE(n({"EXISTS", "k"}) == "0");
  REQUIRE(n({"GETEX", "nokey", "EX", "10"}) == "(nil)");
}

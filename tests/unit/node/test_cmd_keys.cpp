// Generic keyspace commands against a running vigil-node (replies as redis-server 7.0.15).
#include <catch2/catch.hpp>

#include <algorithm>

#include "test_cmd_support.h"

using vigil::test::NodeProcess;

TEST_CASE("DEL, EXISTS, TYPE, RENAME and RENAMENX", "[cmd][keys]") {
  NodeProcess n;
  REQUIRE(n({"MSET", "a", "1", "b", "2"}) == "OK");
  REQUIRE(n({"EXISTS", "a", "a", "b", "nokey"}) == "3");
  REQUIRE(n({"DEL", "a", "nokey"}) == "1");
  REQUIRE(n({"DEL", "nokey"}) == "0");
  REQUIRE(n({"TYPE", "b"}) == "string");
  REQUIRE(n({"TYPE", "nokey"}) == "none");
  REQUIRE(n({"ZADD", "z", "1", "m"}) == "1");
  REQUIRE(n({"TYPE", "z"}) == "zset");
  REQUIRE(n({"RENAME", "nokey", "x"}) == "ERR no such key");
  REQUIRE(n({"RENAME", "b", "b"}) == "OK");
  REQUIRE(n({"RENAME", "b", "c"}) == "OK");
  REQUIRE(n({"GET", "c"}) == "2");
  REQUIRE(n({"RENAMENX", "c", "z"}) == "0");
  REQUIRE(n({"RENAMENX", "c", "d"}) == "1");
  REQUIRE(n({"RENAMENX", "d", "d"}) == "0");
}

TEST_CASE("EXPIRE options, TTL, PERSIST and expiry on access", "[cmd][keys]") {
  NodeProcess n;
  REQUIRE(n({"SET", "d", "v"}) == "OK");
  REQUIRE(n({"EXPIRE", "d", "100"}) == "1");
  REQUIRE(n({"EXPIRE", "d", "100", "NX"}) == "0");
  REQUIRE(n({"EXPIRE", "d", "200", "XX"}) == "1");
  REQUIRE(n({"EXPIRE", "d", "50", "GT"}) == "0");
  REQUIRE(n({"EXPIRE", "d", "10", "LT"}) == "1");
  REQUIRE(n({"TTL", "d"}) == "10");
  REQUIRE(n({"EXPIRE", "d", "10", "NX", "XX"}) == "ERR NX and XX, GT or LT options at the same time are not compatible");
  REQUIRE(n({"EXPIRE", "d", "10", "GT", "LT"}) == "ERR GT and LT options at the same time are not compatible");
  REQUIRE(n({"EXPIRE", "d", "10", "foo"}) == "ERR Unsupported option foo");
  REQUIRE(n({"EXPIRE", "d", "9223372036854775807"}) == "ERR invalid expire time in 'expire' command");
  REQUIRE(n({"PEXPIRE", "d", "9223372036854775807"}) == "ERR invalid expire time in 'pexpire' command");
  REQUIRE(n({"EXPIRE", "nokey", "10"}) == "0");
  REQUIRE(n({"PERSIST", "d"}) == "1");
  REQUIRE(n({"PERSIST", "d"}) == "0");
  REQUIRE(n({"TTL", "d"}) == "-1");
  REQUIRE(n({"TTL", "nokey"}) == "-2");
  REQUIRE(n({"EXPIRE", "d", "10", "GT"}) == "0");  // no TTL counts as infinite
  REQUIRE(n({"EXPIREAT", "d", "99999999999"}) == "1");
  REQUIRE(n({"EXPIRETIME", "d"}) == "99999999999");
  REQUIRE(n({"PEXPIRETIME", "d"}) == "99999999999000");
  REQUIRE(n({"EXPIRE", "d", "-1"}) == "1");
  REQUIRE(n({"EXISTS", "d"}) == "0");
  REQUIRE(n({"SET", "short", "v", "PX", "30"}) == "OK");
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  REQUIRE(n({"GET", "short"}) == "(nil)");
}

TEST_CASE("KEYS and SCAN with MATCH, COUNT and TYPE", "[cmd][keys]") {
  NodeProcess n;
  for (int i = 0; i < 200; ++i) n({"SET", "key:" + std::to_string(i), "v"});
  REQUIRE(n({"LPUSH", "list", "x"}) == "1");
  REQUIRE(n({"SCAN", "0", "COUNT", "0"}) == "ERR syntax error");
  REQUIRE(n({"SCAN", "x"}) == "ERR invalid cursor");
  REQUIRE(n({"SCAN", "0", "foo"}) == "ERR syntax error");
  // Walk the whole keyspace: every key exactly present.
  std::string cursor = "0";
  std::vector<std::string> seen;
  int steps = 0;
  do {
    redisContext* c = n.connect();
    auto* r = static_cast<redisReply*>(redisCommand(c, "SCAN %s COUNT 17 MATCH key:*", cursor.c_str()));
    REQUIRE(r != nullptr);
    cursor = std::string(r->element[0]->str, r->element[0]->len);
    for (size_t i = 0; i < r->element[1]->elements; ++i) seen.emplace_back(r->element[1]->element[i]->str);
    freeReplyObject(r);
    redisFree(c);
  } while (cursor != "0" && ++steps < 1000);
  std::sort(seen.begin(), seen.end());
  seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
  REQUIRE(seen.size() == 200);
  REQUIRE(n({"SCAN", "0", "COUNT", "1000", "TYPE", "list"}) == "[0,[list]]");
  REQUIRE(n({"KEYS", "l*"}) == "[list]");
  REQUIRE(n({"KEYS", "nomatch*"}) == "[]");
}

TEST_CASE("COPY, MOVE and OBJECT ENCODING", "[cmd][keys]") {
  NodeProcess n;
  REQUIRE(n({"ZADD", "z", "1", "m"}) == "1");
  REQUIRE(n({"COPY", "z", "z2"}) == "1");
  REQUIRE(n({"COPY", "z", "z2"}) == "0");
  REQUIRE(n({"COPY", "z", "z2", "REPLACE"}) == "1");
  REQUIRE(n({"COPY", "z", "z"}) == "ERR source and destination objects are the same");
  REQUIRE(n({"COPY", "z", "z", "DB", "16"}) == "ERR DB index is out of range");
  REQUIRE(n({"COPY", "z", "z", "DB", "1"}) == "1");
  REQUIRE(n({"COPY", "nokey", "z3"}) == "0");
  REQUIRE(n({"MOVE", "z", "1"}) == "0");  // exists in db 1 already
  REQUIRE(n({"MOVE", "z2", "1"}) == "1");
  REQUIRE(n({"MOVE", "z", "0"}) == "ERR source and destination objects are the same");
  REQUIRE(n({"SELECT", "1"}) == "OK");
  REQUIRE(n({"ZRANGE", "z2", "0", "-1", "WITHSCORES"}) == "[m,1]");
  REQUIRE(n({"SET", "i", "12345"}) == "OK");
  REQUIRE(n({"OBJECT", "ENCODING", "i"}) == "int");
  REQUIRE(n({"OBJECT", "ENCODING", "z2"}) == "listpack");
  REQUIRE(n({"OBJECT", "ENCODING", "nokey"}) == "(nil)");
}

// List commands, including the blocking ones, against a running vigil-node
// (replies as redis-server 7.0.15).
#include <catch2/catch.hpp>

#include "test_cmd_support.h"

using vigil::test::NodeProcess;

TEST_CASE("push, pop, ranges and indexes", "[cmd][lists]") {
  NodeProcess n;
  REQUIRE(n({"RPUSH", "l", "a", "b", "c", "d", "e"}) == "5");
  REQUIRE(n({"LPUSH", "l", "z"}) == "6");
  REQUIRE(n({"LRANGE", "l", "-100", "100"}) == "[z,a,b,c,d,e]");
  REQUIRE(n({"LRANGE", "l", "3", "1"}) == "[]");
  REQUIRE(n({"LRANGE", "l", "-2", "-1"}) == "[d,e]");
  REQUIRE(n({"LINDEX", "l", "-1"}) == "e");
  REQUIRE(n({"LINDEX", "l", "100"}) == "(nil)");
  REQUIRE(n({"LSET", "l", "100", "x"}) == "ERR index out of range");
  REQUIRE(n({"LSET", "nokey", "0", "x"}) == "ERR no such key");
  REQUIRE(n({"LPUSHX", "nokey", "a"}) == "0");
  REQUIRE(n({"LPOP", "l", "2"}) == "[z,a]");
  REQUIRE(n({"RPOP", "l", "0"}) == "[]");
  REQUIRE(n({"LPOP", "l", "-1"}) == "ERR value is out of range, must be positive");
  REQUIRE(n({"LPOP", "nokey", "3"}) == "(nil)");
  REQUIRE(n({"LPOP", "l", "1", "2"}) == "ERR wrong number of arguments for 'lpop' command");
  REQUIRE(n({"LPOP", "l", "100"}) == "[b,c,d,e]");
  REQUIRE(n({"EXISTS", "l"}) == "0");  // emptied lists are deleted
}

TEST_CASE("LREM, LTRIM, LINSERT and LPOS", "[cmd][lists]") {
  NodeProcess n;
  REQUIRE(n({"RPUSH", "l", "a", "b", "a", "c", "a", "d", "a"}) == "7");
  REQUIRE(n({"LREM", "l", "2", "a"}) == "2");
  REQUIRE(n({"LREM", "l", "-1", "a"}) == "1");
  REQUIRE(n({"LRANGE", "l", "0", "-1"}) == "[b,c,a,d]");
  REQUIRE(n({"LTRIM", "l", "1", "-2"}) == "OK");
  REQUIRE(n({"LRANGE", "l", "0", "-1"}) == "[c,a]");
  REQUIRE(n({"LINSERT", "l", "BEFORE", "a", "X"}) == "3");
  REQUIRE(n({"LINSERT", "l", "AFTER", "nope", "Y"}) == "-1");
  REQUIRE(n({"LINSERT", "l", "MIDDLE", "a", "X"}) == "ERR syntax error");
  REQUIRE(n({"LTRIM", "l", "5", "10"}) == "OK");
  REQUIRE(n({"EXISTS", "l"}) == "0");
  REQUIRE(n({"RPUSH", "p", "a", "b", "c", "a", "b", "c", "a"}) == "7");
  REQUIRE(n({"LPOS", "p", "a", "RANK", "-2"}) == "3");
  REQUIRE(n({"LPOS", "p", "a", "COUNT", "0", "RANK", "-1"}) == "[6,3,0]");
  REQUIRE(n({"LPOS", "p", "a", "COUNT", "0", "MAXLEN", "4"}) == "[0,3]");
  REQUIRE(n({"LPOS", "p", "a", "COUNT", "x"}) == "ERR COUNT can't be negative");
  REQUIRE(n({"LPOS", "p", "a", "RANK", "0"}).rfind("ERR RANK can't be zero", 0) == 0);
  REQUIRE(n({"LPOS", "nokey", "a", "COUNT", "1"}) == "[]");
}

TEST_CASE("LMOVE, RPOPLPUSH and LMPOP", "[cmd][lists]") {
  NodeProcess n;
  REQUIRE(n({"RPUSH", "src", "1", "2", "3"}) == "3");
  REQUIRE(n({"LMOVE", "src", "dst", "LEFT", "RIGHT"}) == "1");
  REQUIRE(n({"RPOPLPUSH", "src", "dst"}) == "3");
  REQUIRE(n({"LRANGE", "dst", "0", "-1"}) == "[3,1]");
  REQUIRE(n({"LMOVE", "src", "src", "LEFT", "RIGHT"}) == "2");
  REQUIRE(n({"LRANGE", "src", "0", "-1"}) == "[2]");
  REQUIRE(n({"SET", "str", "x"}) == "OK");
  REQUIRE(n({"LMOVE", "src", "str", "LEFT", "LEFT"}) == "WRONGTYPE Operation against a key holding the wrong kind of value");
  REQUIRE(n({"LRANGE", "src", "0", "-1"}) == "[2]");  // nothing popped on error
  REQUIRE(n({"LMOVE", "src", "dst", "UP", "LEFT"}) == "ERR syntax error");
  REQUIRE(n({"LMPOP", "2", "nokey", "dst", "RIGHT", "COUNT", "5"}) == "[dst,[1,3]]");
  REQUIRE(n({"LMPOP", "1", "nokey", "LEFT"}) == "(nil)");
  REQUIRE(n({"LMPOP", "0", "x", "LEFT"}) == "ERR numkeys should be greater than 0");
}

TEST_CASE("blocking pops: immediate, timeout, served by a push", "[cmd][lists]") {
  NodeProcess n;
  REQUIRE(n({"BLPOP", "l", "-1"}) == "ERR timeout is negative");
  REQUIRE(n({"BLPOP", "l", "abc"}) == "ERR timeout is not a float or out of range");
  REQUIRE(n({"RPUSH", "l", "a", "b"}) == "2");
  REQUIRE(n({"BRPOP", "nokey", "l", "0"}) == "[l,b]");
  REQUIRE(n({"BLPOP", "nokey", "0.05"}) == "(nil)");
  REQUIRE(n({"SET", "str", "x"}) == "OK");
  REQUIRE(n({"BLPOP", "str", "1"}) == "WRONGTYPE Operation against a key holding the wrong kind of value");

  redisContext* waiter = n.connect();
  REQUIRE(waiter != nullptr);
  redisAppendCommand(waiter, "BLPOP q1 q2 5");
  redisAppendCommand(waiter, "BLMOVE m1 m2 LEFT RIGHT 5");
  int done = 0;
  redisBufferWrite(waiter, &done);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE(n({"RPUSH", "q2", "x", "y"}) == "2");
  void* reply = nullptr;
  REQUIRE(redisGetReply(waiter, &reply) == REDIS_OK);
  REQUIRE(vigil::test::render(static_cast<redisReply*>(reply)) == "[q2,x]");
  freeReplyObject(reply);
  REQUIRE(n({"LRANGE", "q2", "0", "-1"}) == "[y]");
  REQUIRE(n({"RPUSH", "m1", "v"}) == "1");
  REQUIRE(redisGetReply(waiter, &reply) == REDIS_OK);
  REQUIRE(vigil::test::render(static_cast<redisReply*>(reply)) == "v");
  freeReplyObject(reply);
  REQUIRE(n({"LRANGE", "m2", "0", "-1"}) == "[v]");
  REQUIRE(n({"EXISTS", "m1"}) == "0");
  redisFree(waiter);
}

// MULTI/EXEC/WATCH and propagation through the NodeServer, over real sockets.
#include "tests/unit/node/test_server_util.h"

using vigil::node::testing::ServerFixture;
using Argv = std::vector<std::string>;

TEST_CASE("transactions: queueing, EXEC and DISCARD", "[node_server][multi]") {
  ServerFixture f;
  int c = f.connect();
  CHECK(f.call(c, {"EXEC"}) == "-ERR EXEC without MULTI\r\n");
  CHECK(f.call(c, {"DISCARD"}) == "-ERR DISCARD without MULTI\r\n");
  CHECK(f.call(c, {"MULTI"}) == "+OK\r\n");
  CHECK(f.call(c, {"MULTI"}) == "-ERR MULTI calls can not be nested\r\n");
  CHECK(f.call(c, {"WATCH", "x"}) == "-ERR WATCH inside MULTI is not allowed\r\n");
  CHECK(f.call(c, {"SET", "a", "1"}) == "+QUEUED\r\n");
  CHECK(f.call(c, {"INCR", "a"}) == "+QUEUED\r\n");
  CHECK(f.call(c, {"GET", "a"}) == "+QUEUED\r\n");
  CHECK(f.call(c, {"EXEC"}) == "*3\r\n+OK\r\n:2\r\n$1\r\n2\r\n");
  CHECK(f.call(c, {"MULTI"}) == "+OK\r\n");
  CHECK(f.call(c, {"SET", "a", "9"}) == "+QUEUED\r\n");
  CHECK(f.call(c, {"DISCARD"}) == "+OK\r\n");
  CHECK(f.call(c, {"GET", "a"}) == "$1\r\n2\r\n");
}

TEST_CASE("transactions: queueing errors abort EXEC", "[node_server][multi]") {
  ServerFixture f;
  int c = f.connect();
  CHECK(f.call(c, {"MULTI"}) == "+OK\r\n");
  CHECK(f.call(c, {"foo"}) == "-ERR unknown command 'foo', with args beginning with: \r\n");
  CHECK(f.call(c, {"SET", "a", "1"}) == "+QUEUED\r\n");
  CHECK(f.call(c, {"EXEC"}) == "-EXECABORT Transaction discarded because of previous errors.\r\n");
  CHECK(f.call(c, {"MULTI"}) == "+OK\r\n");
  CHECK(f.call(c, {"SET", "a"}) == "-ERR wrong number of arguments for 'set' command\r\n");
  CHECK(f.call(c, {"EXEC"}) == "-EXECABORT Transaction discarded because of previous errors.\r\n");
  CHECK(f.call(c, {"GET", "a"}) == "$-1\r\n");
  // Runtime errors inside EXEC do not abort the others.
  CHECK(f.call(c, {"SET", "s", "x"}) == "+OK\r\n");
  CHECK(f.call(c, {"MULTI"}) == "+OK\r\n");
  CHECK(f.call(c, {"INCR", "s"}) == "+QUEUED\r\n");
  CHECK(f.call(c, {"SET", "t", "1"}) == "+QUEUED\r\n");
  CHECK(f.call(c, {"EXEC"}) == "*2\r\n-ERR value is not an integer or out of range\r\n+OK\r\n");
}

TEST_CASE("transactions: WATCH makes EXEC fail after another client's write", "[node_server][multi]") {
  ServerFixture f;
  int c = f.connect();
  int other = f.connect();
  CHECK(f.call(c, {"WATCH", "k"}) == "+OK\r\n");
  CHECK(f.call(other, {"SET", "k", "theirs"}) == "+OK\r\n");
  CHECK(f.call(c, {"MULTI"}) == "+OK\r\n");
  CHECK(f.call(c, {"SET", "k", "mine"}) == "+QUEUED\r\n");
  CHECK(f.call(c, {"EXEC"}) == "*-1\r\n");
  CHECK(f.call(c, {"GET", "k"}) == "$6\r\ntheirs\r\n");
  // EXEC unwatched everything: the next transaction goes through.
  CHECK(f.call(other, {"SET", "k", "again"}) == "+OK\r\n");
  CHECK(f.call(c, {"MULTI"}) == "+OK\r\n");
  CHECK(f.call(c, {"SET", "k", "mine"}) == "+QUEUED\r\n");
  CHECK(f.call(c, {"EXEC"}) == "*1\r\n+OK\r\n");
  // UNWATCH forgets; FLUSHALL touches watched keys that existed.
  CHECK(f.call(c, {"WATCH", "k"}) == "+OK\r\n");
  CHECK(f.call(c, {"UNWATCH"}) == "+OK\r\n");
  CHECK(f.call(other, {"SET", "k", "x"}) == "+OK\r\n");
  CHECK(f.call(c, {"MULTI"}) == "+OK\r\n");
  CHECK(f.call(c, {"EXEC"}) == "*0\r\n");
  CHECK(f.call(c, {"WATCH", "k"}) == "+OK\r\n");
  CHECK(f.call(other, {"FLUSHALL"}) == "+OK\r\n");
  CHECK(f.call(c, {"MULTI"}) == "+OK\r\n");
  CHECK(f.call(c, {"EXEC"}) == "*-1\r\n");
}

TEST_CASE("propagation: writes only, errors never, EXEC wrapped", "[node_server][propagation]") {
  ServerFixture f;
  int c = f.connect();
  auto& seen = f.propagated.seen;
  CHECK(f.call(c, {"GET", "a"}) == "$-1\r\n");
  CHECK(seen.empty());
  CHECK(f.call(c, {"SET", "a", "1"}) == "+OK\r\n");
  REQUIRE(seen.size() == 1);
  CHECK(seen[0] == std::make_pair(0, Argv{"SET", "a", "1"}));
  CHECK(f.call(c, {"INCR", "a", "b"}) == "-ERR wrong number of arguments for 'incr' command\r\n");
  CHECK(f.call(c, {"LPUSH", "a", "x"}) ==
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  CHECK(seen.size() == 1);
  CHECK(f.call(c, {"SELECT", "2"}) == "+OK\r\n");
  CHECK(f.call(c, {"MULTI"}) == "+OK\r\n");
  CHECK(f.call(c, {"SET", "b", "1"}) == "+QUEUED\r\n");
  CHECK(f.call(c, {"GET", "b"}) == "+QUEUED\r\n");
  CHECK(f.call(c, {"SET", "c", "1"}) == "+QUEUED\r\n");
  CHECK(f.call(c, {"EXEC"}) == "*3\r\n+OK\r\n$1\r\n1\r\n+OK\r\n");
  REQUIRE(seen.size() == 5);
  CHECK(seen[1] == std::make_pair(2, Argv{"MULTI"}));
  CHECK(seen[2] == std::make_pair(2, Argv{"SET", "b", "1"}));
  CHECK(seen[3] == std::make_pair(2, Argv{"SET", "c", "1"}));
  CHECK(seen[4] == std::make_pair(2, Argv{"EXEC"}));
  // A transaction with a single write is not wrapped (Redis 7.0).
  CHECK(f.call(c, {"MULTI"}) == "+OK\r\n");
  CHECK(f.call(c, {"SET", "d", "1"}) == "+QUEUED\r\n");
  CHECK(f.call(c, {"EXEC"}) == "*1\r\n+OK\r\n");
  REQUIRE(seen.size() == 6);
  CHECK(seen[5] == std::make_pair(2, Argv{"SET", "d", "1"}));
  CHECK(f.server().dirty == 4);  // the writes, not the MULTI/EXEC wrapper
}

TEST_CASE("execute_replayed: fake client runs writes, SELECT and MULTI", "[node_server][replay]") {
  ServerFixture f;
  int db = 0;
  Argv select{"SELECT", "4"};
  CHECK(f.server().execute_replayed(db, select).empty());
  CHECK(db == 4);
  Argv multi{"MULTI"}, set{"SET", "k", "v"}, exec{"EXEC"};
  CHECK(f.server().execute_replayed(db, multi).empty());
  CHECK(f.server().execute_replayed(db, set).empty());
  CHECK(f.server().execute_replayed(db, exec).empty());
  CHECK(f.server().db(4).size() == 1);
  Argv unknown{"NOPE"};
  CHECK(f.server().execute_replayed(db, unknown) == "ERR unknown command 'NOPE', with args beginning with: ");
  Argv sub{"SUBSCRIBE", "x"};
  CHECK_FALSE(f.server().execute_replayed(db, sub).empty());
  CHECK(f.propagated.seen.empty());  // not propagated by default
  Argv set2{"SET", "p", "1"};
  CHECK(f.server().execute_replayed(db, set2, true).empty());
  REQUIRE(f.propagated.seen.size() == 1);
  CHECK(f.propagated.seen[0] == std::make_pair(4, Argv{"SET", "p", "1"}));
}

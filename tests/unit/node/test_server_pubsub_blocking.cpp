// Pub/sub delivery, blocking commands (block_on_keys via BLPOP), CLIENT
// UNBLOCK and CLIENT PAUSE through the NodeServer, over real sockets.
#include "tests/unit/node/test_server_util.h"

using vigil::node::testing::encode_command;
using vigil::node::testing::ServerFixture;

TEST_CASE("pubsub: message and pmessage shapes, counts", "[node_server][pubsub]") {
  ServerFixture f;
  int sub = f.connect();
  int pub = f.connect();
  CHECK(f.call(sub, {"SUBSCRIBE", "news", "weather"}) == "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n");
  CHECK(f.read_reply(sub) == "*3\r\n$9\r\nsubscribe\r\n$7\r\nweather\r\n:2\r\n");
  CHECK(f.call(sub, {"PSUBSCRIBE", "n*"}) == "*3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:3\r\n");
  CHECK(f.call(pub, {"PUBLISH", "news", "hello"}) == ":2\r\n");
  CHECK(f.read_reply(sub) == "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n");
  CHECK(f.read_reply(sub) == "*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$5\r\nhello\r\n");
  CHECK(f.call(pub, {"PUBLISH", "nobody", "x"}) == ":1\r\n");  // pattern only
  CHECK(f.read_reply(sub) == "*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$6\r\nnobody\r\n$1\r\nx\r\n");
  CHECK(f.call(pub, {"PUBLISH", "other", "x"}) == ":0\r\n");
  CHECK(f.call(pub, {"PUBSUB", "NUMSUB", "news", "none"}) == "*4\r\n$4\r\nnews\r\n:1\r\n$4\r\nnone\r\n:0\r\n");
  CHECK(f.call(pub, {"PUBSUB", "NUMPAT"}) == ":1\r\n");
  CHECK(f.call(pub, {"PUBSUB", "CHANNELS", "w*"}) == "*1\r\n$7\r\nweather\r\n");
  CHECK(f.call(sub, {"UNSUBSCRIBE", "news"}) == "*3\r\n$11\r\nunsubscribe\r\n$4\r\nnews\r\n:2\r\n");
  CHECK(f.call(sub, {"PUNSUBSCRIBE", "n*"}) == "*3\r\n$12\r\npunsubscribe\r\n$2\r\nn*\r\n:1\r\n");
  // A disconnected subscriber is forgotten.
  f.call(sub, {"QUIT"});
  CHECK(f.closed_by_server(sub));
  f.run_for(20);
  CHECK(f.call(pub, {"PUBLISH", "weather", "x"}) == ":0\r\n");
}

TEST_CASE("pubsub: RESP3 clients get pushes and may run any command", "[node_server][pubsub]") {
  ServerFixture f;
  int sub = f.connect();
  int pub = f.connect();
  f.call(sub, {"HELLO", "3"});
  CHECK(f.call(sub, {"SUBSCRIBE", "a"}) == ">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n");
  CHECK(f.call(sub, {"GET", "x"}) == "_\r\n");
  CHECK(f.call(sub, {"PING"}) == "+PONG\r\n");
  CHECK(f.call(pub, {"PUBLISH", "a", "m"}) == ":1\r\n");
  CHECK(f.read_reply(sub) == ">3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\nm\r\n");
}

TEST_CASE("blocking: BLPOP is served by a later push, FIFO per key", "[node_server][blocking]") {
  ServerFixture f;
  int first = f.connect();
  int second = f.connect();
  int pusher = f.connect();
  f.send(first, encode_command({"BLPOP", "q", "0"}));
  f.run_for(20);
  f.send(second, encode_command({"BLPOP", "q", "0"}));
  f.run_for(20);
  CHECK(f.read_reply(first, 100).empty());
  CHECK(f.server().blocked_clients() == 2);
  CHECK(f.call(pusher, {"RPUSH", "q", "a", "b"}) == ":2\r\n");
  CHECK(f.read_reply(first) == "*2\r\n$1\r\nq\r\n$1\r\na\r\n");
  CHECK(f.read_reply(second) == "*2\r\n$1\r\nq\r\n$1\r\nb\r\n");
  CHECK(f.server().blocked_clients() == 0);
  // Served clients continue with their pipelined commands.
  CHECK(f.call(first, {"PING"}) == "+PONG\r\n");
  // What reaches replicas is the pop, not the blocking command.
  bool saw_lpop = false;
  for (const auto& [db, argv] : f.propagated.seen) {
    CHECK(argv[0] != "BLPOP");
    if (argv[0] == "LPOP" || argv[0] == "lpop") saw_lpop = true;
  }
  CHECK(saw_lpop);
}

TEST_CASE("blocking: timeout replies a null array", "[node_server][blocking]") {
  ServerFixture f;
  int c = f.connect();
  auto start = vigil::node::testing::Clock::now();
  f.send(c, encode_command({"BLPOP", "q", "0.2"}));
  CHECK(f.read_reply(c, 3000) == "*-1\r\n");
  CHECK(vigil::node::testing::Clock::now() - start >= std::chrono::milliseconds(180));
  CHECK(f.call(c, {"BLPOP", "q", "-1"}) == "-ERR timeout is negative\r\n");
  CHECK(f.call(c, {"BLPOP", "q", "abc"}) == "-ERR timeout is not a float or out of range\r\n");
}

TEST_CASE("blocking: inside MULTI a blocking command does not block", "[node_server][blocking]") {
  ServerFixture f;
  int c = f.connect();
  f.call(c, {"MULTI"});
  f.call(c, {"BLPOP", "q", "0"});
  CHECK(f.call(c, {"EXEC"}) == "*1\r\n*-1\r\n");
}

TEST_CASE("blocking: CLIENT UNBLOCK with TIMEOUT and ERROR", "[node_server][blocking]") {
  ServerFixture f;
  int blocked = f.connect();
  int admin = f.connect();
  std::string id = f.call(blocked, {"CLIENT", "ID"});
  id = id.substr(1, id.size() - 3);
  f.send(blocked, encode_command({"BLPOP", "q", "0"}));
  f.run_for(20);
  CHECK(f.call(admin, {"CLIENT", "LIST", "ID", id}).find("flags=b") != std::string::npos);
  CHECK(f.call(admin, {"CLIENT", "UNBLOCK", id}) == ":1\r\n");
  CHECK(f.read_reply(blocked) == "*-1\r\n");
  CHECK(f.call(admin, {"CLIENT", "UNBLOCK", id}) == ":0\r\n");
  f.send(blocked, encode_command({"BLPOP", "q", "0"}));
  f.run_for(20);
  CHECK(f.call(admin, {"CLIENT", "UNBLOCK", id, "ERROR"}) == ":1\r\n");
  CHECK(f.read_reply(blocked) == "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
  CHECK(f.call(admin, {"CLIENT", "UNBLOCK", id, "FOO"}) ==
        "-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n");
}

TEST_CASE("blocking: a blocked client that disconnects is forgotten", "[node_server][blocking]") {
  ServerFixture f;
  int blocked = f.connect();
  int pusher = f.connect();
  f.send(blocked, encode_command({"BLPOP", "q", "0"}));
  f.run_for(20);
  REQUIRE(f.server().blocked_clients() == 1);
  close(blocked);
  CHECK(f.run_until([&] { return f.server().blocked_clients() == 0; }, 2000));
  CHECK(f.call(pusher, {"RPUSH", "q", "a"}) == ":1\r\n");
  CHECK(f.call(pusher, {"LLEN", "q"}) == ":1\r\n");
}

TEST_CASE("CLIENT PAUSE WRITE postpones writes until UNPAUSE, reads go on", "[node_server][pause]") {
  ServerFixture f;
  int admin = f.connect();
  int writer = f.connect();
  CHECK(f.call(admin, {"CLIENT", "PAUSE", "x"}) == "-ERR timeout is not an integer or out of range\r\n");
  CHECK(f.call(admin, {"CLIENT", "PAUSE", "10", "FOO"}) == "-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n");
  CHECK(f.call(admin, {"CLIENT", "PAUSE", "100000", "WRITE"}) == "+OK\r\n");
  f.send(writer, encode_command({"SET", "k", "v"}));
  f.send(writer, encode_command({"GET", "k"}));
  CHECK(f.read_reply(writer, 200).empty());  // the write and what follows wait
  CHECK(f.call(admin, {"GET", "k"}) == "$-1\r\n");  // reads are not paused
  CHECK(f.call(admin, {"CLIENT", "UNPAUSE"}) == "+OK\r\n");
  CHECK(f.read_reply(writer) == "+OK\r\n");
  CHECK(f.read_reply(writer) == "$1\r\nv\r\n");
}

TEST_CASE("CLIENT PAUSE ALL ends by itself after the timeout", "[node_server][pause]") {
  ServerFixture f;
  int admin = f.connect();
  int reader = f.connect();
  CHECK(f.call(admin, {"CLIENT", "PAUSE", "300"}) == "+OK\r\n");
  auto start = vigil::node::testing::Clock::now();
  f.send(reader, encode_command({"PING"}));
  CHECK(f.read_reply(reader, 3000) == "+PONG\r\n");
  CHECK(vigil::node::testing::Clock::now() - start >= std::chrono::milliseconds(250));
}

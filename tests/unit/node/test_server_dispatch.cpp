// NodeServer dispatch over real sockets: error texts, AUTH/HELLO, pub/sub
// context, CLIENT commands. Expected bytes come from redis-server 7.0.15.
#include "tests/unit/node/test_server_util.h"

using vigil::node::testing::ServerFixture;

TEST_CASE("node server: ping, echo, case-insensitive lookup", "[node_server]") {
  ServerFixture f;
  int c = f.connect();
  CHECK(f.call(c, {"PING"}) == "+PONG\r\n");
  CHECK(f.call(c, {"ping", "hi"}) == "$2\r\nhi\r\n");
  CHECK(f.call(c, {"PiNg", "a", "b"}) == "-ERR wrong number of arguments for 'ping' command\r\n");
  CHECK(f.call(c, {"ECHO", "x"}) == "$1\r\nx\r\n");
  f.send(c, "ECHO\r\n");  // inline form
  CHECK(f.read_reply(c) == "-ERR wrong number of arguments for 'echo' command\r\n");
}

TEST_CASE("node server: unknown command and subcommand errors", "[node_server]") {
  ServerFixture f;
  int c = f.connect();
  CHECK(f.call(c, {"foo", "bar"}) == "-ERR unknown command 'foo', with args beginning with: 'bar' \r\n");
  CHECK(f.call(c, {"config"}) == "-ERR wrong number of arguments for 'config' command\r\n");
  CHECK(f.call(c, {"config", "foo"}) == "-ERR unknown subcommand 'foo'. Try CONFIG HELP.\r\n");
  CHECK(f.call(c, {"client", "foo"}) == "-ERR unknown subcommand 'foo'. Try CLIENT HELP.\r\n");
  CHECK(f.call(c, {"config", "get"}) == "-ERR wrong number of arguments for 'config|get' command\r\n");
}

TEST_CASE("node server: SELECT", "[node_server]") {
  ServerFixture f;
  int c = f.connect();
  CHECK(f.call(c, {"SELECT", "16"}) == "-ERR DB index is out of range\r\n");
  CHECK(f.call(c, {"SELECT", "-1"}) == "-ERR DB index is out of range\r\n");
  CHECK(f.call(c, {"SELECT", "x"}) == "-ERR value is not an integer or out of range\r\n");
  CHECK(f.call(c, {"SELECT", "3"}) == "+OK\r\n");
  CHECK(f.call(c, {"SET", "k", "v"}) == "+OK\r\n");
  CHECK(f.call(c, {"DBSIZE"}) == ":1\r\n");
  CHECK(f.call(c, {"SELECT", "0"}) == "+OK\r\n");
  CHECK(f.call(c, {"DBSIZE"}) == ":0\r\n");
}

TEST_CASE("node server: AUTH without requirepass", "[node_server]") {
  ServerFixture f;
  int c = f.connect();
  CHECK(f.call(c, {"AUTH", "x"}) ==
        "-ERR AUTH <password> called without any password configured for the default user. Are you "
        "sure your configuration is correct?\r\n");
  CHECK(f.call(c, {"AUTH", "default", "x"}) == "+OK\r\n");
  CHECK(f.call(c, {"AUTH", "foo", "x"}) == "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  CHECK(f.call(c, {"AUTH", "a", "b", "c"}) == "-ERR syntax error\r\n");
}

TEST_CASE("node server: requirepass gates commands with NOAUTH", "[node_server]") {
  ServerFixture f([](vigil::node::NodeConfig& cfg) { cfg.requirepass = "pw"; });
  int c = f.connect();
  CHECK(f.call(c, {"GET", "x"}) == "-NOAUTH Authentication required.\r\n");
  CHECK(f.call(c, {"foo"}) == "-ERR unknown command 'foo', with args beginning with: \r\n");
  CHECK(f.call(c, {"HELLO", "3"}) ==
        "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
        "AUTH <user> <pass> option can be used to authenticate the client and select the RESP "
        "protocol version at the same time\r\n");
  CHECK(f.call(c, {"AUTH", "bad"}) == "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  CHECK(f.call(c, {"AUTH", "pw"}) == "+OK\r\n");
  CHECK(f.call(c, {"GET", "x"}) == "$-1\r\n");
  // HELLO AUTH authenticates another client in one step.
  int d = f.connect();
  std::string hello = f.call(d, {"HELLO", "2", "AUTH", "default", "pw", "SETNAME", "me"});
  CHECK(hello.rfind("*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n", 0) == 0);
  CHECK(f.call(d, {"CLIENT", "GETNAME"}) == "$2\r\nme\r\n");
  // RESET drops the authentication again.
  CHECK(f.call(d, {"RESET"}) == "+RESET\r\n");
  CHECK(f.call(d, {"GET", "x"}) == "-NOAUTH Authentication required.\r\n");
}

TEST_CASE("node server: HELLO errors and RESP3 map", "[node_server]") {
  ServerFixture f;
  int c = f.connect();
  CHECK(f.call(c, {"HELLO", "4"}) == "-NOPROTO unsupported protocol version\r\n");
  CHECK(f.call(c, {"HELLO", "x"}) == "-ERR Protocol version is not an integer or out of range\r\n");
  CHECK(f.call(c, {"HELLO", "2", "FOO"}) == "-ERR Syntax error in HELLO option 'FOO'\r\n");
  CHECK(f.call(c, {"HELLO", "2", "SETNAME", "a b"}) ==
        "-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
  std::string id = f.call(c, {"CLIENT", "ID"});
  std::string hello = f.call(c, {"HELLO", "3"});
  std::string expected = "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n"
                         "$2\r\nid\r\n" + id +
                         "$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n";
  CHECK(hello == expected);
  CHECK(f.call(c, {"GET", "missing"}) == "_\r\n");  // RESP3 null
}

TEST_CASE("node server: RESP2 pub/sub context restricts commands", "[node_server]") {
  ServerFixture f;
  int c = f.connect();
  CHECK(f.call(c, {"SUBSCRIBE", "a"}) == "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n");
  CHECK(f.call(c, {"GET", "x"}) ==
        "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are "
        "allowed in this context\r\n");
  CHECK(f.call(c, {"CLIENT", "SETNAME", "x"}) ==
        "-ERR Can't execute 'client|setname': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
        "RESET are allowed in this context\r\n");
  CHECK(f.call(c, {"PING"}) == "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  CHECK(f.call(c, {"PING", "hi"}) == "*2\r\n$4\r\npong\r\n$2\r\nhi\r\n");
  CHECK(f.call(c, {"UNSUBSCRIBE"}) == "*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:0\r\n");
  CHECK(f.call(c, {"UNSUBSCRIBE"}) == "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n");
  CHECK(f.call(c, {"PUNSUBSCRIBE"}) == "*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n");
  CHECK(f.call(c, {"GET", "x"}) == "$-1\r\n");
}

TEST_CASE("node server: CLIENT SETNAME/GETNAME/ID/INFO/LIST", "[node_server]") {
  ServerFixture f;
  int c = f.connect();
  CHECK(f.call(c, {"CLIENT", "GETNAME"}) == "$-1\r\n");
  CHECK(f.call(c, {"CLIENT", "SETNAME", "a b"}) ==
        "-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
  CHECK(f.call(c, {"CLIENT", "SETNAME", "worker"}) == "+OK\r\n");
  CHECK(f.call(c, {"CLIENT", "GETNAME"}) == "$6\r\nworker\r\n");
  std::string id = f.call(c, {"CLIENT", "ID"});
  REQUIRE(id.size() > 3);
  std::string num = id.substr(1, id.size() - 3);
  std::string info = f.call(c, {"CLIENT", "INFO"});
  CHECK(info.find("id=" + num + " addr=127.0.0.1:") != std::string::npos);
  CHECK(info.find(" name=worker ") != std::string::npos);
  CHECK(info.find(" cmd=client|info ") != std::string::npos);
  CHECK(info.find(" resp=2\n") != std::string::npos);
  int d = f.connect();
  f.call(d, {"SUBSCRIBE", "ch"});
  std::string pubsub_only = f.call(c, {"CLIENT", "LIST", "TYPE", "pubsub"});
  CHECK(pubsub_only.find("flags=P") != std::string::npos);
  CHECK(pubsub_only.find("name=worker") == std::string::npos);
  CHECK(f.call(c, {"CLIENT", "LIST", "TYPE", "bogus"}) == "-ERR Unknown client type 'bogus'\r\n");
  std::string by_id = f.call(c, {"CLIENT", "LIST", "ID", num});
  CHECK(by_id.find("name=worker") != std::string::npos);
}

TEST_CASE("node server: CLIENT KILL forms and errors", "[node_server]") {
  ServerFixture f;
  int c = f.connect();
  int victim = f.connect();
  std::string vid = f.call(victim, {"CLIENT", "ID"});
  vid = vid.substr(1, vid.size() - 3);
  CHECK(f.call(c, {"CLIENT", "KILL", "1.2.3.4:5"}) == "-ERR No such client\r\n");
  CHECK(f.call(c, {"CLIENT", "KILL", "ID", "x"}) == "-ERR client-id should be greater than 0\r\n");
  CHECK(f.call(c, {"CLIENT", "KILL", "FOO", "bar"}) == "-ERR syntax error\r\n");
  CHECK(f.call(c, {"CLIENT", "KILL", "ID", "999999"}) == ":0\r\n");
  CHECK(f.call(c, {"CLIENT", "KILL", "ID", vid}) == ":1\r\n");
  CHECK(f.closed_by_server(victim));
  // Old form by address, and SKIPME no killing ourselves after the reply.
  int v2 = f.connect();
  std::string info = f.call(v2, {"CLIENT", "INFO"});
  size_t a = info.find("addr=") + 5;
  std::string addr = info.substr(a, info.find(' ', a) - a);
  CHECK(f.call(c, {"CLIENT", "KILL", addr}) == "+OK\r\n");
  CHECK(f.closed_by_server(v2));
  CHECK(f.call(c, {"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "no"}) == ":1\r\n");
  CHECK(f.closed_by_server(c));
}

TEST_CASE("node server: CLIENT REPLY OFF/SKIP/ON", "[node_server]") {
  ServerFixture f;
  int c = f.connect();
  f.send(c, vigil::node::testing::encode_command({"CLIENT", "REPLY", "SKIP"}));
  f.send(c, vigil::node::testing::encode_command({"ECHO", "skipped"}));
  f.send(c, vigil::node::testing::encode_command({"ECHO", "seen"}));
  CHECK(f.read_reply(c) == "$4\r\nseen\r\n");
  f.send(c, vigil::node::testing::encode_command({"CLIENT", "REPLY", "OFF"}));
  f.send(c, vigil::node::testing::encode_command({"SET", "k", "v"}));
  f.send(c, vigil::node::testing::encode_command({"CLIENT", "REPLY", "ON"}));
  CHECK(f.read_reply(c) == "+OK\r\n");
  CHECK(f.call(c, {"GET", "k"}) == "$1\r\nv\r\n");
}

TEST_CASE("node server: QUIT and protocol errors close the connection", "[node_server]") {
  ServerFixture f;
  int c = f.connect();
  f.send(c, "QUIT\r\n");
  CHECK(f.read_reply(c) == "+OK\r\n");
  CHECK(f.closed_by_server(c));
  int d = f.connect();
  f.send(d, "*1\r\n$abc\r\n");
  CHECK(f.read_reply(d) == "-ERR Protocol error: invalid bulk length\r\n");
  CHECK(f.closed_by_server(d));
}

TEST_CASE("node server: maxclients from config", "[node_server]") {
  ServerFixture f([](vigil::node::NodeConfig& cfg) { cfg.maxclients = 1; });
  int c = f.connect();
  CHECK(f.call(c, {"PING"}) == "+PONG\r\n");
  int d = f.connect();
  CHECK(f.read_reply(d) == "-ERR max number of clients reached\r\n");
  CHECK(f.closed_by_server(d));
}

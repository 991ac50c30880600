// INFO sections, CONFIG GET/SET (applied to the live server), COMMAND, DEBUG,
// FLUSHDB/FLUSHALL through the NodeServer, over real sockets.
#include "tests/unit/node/test_server_util.h"

using vigil::node::testing::ServerFixture;

TEST_CASE("INFO: default sections, fields sentinels parse, keyspace", "[node_server][info]") {
  ServerFixture f;
  int c = f.connect();
  f.call(c, {"SET", "a", "1"});
  f.call(c, {"SELECT", "2"});
  f.call(c, {"SET", "b", "1"});
  f.call(c, {"EXPIRE", "b", "100"});
  std::string info = f.call(c, {"INFO"});
  for (const char* needle :
       {"# Server\r\nredis_version:7.0.15\r\n", "\r\n\r\n# Clients\r\nconnected_clients:1\r\n", "# Memory\r\nused_memory:",
        "# Persistence\r\n", "# Stats\r\n", "# Replication\r\nrole:master\r\n", "# CPU\r\n", "# Keyspace\r\n",
        "run_id:", "tcp_port:", "uptime_in_seconds:", "master_replid:", "master_repl_offset:",
        "db0:keys=1,expires=0,avg_ttl=0\r\n", "db2:keys=1,expires=1,"}) {
    INFO(needle);
    CHECK(info.find(needle) != std::string::npos);
  }
  CHECK(info.find("# Commandstats") == std::string::npos);
  std::string one = f.call(c, {"INFO", "keyspace"});
  CHECK(one.find("# Keyspace\r\ndb0:keys=1") != std::string::npos);
  CHECK(one.find("# Server") == std::string::npos);
  std::string two = f.call(c, {"INFO", "clients", "SERVER"});
  CHECK(two.find("# Server") < two.find("# Clients"));  // Redis's order, not the request's
  CHECK(f.call(c, {"INFO", "nosuchsection"}) == "$0\r\n\r\n");
  CHECK(f.call(c, {"INFO", "everything"}).find("# Commandstats") != std::string::npos);
}

TEST_CASE("CONFIG GET/SET reach the running server", "[node_server][config]") {
  ServerFixture f;
  int c = f.connect();
  CHECK(f.call(c, {"CONFIG", "GET", "maxclients"}) == "*2\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n");
  CHECK(f.call(c, {"CONFIG", "SET", "maxclients", "1"}) == "+OK\r\n");
  CHECK(f.server().net().limits().max_clients == 1);
  int d = f.connect();
  CHECK(f.read_reply(d) == "-ERR max number of clients reached\r\n");
  CHECK(f.call(c, {"CONFIG", "SET", "maxclients", "x"}) ==
        "-ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into "
        "an integer\r\n");
  CHECK(f.call(c, {"CONFIG", "SET", "timeout", "1", "maxmemory"}) == "-ERR syntax error\r\n");
  CHECK(f.call(c, {"CONFIG", "SET", "maxmemory", "100mb"}) == "+OK\r\n");
  CHECK(f.call(c, {"CONFIG", "GET", "maxmemory"}) == "*2\r\n$9\r\nmaxmemory\r\n$9\r\n104857600\r\n");
  CHECK(f.call(c, {"CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 0 0"}) == "+OK\r\n");
  CHECK(f.server().net().limits().output[2].hard_bytes == 1024 * 1024);
  CHECK(f.call(c, {"CONFIG", "GET", "client-output-buffer-limit"}) ==
        "*2\r\n$26\r\nclient-output-buffer-limit\r\n$59\r\nnormal 0 0 0 slave 268435456 67108864 60 "
        "pubsub 1048576 0 0\r\n");
  CHECK(f.call(c, {"CONFIG", "REWRITE"}) == "-ERR The server is running without a config file\r\n");
  CHECK(f.call(c, {"CONFIG", "RESETSTAT"}) == "+OK\r\n");
}

TEST_CASE("CONFIG SET port re-listens and keeps clients", "[node_server][config]") {
  ServerFixture f;
  int c = f.connect();
  int old_port = f.server().net().port();
  // Find a free port by binding one and releasing it.
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  int new_port = ntohs(a.sin_port);
  close(s);
  CHECK(f.call(c, {"CONFIG", "SET", "port", std::to_string(new_port)}) == "+OK\r\n");
  CHECK(f.server().net().port() == new_port);
  CHECK(new_port != old_port);
  CHECK(f.call(c, {"PING"}) == "+PONG\r\n");  // the existing client is still connected
}

TEST_CASE("COMMAND, DEBUG, FLUSHDB/FLUSHALL, TIME, ROLE", "[node_server][server]") {
  ServerFixture f;
  int c = f.connect();
  std::string count = f.call(c, {"COMMAND", "COUNT"});
  CHECK(count.size() > 3);
  CHECK(f.call(c, {"COMMAND", "INFO", "nosuch"}) == "*1\r\n$-1\r\n");
  CHECK(f.call(c, {"COMMAND", "INFO", "get"}).rfind("*1\r\n*10\r\n$3\r\nget\r\n:2\r\n", 0) == 0);
  CHECK(f.call(c, {"COMMAND", "GETKEYS", "set", "a", "b"}) == "*1\r\n$1\r\na\r\n");
  CHECK(f.call(c, {"COMMAND", "GETKEYS", "foo", "a"}) == "-ERR Invalid command specified\r\n");
  CHECK(f.call(c, {"COMMAND", "LIST", "FILTERBY", "PATTERN", "config*"}).find("$10\r\nconfig|get\r\n") !=
        std::string::npos);
  CHECK(f.call(c, {"DEBUG", "SLEEP", "0"}).rfind("-ERR DEBUG command not allowed.", 0) == 0);
  CHECK(f.call(c, {"ROLE"}) == "*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n");
  CHECK(f.call(c, {"TIME"}).rfind("*2\r\n$10\r\n", 0) == 0);
  f.call(c, {"SET", "a", "1"});
  f.call(c, {"SELECT", "1"});
  f.call(c, {"SET", "b", "1"});
  CHECK(f.call(c, {"FLUSHDB", "x"}) == "-ERR syntax error\r\n");
  CHECK(f.call(c, {"FLUSHDB", "ASYNC"}) == "+OK\r\n");
  CHECK(f.call(c, {"DBSIZE"}) == ":0\r\n");
  CHECK(f.call(c, {"SELECT", "0"}) == "+OK\r\n");
  CHECK(f.call(c, {"DBSIZE"}) == ":1\r\n");
  CHECK(f.call(c, {"FLUSHALL"}) == "+OK\r\n");
  CHECK(f.call(c, {"DBSIZE"}) == ":0\r\n");
}

TEST_CASE("DEBUG with enable-debug-command yes", "[node_server][server]") {
  ServerFixture f([](vigil::node::NodeConfig& cfg) { cfg.accepted_only["enable-debug-command"] = "yes"; });
  int c = f.connect();
  CHECK(f.call(c, {"DEBUG", "SLEEP", "0"}) == "+OK\r\n");
  CHECK(f.call(c, {"DEBUG", "SLEEP"}) ==
        "-ERR unknown subcommand or wrong number of arguments for 'SLEEP'. Try DEBUG HELP.\r\n");
  CHECK(f.call(c, {"DEBUG", "SET-ACTIVE-EXPIRE", "0"}) == "+OK\r\n");
  CHECK_FALSE(f.server().active_expire_enabled);
}

TEST_CASE("active expiry removes expired keys and propagates DEL", "[node_server][expire]") {
  ServerFixture f([](vigil::node::NodeConfig& cfg) { cfg.hz = 100; });
  int c = f.connect();
  CHECK(f.call(c, {"SET", "k", "v", "PX", "30"}) == "+OK\r\n");
  CHECK(f.run_until([&] { return f.server().db(0).size() == 0; }, 3000));
  CHECK(f.server().expired_keys == 1);
  bool saw_del = false;
  for (const auto& [db, argv] : f.propagated.seen) {
    if (argv == std::vector<std::string>{"DEL", "k"}) saw_del = true;
  }
  CHECK(saw_del);
}

#include <catch2/catch.hpp>

#include <climits>

#include "common/config/registry.h"

using namespace vigil::config;
using Pairs = std::vector<std::pair<std::string, std::string>>;

namespace {

struct Settings {
  int port = 0;
  long long maxmemory = 0;
  bool appendonly = false;
  std::string dir;
  std::string masterauth;
  int loglevel = 0;
  int timeout = 0;
  bool daemonize = false;
  std::string replicaof;
  std::vector<std::string> bind;
};

void setup(ConfigRegistry& reg, Settings& s) {
  reg.add_int("port", &s.port, 0, 65535, 6379);
  reg.add_memory("maxmemory", &s.maxmemory, 0, LLONG_MAX, 0LL);
  reg.add_bool("appendonly", &s.appendonly, false);
  reg.add_string("dir", &s.dir, "./", kProtected);
  reg.add_string("masterauth", &s.masterauth, "", kSensitive);
  reg.add_enum("loglevel", &s.loglevel, {{"debug", 0}, {"verbose", 1}, {"notice", 2}, {"warning", 3}}, 2);
  reg.add_int("timeout", &s.timeout, 0, INT_MAX, 0);
  reg.add_bool("daemonize", &s.daemonize, false, kImmutable);
  Param replicaof;
  replicaof.name = "replicaof";
  replicaof.aliases = {"slaveof"};
  replicaof.flags = kImmutable | kMultiArg;
  replicaof.get = [&s] { return s.replicaof; };
  replicaof.set = [&s](const std::vector<std::string>& args, std::string* err) {
    if (args.size() != 2) {
      *err = "wrong number of arguments";
      return 0;
    }
    s.replicaof = args[0] + " " + args[1];
    return 1;
  };
  reg.add(std::move(replicaof));
  Param bind;
  bind.name = "bind";
  bind.flags = kMultiArg;
  bind.get = [&s] {
    std::string out;
    for (const auto& b : s.bind) out += (out.empty() ? "" : " ") + b;
    return out;
  };
  bind.set = [&s](const std::vector<std::string>& args, std::string*) {
    s.bind = args;
    return 1;
  };
  reg.add(std::move(bind));
  reg.ignore_directive("list-max-ziplist-entries", 1, 1);
}

}  // namespace

TEST_CASE("typed parameters from directives, with Redis's fatal errors", "[config][registry]") {
  ConfigRegistry reg;
  Settings s;
  setup(reg, s);
  CHECK(s.port == 6379);
  auto ds = parse_directives(
      "port 7000\nmaxmemory 1gb\nappendonly YES\nslaveof 10.0.0.1 6379\nbind \"127.0.0.1 ::1\"\n"
      "loglevel Warning\nlist-max-ziplist-entries 5\n",
      nullptr);
  REQUIRE(ds);
  auto err = reg.apply_directives(*ds);
  REQUIRE_FALSE(err);
  CHECK(s.port == 7000);
  CHECK(s.maxmemory == 1024LL * 1024 * 1024);
  CHECK(s.appendonly);
  CHECK(s.replicaof == "10.0.0.1 6379");
  CHECK(s.bind == std::vector<std::string>{"127.0.0.1", "::1"});
  CHECK(s.loglevel == 3);

  struct Case {
    std::string text, message;
  };
  std::vector<Case> cases = {
      {"port 0\n# c\nfoo bar\n", "Bad directive or wrong number of arguments"},
      {"port abc\n", "argument couldn't be parsed into an integer"},
      {"port 99999\n", "argument must be between 0 and 65535 inclusive"},
      {"port 1 2\n", "wrong number of arguments"},
      {"maxmemory 1xb\n", "argument must be a memory value"},
      {"maxmemory -1\n", "argument must be a memory value"},
      {"appendonly maybe\n", "argument must be 'yes' or 'no'"},
      {"loglevel x\n", "argument(s) must be one of the following: debug, verbose, notice, warning"},
      {"list-max-ziplist-entries 1 2\n", "Bad directive or wrong number of arguments"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto parsed = parse_directives(c.text, nullptr);
    REQUIRE(parsed);
    auto e = reg.apply_directives(*parsed);
    REQUIRE(e);
    CHECK(e->message == c.message);
  }
  auto parsed = parse_directives("port 0\n# c\nfoo bar\n", nullptr);
  auto e = reg.apply_directives(*parsed);
  CHECK(format_fatal_error(*e) ==
        "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 3\n"
        ">>> 'foo bar'\nBad directive or wrong number of arguments\n");
}

TEST_CASE("unknown directives can be handled by the daemon", "[config][registry]") {
  ConfigRegistry reg;
  Settings s;
  setup(reg, s);
  std::vector<std::string> seen;
  auto ds = parse_directives("sentinel monitor m 127.0.0.1 6379 2\nrename-command x\n", nullptr);
  auto err = reg.apply_directives(*ds, [&](const Directive& d, std::string* e) {
    if (d.name == "sentinel") {
      seen.push_back(d.args[0]);
      return true;
    }
    *e = "rename-command needs two arguments";
    return false;
  });
  REQUIRE(err);
  CHECK(err->line == 2);
  CHECK(err->message == "rename-command needs two arguments");
  CHECK(seen == std::vector<std::string>{"monitor"});
}

TEST_CASE("CONFIG GET patterns and exact names", "[config][registry]") {
  ConfigRegistry reg;
  Settings s;
  setup(reg, s);
  CHECK(reg.config_get({"maxmemory"}) == Pairs{{"maxmemory", "0"}});
  CHECK(reg.config_get({"SlaveOf"}) == Pairs{{"SlaveOf", ""}});
  CHECK(reg.config_get({"nosuch"}).empty());
  auto pairs = reg.config_get({"MAX*", "maxmemory", "port"});
  CHECK(pairs == Pairs{{"maxmemory", "0"}, {"port", "6379"}});
  // Aliases match patterns too, as in redis-server's CONFIG GET *.
  auto all = reg.config_get({"*"});
  bool has_slaveof = false, has_replicaof = false;
  for (const auto& [k, v] : all) {
    has_slaveof |= k == "slaveof";
    has_replicaof |= k == "replicaof";
  }
  CHECK(has_slaveof);
  CHECK(has_replicaof);
}

TEST_CASE("CONFIG SET with redis-server's error texts", "[config][registry]") {
  ConfigRegistry reg;
  Settings s;
  setup(reg, s);
  CHECK(reg.config_set({"maxmemory", "100mb", "appendonly", "yes"}) == "");
  CHECK(s.maxmemory == 100LL * 1024 * 1024);
  CHECK(s.appendonly);
  CHECK(reg.config_set({"foo", "1"}) == "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
  CHECK(reg.config_set({"maxmemory", "abc"}) ==
        "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value");
  CHECK(reg.config_set({"port", "abc"}) ==
        "ERR CONFIG SET failed (possibly related to argument 'port') - argument couldn't be parsed into an integer");
  CHECK(reg.config_set({"port", "99999"}) ==
        "ERR CONFIG SET failed (possibly related to argument 'port') - argument must be between 0 and 65535 inclusive");
  CHECK(reg.config_set({"timeout", "-1"}) ==
        "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument must be between 0 and 2147483647 inclusive");
  CHECK(reg.config_set({"daemonize", "yes"}) ==
        "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config");
  CHECK(reg.config_set({"slaveof", "x"}) ==
        "ERR CONFIG SET failed (possibly related to argument 'slaveof') - can't set immutable config");
  CHECK(reg.config_set({"dir", "/tmp"}) ==
        "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config");
  CHECK(reg.config_set({"port", "1", "port", "2"}) ==
        "ERR CONFIG SET failed (possibly related to argument 'port') - duplicate parameter");
  CHECK(reg.config_set({"maxmemory", "1gb", "foo"}) == "ERR syntax error");
  // Multi-arg values split on single spaces.
  CHECK(reg.config_set({"bind", "a  b"}) == "");
  CHECK(s.bind == std::vector<std::string>{"a", "", "b"});
}

TEST_CASE("CONFIG SET is all-or-nothing, apply hooks can veto", "[config][registry]") {
  ConfigRegistry reg;
  Settings s;
  setup(reg, s);
  // A failing second value restores the first.
  CHECK(reg.config_set({"maxmemory", "5mb", "port", "abc"}) != "");
  CHECK(s.maxmemory == 0);
  int applied = 0;
  reg.find("port")->apply = [&](std::string* err) {
    applied++;
    if (s.port == 1) {
      *err = "Unable to listen on this port";
      return false;
    }
    return true;
  };
  CHECK(reg.config_set({"appendonly", "yes", "port", "1"}) ==
        "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port");
  CHECK(s.port == 6379);
  CHECK_FALSE(s.appendonly);
  CHECK(applied == 2);  // the failed apply, then the re-apply of the restored value
  CHECK(reg.config_set({"port", "7001"}) == "");
  CHECK(s.port == 7001);
  // Setting the same value again does not run apply.
  applied = 0;
  CHECK(reg.config_set({"port", "7001"}) == "");
  CHECK(applied == 0);
}

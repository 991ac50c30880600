#include <catch2/catch.hpp>

#include "common/command/command_table.h"

using namespace vigil::command;
using vigil::resp::ReplyBuilder;

namespace {

struct FakeCtx {
  int calls = 0;
};

CommandTable<FakeCtx> make_table() {
  CommandTable<FakeCtx> table;
  Command<FakeCtx> get;
  get.name = "get";
  get.arity = 2;
  get.flags = kReadonly | kFast;
  get.first_key = get.last_key = get.key_step = 1;
  get.acl_categories = {"@read", "@string", "@fast"};
  get.key_specs = {KeySpec{{"RO", "access"}, 1, 0, 1, 0}};
  get.handler = [](FakeCtx& c) { c.calls++; };
  table.add(get);

  Command<FakeCtx> config;
  config.name = "config";
  config.arity = -2;
  config.acl_categories = {"slow"};
  Command<FakeCtx> config_set;
  config_set.name = "set";
  config_set.arity = -4;
  config_set.flags = kAdmin | kNoScript | kLoading | kStale | kMayReplicate;
  config_set.acl_categories = {"@admin", "@slow", "@dangerous"};
  config_set.tips = {"request_policy:all_nodes", "response_policy:all_succeeded"};
  config.subcommands.emplace("set", config_set);
  table.add(config);
  return table;
}

}  // namespace

TEST_CASE("lookup is case-insensitive, subcommands too", "[command]") {
  auto table = make_table();
  REQUIRE(table.size() == 2);
  const auto* get = table.find("GeT");
  REQUIRE(get != nullptr);
  REQUIRE(get->name == "get");
  FakeCtx ctx;
  get->handler(ctx);
  REQUIRE(ctx.calls == 1);
  REQUIRE(table.find("nope") == nullptr);
  const auto* config = table.find("CONFIG");
  REQUIRE(config != nullptr);
  REQUIRE(table.find_subcommand(*config, "SET") != nullptr);
  REQUIRE(table.find_subcommand(*config, "x") == nullptr);
  REQUIRE(get->arity_ok(2));
  REQUIRE_FALSE(get->arity_ok(3));
  REQUIRE(config->arity_ok(5));
  REQUIRE_FALSE(config->arity_ok(1));
}

TEST_CASE("COMMAND INFO entry is byte-identical to redis-server 7.0 for GET", "[command]") {
  auto table = make_table();
  std::string out;
  ReplyBuilder r(out);
  CommandTable<FakeCtx>::write_info(r, *table.find("get"));
  // Captured from redis-server 7.0.15: COMMAND INFO get (inner entry).
  REQUIRE(out ==
          "*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n"
          "+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\n"
          "begin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n"
          "$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n"
          ":0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n");
}

TEST_CASE("COMMAND INFO for a container command lists full subcommand names", "[command]") {
  auto table = make_table();
  std::string out;
  ReplyBuilder r(out);
  CommandTable<FakeCtx>::write_info(r, *table.find("config"));
  // Same bytes as redis-server 7.0.15 for "config" restricted to its SET subcommand.
  REQUIRE(out ==
          "*10\r\n$6\r\nconfig\r\n:-2\r\n*0\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n*0\r\n*0\r\n*1\r\n"
          "*10\r\n$10\r\nconfig|set\r\n:-4\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n+stale\r\n"
          ":0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*2\r\n$24\r\n"
          "request_policy:all_nodes\r\n$29\r\nresponse_policy:all_succeeded\r\n*0\r\n*0\r\n");
}

TEST_CASE("derived key spec when none is declared", "[command]") {
  Command<FakeCtx> mset;
  mset.name = "mset";
  mset.arity = -3;
  mset.first_key = 1;
  mset.last_key = -1;
  mset.key_step = 2;
  std::string out;
  ReplyBuilder r(out);
  CommandTable<FakeCtx>::write_info(r, mset);
  REQUIRE(out.find("$7\r\nlastkey\r\n:-1\r\n$7\r\nkeystep\r\n:2\r\n") != std::string::npos);
}

TEST_CASE("flag names follow Redis's order and hide internal flags", "[command]") {
  auto names = flag_names(kFast | kWrite | kMayReplicate | kSentinel | kOnlySentinel | kNoAuth);
  REQUIRE(names == std::vector<std::string_view>{"write", "fast", "no_auth"});
}

TEST_CASE("dispatch error texts match redis-server 7.0", "[command]") {
  REQUIRE(unknown_command_error("foo", {"foo", "a", "b"}) ==
          "ERR unknown command 'foo', with args beginning with: 'a' 'b' ");
  REQUIRE(unknown_command_error("foo", {"foo"}) == "ERR unknown command 'foo', with args beginning with: ");
  REQUIRE(unknown_command_error("fo\r\no", {"fo\r\no", "x\ny"}) ==
          "ERR unknown command 'fo  o', with args beginning with: 'x y' ");
  // Arguments are cut once 128 bytes of them have been printed.
  std::string long_arg(200, 'x');
  std::string err = unknown_command_error("foo", {"foo", long_arg, "second"});
  REQUIRE(err == "ERR unknown command 'foo', with args beginning with: '" + std::string(128, 'x') + "' ");
  REQUIRE(unknown_subcommand_error("x", "config") == "ERR unknown subcommand 'x'. Try CONFIG HELP.");
  REQUIRE(wrong_arity_error("GET") == "ERR wrong number of arguments for 'get' command");
  REQUIRE(wrong_arity_sub_error("CONFIG", "Get") == "ERR wrong number of arguments for 'config|get' command");
}

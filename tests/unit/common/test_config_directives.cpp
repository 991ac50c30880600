#include <catch2/catch.hpp>

#include "common/config/command_line.h"
#include "common/config/directives.h"
#include "common/config/yaml_config.h"

using namespace vigil::config;
using Args = std::vector<std::string>;

TEST_CASE("redis.conf text: comments, blanks, quoting, line numbers", "[config]") {
  std::string text =
      "# comment\n"
      "\n"
      "  Port 6380  \r\n"
      "bind 127.0.0.1 ::1\n"
      "   # indented comment\n"
      "requirepass \"a b\\x41\"\n"
      "save ''\n";
  ConfigError err;
  auto ds = parse_directives(text, &err);
  REQUIRE(ds);
  REQUIRE(ds->size() == 4);
  CHECK((*ds)[0].name == "port");
  CHECK((*ds)[0].args == Args{"6380"});
  CHECK((*ds)[0].line == 3);
  CHECK((*ds)[0].text == "Port 6380");
  CHECK((*ds)[1].args == Args{"127.0.0.1", "::1"});
  CHECK((*ds)[2].args == Args{"a bA"});
  CHECK((*ds)[3].args == Args{""});
  CHECK((*ds)[3].line == 7);
}

TEST_CASE("unbalanced quotes give Redis's fatal error", "[config]") {
  ConfigError err;
  REQUIRE_FALSE(parse_directives("port 1\nappendonly \"yes\n", &err));
  CHECK(err.line == 2);
  CHECK(format_fatal_error(err) ==
        "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"
        "Reading the configuration file, at line 2\n"
        ">>> 'appendonly \"yes'\n"
        "Unbalanced quotes in configuration line\n");
}

TEST_CASE("repr and format_line round-trip through the tokenizer", "[config]") {
  CHECK(repr("a\"b\\c\n\x01") == "\"a\\\"b\\\\c\\n\\x01\"");
  std::string line = format_line("rename-command", {"FLUSHALL", "", "a b", "#x", "plain"});
  CHECK(line == "rename-command FLUSHALL \"\" \"a b\" \"#x\" plain");
  auto ds = parse_directives(line, nullptr);
  REQUIRE(ds);
  CHECK((*ds)[0].args == Args{"FLUSHALL", "", "a b", "#x", "plain"});
}

TEST_CASE("command line like redis-server main()", "[config][cmdline]") {
  auto cl = parse_command_line({"/etc/redis.conf", "--port", "6380", "--bind", "a", "b", "--save", "--appendonly", "yes"});
  REQUIRE(cl.config_file == "/etc/redis.conf");
  CHECK_FALSE(cl.config_from_stdin);
  CHECK(cl.options == "port \"6380\" \nbind \"a\" \"b\" \nsave \"\"\nappendonly \"yes\" ");
  auto ds = parse_directives("\n" + cl.options, nullptr);
  REQUIRE(ds);
  REQUIRE(ds->size() == 4);
  CHECK((*ds)[1].args == Args{"a", "b"});
  CHECK((*ds)[2].name == "save");
  CHECK((*ds)[2].args == Args{""});

  // A "--x" right after an option without value is that option's value.
  auto cl2 = parse_command_line({"--port", "--x"});
  CHECK_FALSE(cl2.config_file);
  CHECK(cl2.options == "port \"--x\" ");
  // One word holding name and value.
  CHECK(parse_command_line({"--port 7000", "--dir", "/tmp"}).options == "port 7000 \ndir \"/tmp\" ");
  // Lone "-" first or last: stdin.
  CHECK(parse_command_line({"-", "--port", "1"}).config_from_stdin);
  CHECK(parse_command_line({"--port", "1", "-"}).config_from_stdin);
  // --sentinel is a pseudo option with no value.
  CHECK(parse_command_line({"s.conf", "--sentinel", "--port", "1"}).options == "sentinel \nport \"1\" ");
  // Relative config path becomes absolute.
  auto rel = parse_command_line({"x.conf"});
  REQUIRE(rel.config_file);
  CHECK(rel.config_file->front() == '/');
}

TEST_CASE("command-line errors carry Redis's line numbers", "[config][cmdline]") {
  // redis-server --port 0 --foo bar reports line 3: 'foo "bar"'.
  auto cl = parse_command_line({"--port", "0", "--foo", "bar"});
  std::string err;
  auto text = assemble_config_text(cl, &err);
  REQUIRE(text);
  auto ds = parse_directives(*text, nullptr);
  REQUIRE(ds);
  CHECK((*ds)[1].line == 3);
  CHECK((*ds)[1].text == "foo \"bar\"");
}

TEST_CASE("missing config file", "[config][cmdline]") {
  auto cl = parse_command_line({"/nonexistent/vigil.conf"});
  std::string err;
  REQUIRE_FALSE(assemble_config_text(cl, &err));
  CHECK(err == "Fatal error, can't open config file '/nonexistent/vigil.conf': No such file or directory");
}

TEST_CASE("is_yaml tells the formats apart by content", "[config][yaml]") {
  CHECK(is_yaml("port: 6379\n"));
  CHECK(is_yaml("# c\n\n---\nport: 1\n"));
  CHECK(is_yaml("masters:\n  a: {}\n"));
  CHECK(is_yaml("- a\n"));
  CHECK_FALSE(is_yaml("port 6379\n"));
  CHECK_FALSE(is_yaml("# port: 1\nsentinel monitor m 127.0.0.1 1 2\n"));
  CHECK_FALSE(is_yaml("bind 127.0.0.1 ::1\n"));
  CHECK_FALSE(is_yaml(""));
}

TEST_CASE("YAML maps onto directives", "[config][yaml]") {
  std::string text =
      "port: 6380\n"
      "bind: [127.0.0.1, \"::1\"]\n"
      "appendonly: true\n"
      "protected-mode: \"false\"\n"
      "requirepass:\n"
      "save: [3600, 1, 300, 100]\n"
      "rename-command:\n"
      "  - [FLUSHALL, \"\"]\n"
      "  - [KEYS, LISTKEYS]\n"
      "masters:\n"
      "  mymaster:\n"
      "    host: 127.0.0.1\n"
      "    quorum: 2\n";
  ConfigError err;
  auto y = parse_yaml(text, &err);
  REQUIRE(y);
  REQUIRE(y->directives.size() == 8);
  CHECK(y->directives[0].name == "port");
  CHECK(y->directives[0].args == Args{"6380"});
  CHECK(y->directives[0].line == 1);
  CHECK(y->directives[1].args == Args{"127.0.0.1", "::1"});
  CHECK(y->directives[2].args == Args{"yes"});
  CHECK(y->directives[3].args == Args{"false"});
  CHECK(y->directives[4].args == Args{""});
  CHECK(y->directives[5].args == Args{"3600", "1", "300", "100"});
  CHECK(y->directives[6].args == Args{"FLUSHALL", ""});
  CHECK(y->directives[7].name == "rename-command");
  CHECK(y->directives[7].args == Args{"KEYS", "LISTKEYS"});
  CHECK(y->directives[7].line == 7);
  REQUIRE(y->sections.size() == 1);
  CHECK(y->sections[0].key == "masters");
  CHECK(y->sections[0].node["mymaster"]["quorum"].as<int>() == 2);
}

TEST_CASE("bad YAML is a located config error", "[config][yaml]") {
  ConfigError err;
  REQUIRE_FALSE(parse_yaml("port: 1\nbind: [a, b\n", &err));
  CHECK(err.line >= 2);
  CHECK(err.message.rfind("YAML: ", 0) == 0);
  REQUIRE_FALSE(parse_yaml("- a\n- b\n", &err));
  REQUIRE_FALSE(parse_yaml("x:\n  - [a]\n  - {b: c}\n", &err));
}

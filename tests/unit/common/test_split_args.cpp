#include <catch2/catch.hpp>

#include "common/util/split_args.h"

using vigil::util::split_args;
using Args = std::vector<std::string>;

TEST_CASE("sdssplitargs semantics", "[util][split]") {
  REQUIRE(split_args("") == Args{});
  REQUIRE(split_args("   \t ") == Args{});
  REQUIRE(split_args("set a b") == Args{"set", "a", "b"});
  REQUIRE(split_args("  set   a\tb  ") == Args{"set", "a", "b"});
  REQUIRE(split_args("\"a b\" 'c d'") == Args{"a b", "c d"});
  REQUIRE(split_args("\"\\x41\\x4a\\n\\r\\t\\b\\a\\\\\\\"\"") == Args{"AJ\n\r\t\b\a\\\""});
  REQUIRE(split_args("'it\\'s' '\\n'") == Args{"it's", "\\n"});
  REQUIRE(split_args("a\"b c\"") == Args{"ab c"});
  REQUIRE(split_args("\"\"") == Args{""});
  REQUIRE(split_args("\"\\xZZ\"") == Args{"xZZ"});
  REQUIRE_FALSE(split_args("\"abc").has_value());
  REQUIRE_FALSE(split_args("'abc").has_value());
  REQUIRE_FALSE(split_args("\"a\"b").has_value());
  REQUIRE_FALSE(split_args("'a'b").has_value());
  REQUIRE(split_args(std::string_view("a\0b c", 5)) == Args{"a"});
}

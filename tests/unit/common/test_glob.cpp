#include <catch2/catch.hpp>

#include <string>

#include "common/util/glob.h"

using vigil::util::stringmatchlen;

TEST_CASE("Redis glob patterns", "[util][glob]") {
  // Redis 7.0 quirk (checked with PSUBSCRIBE * / PUBLISH ""): "*" does not match "".
  REQUIRE_FALSE(stringmatchlen("*", ""));
  REQUIRE(stringmatchlen("*", "anything"));
  REQUIRE(stringmatchlen("h?llo", "hello"));
  REQUIRE_FALSE(stringmatchlen("h?llo", "hllo"));
  REQUIRE(stringmatchlen("h*llo", "heeeello"));
  REQUIRE(stringmatchlen("h[ae]llo", "hallo"));
  REQUIRE_FALSE(stringmatchlen("h[ae]llo", "hillo"));
  REQUIRE(stringmatchlen("h[^e]llo", "hallo"));
  REQUIRE_FALSE(stringmatchlen("h[^e]llo", "hello"));
  REQUIRE(stringmatchlen("h[a-b]llo", "hbllo"));
  REQUIRE(stringmatchlen("h[b-a]llo", "hallo"));  // reversed range
  REQUIRE(stringmatchlen("h\\*llo", "h*llo"));
  REQUIRE_FALSE(stringmatchlen("h\\*llo", "hello"));
  REQUIRE(stringmatchlen("max*", "maxmemory"));
  REQUIRE(stringmatchlen("*memory*", "maxmemory-policy"));
  REQUIRE_FALSE(stringmatchlen("a*b", "acbd"));
  REQUIRE(stringmatchlen("a*", "a"));
  REQUIRE(stringmatchlen("a**", "a"));
  REQUIRE(stringmatchlen("[abc", "a"));  // unterminated class
  REQUIRE_FALSE(stringmatchlen("", "a"));
  REQUIRE(stringmatchlen("", ""));
}

TEST_CASE("nocase glob", "[util][glob]") {
  REQUIRE(stringmatchlen("MAX*", "maxmemory", true));
  REQUIRE_FALSE(stringmatchlen("MAX*", "maxmemory", false));
  REQUIRE(stringmatchlen("[A-C]x", "bX", true));
}

TEST_CASE("pathological patterns finish quickly", "[util][glob]") {
  std::string pattern;
  for (int i = 0; i < 30; i++) pattern += "a*";
  pattern += "b";
  std::string str(5000, 'a');
  REQUIRE_FALSE(stringmatchlen(pattern, str));
  std::string stars;
  for (int i = 0; i < 100000; i++) stars += "*a";
  REQUIRE_FALSE(stringmatchlen(stars, std::string(100, 'a')));
}

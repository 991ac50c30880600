// Value types: hash and set encodings/conversions, sorted-set skiplist
// ordering, ranks and ranges.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "node/store/hash.h"
#include "node/store/set.h"
#include "node/store/zset.h"

using namespace vigil::node::store;

TEST_CASE("hash keeps insertion order while small and converts when big", "[store]") {
  Hash h;
  REQUIRE(h.set("b", "1"));
  REQUIRE(h.set("a", "2"));
  REQUIRE_FALSE(h.set("b", "3"));
  std::vector<std::string> order;
  h.for_each([&](std::string_view f, std::string_view) { order.emplace_back(f); });
  REQUIRE(order == std::vector<std::string>{"b", "a"});
  REQUIRE(*h.get("b") == "3");
  REQUIRE(h.is_listpack());
  h.set("long", std::string(65, 'x'));
  REQUIRE(h.encoding() == "hashtable");
  REQUIRE(*h.get("a") == "2");
  REQUIRE(h.remove("a"));
  REQUIRE_FALSE(h.remove("a"));
  REQUIRE(h.size() == 2);

  Hash big;
  for (int i = 0; i < 600; ++i) big.set("f" + std::to_string(i), "v");
  REQUIRE(big.encoding() == "hashtable");
  REQUIRE(big.size() == 600);
  std::set<std::string> scanned;
  uint64_t c = 0;
  do {
    c = big.scan(c, [&](std::string_view f, std::string_view) { scanned.emplace(f); });
  } while (c);
  REQUIRE(scanned.size() == 600);
}

TEST_CASE("set is an ordered intset for integers and converts otherwise", "[store]") {
  Set s;
  REQUIRE(s.add("3"));
  REQUIRE(s.add("-1"));
  REQUIRE(s.add("2"));
  REQUIRE_FALSE(s.add("2"));
  REQUIRE(s.is_intset());
  std::vector<std::string> members;
  s.for_each([&](std::string_view m) { members.emplace_back(m); });
  REQUIRE(members == std::vector<std::string>{"-1", "2", "3"});
  REQUIRE(s.contains("2"));
  REQUIRE_FALSE(s.contains("02"));  // not canonical: not the integer 2
  REQUIRE(s.add("02"));
  REQUIRE(s.encoding() == "hashtable");
  REQUIRE(s.contains("2"));
  REQUIRE(s.contains("02"));
  REQUIRE(s.size() == 4);
  std::set<std::string> popped;
  while (!s.empty()) popped.insert(s.pop_random());
  REQUIRE(popped == std::set<std::string>{"-1", "2", "3", "02"});

  Set big;
  for (int i = 0; i < 513; ++i) big.add(std::to_string(i));
  REQUIRE(big.encoding() == "hashtable");
  REQUIRE(big.contains("512"));
}

TEST_CASE("zset orders by score then member with correct ranks", "[store]") {
  ZSet z;
  z.insert("c", 1);
  z.insert("a", 1);
  z.insert("b", 0.5);
  z.insert("d", 2);
  std::vector<std::string> order;
  z.for_each([&](std::string_view m, double) { order.emplace_back(m); });
  REQUIRE(order == std::vector<std::string>{"b", "a", "c", "d"});
  REQUIRE(z.rank_of(z.find("c")) == 2);
  REQUIRE(z.at_rank(0)->member() == "b");
  REQUIRE(z.at_rank(3)->member() == "d");
  REQUIRE(z.last()->member() == "d");

  z.update_score(z.find("b"), 10);
  REQUIRE(z.last()->member() == "b");
  REQUIRE(z.rank_of(z.find("b")) == 3);
  REQUIRE(*z.score("b") == 10);
  REQUIRE(z.remove("a"));
  REQUIRE_FALSE(z.remove("a"));
  REQUIRE(z.size() == 3);
}

TEST_CASE("zset score and lex ranges", "[store]") {
  ZSet z;
  for (int i = 0; i < 10; ++i) z.insert(std::string(1, static_cast<char>('a' + i)), i);
  ScoreRange r{2, 5, false, true};
  REQUIRE(z.first_in_range(r)->member() == "c");
  REQUIRE(z.last_in_range(r)->member() == "e");
  ScoreRange empty{5, 5, true, false};
  REQUIRE(z.first_in_range(empty) == nullptr);
  ScoreRange outside{20, 30, false, false};
  REQUIRE(z.last_in_range(outside) == nullptr);

  ZSet lex;
  for (const char* m : {"a", "b", "c", "d", "e"}) lex.insert(m, 0);
  LexRange lr;
  lr.min = {LexBound::kValue, "b", true};
  lr.max = {LexBound::kPosInf, "", true};
  REQUIRE(lex.first_in_lex_range(lr)->member() == "c");
  REQUIRE(lex.last_in_lex_range(lr)->member() == "e");
  LexRange none;
  none.min = {LexBound::kPosInf, "", true};
  none.max = {LexBound::kNegInf, "", true};
  REQUIRE(lex.first_in_lex_range(none) == nullptr);
}

TEST_CASE("zset matches a reference model under random operations", "[store]") {
  ZSet z;
  std::map<std::string, double> model;
  uint64_t seed = 42;
  auto rnd = [&] { seed = seed * 6364136223846793005ull + 1442695040888963407ull; return seed >> 33; };
  for (int i = 0; i < 20000; ++i) {
    std::string m = "m" + std::to_string(rnd() % 500);
    double s = static_cast<double>(rnd() % 100);
    int op = static_cast<int>(rnd() % 3);
    if (op == 0) {
      if (model.count(m)) {
        z.update_score(z.find(m), s);
      } else {
        z.insert(m, s);
      }
      model[m] = s;
    } else if (op == 1) {
      REQUIRE(z.remove(m) == (model.erase(m) == 1));
    } else if (!model.empty()) {
      std::vector<std::pair<double, std::string>> sorted;
      for (auto& [mm, ss] : model) sorted.emplace_back(ss, mm);
      std::sort(sorted.begin(), sorted.end());
      size_t r = rnd() % sorted.size();
      REQUIRE(z.at_rank(r)->member() == sorted[r].second);
      REQUIRE(z.rank_of(z.find(sorted[r].second)) == r);
      // Score ranges (they search by the scores cached in the levels).
      ScoreRange range;
      range.min = static_cast<double>(rnd() % 100);
      range.max = range.min + static_cast<double>(rnd() % 20);
      auto lo = std::find_if(sorted.begin(), sorted.end(), [&](auto& p) { return p.first >= range.min; });
      auto hi = std::find_if(sorted.rbegin(), sorted.rend(), [&](auto& p) { return p.first <= range.max; });
      ZSet::Node* first = z.first_in_range(range);
      if (lo == sorted.end() || lo->first > range.max) {
        REQUIRE(first == nullptr);
      } else {
        REQUIRE(first->member() == lo->second);
        REQUIRE(z.last_in_range(range)->member() == hi->second);
      }
    }
    REQUIRE(z.size() == model.size());
  }
  // Both directions of the level-0 list agree with the model's order.
  std::vector<std::pair<double, std::string>> sorted;
  for (auto& [mm, ss] : model) sorted.emplace_back(ss, mm);
  std::sort(sorted.begin(), sorted.end());
  size_t i = 0;
  for (ZSet::Node* n = z.first(); n; n = n->next(), ++i) {
    REQUIRE(n->member() == sorted[i].second);
    REQUIRE(n->score == sorted[i].first);
  }
  REQUIRE(i == sorted.size());
  for (ZSet::Node* n = z.last(); n; n = n->prev()) REQUIRE(n->member() == sorted[--i].second);
}

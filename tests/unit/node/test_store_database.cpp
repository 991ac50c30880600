// Keyspace behaviour: strings in entries, expiry (lazy, policies, active
// cycle), SCAN guarantees across resizes, rename/copy/move, random keys.
#include <catch2/catch.hpp>

#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "node/store/database.h"

using namespace vigil::node::store;

namespace {
std::string k(int i) { return "key:" + std::to_string(i); }
}  // namespace

TEST_CASE("strings are stored, overwritten and resized in place", "[store]") {
  Database db;
  Entry* e = db.set_string("a", "hello");
  REQUIRE(e->type() == ValueType::kString);
  REQUIRE(e->str() == "hello");
  REQUIRE(db.size() == 1);

  e = db.set_string("a", std::string(1000, 'x'));
  REQUIRE(db.find("a", 0)->str().size() == 1000);
  e = db.update_string(db.find("a", 0), "short");
  REQUIRE(db.find("a", 0) == e);
  REQUIRE(e->str() == "short");

  // APPEND-style growth keeps content and relinks the moved entry.
  for (int i = 0; i < 200; ++i) {
    Entry* cur = db.find("a", 0);
    size_t old = cur->str().size();
    char* p = db.resize_string(cur, old + 3);
    std::memcpy(p + old, "abc", 3);
  }
  REQUIRE(db.find("a", 0)->str().size() == 5 + 600);
  REQUIRE(db.find("a", 0)->str().substr(0, 8) == "shortabc");
  REQUIRE(db.size() == 1);
}

TEST_CASE("overwriting a non-string with a string frees the object", "[store]") {
  Database db;
  Entry* e = db.add_list("l");
  e->list().items.push_back("x");
  db.set_string("l", "now a string");
  REQUIRE(db.find("l", 0)->type() == ValueType::kString);
  REQUIRE(db.find("l", 0)->str() == "now a string");
}

TEST_CASE("set_string clears the TTL unless keep_ttl", "[store]") {
  Database db;
  db.set_expire(db.set_string("a", "1"), 5000);
  REQUIRE(db.expire_at(db.find("a", 0)) == 5000);
  db.set_string("a", "2", /*keep_ttl=*/true);
  REQUIRE(db.expire_at(db.find("a", 0)) == 5000);
  // A reallocating update must keep the expiry table pointing at the entry.
  db.update_string(db.find("a", 0), std::string(500, 'z'));
  REQUIRE(db.expire_at(db.find("a", 0)) == 5000);
  db.set_string("a", "3");
  REQUIRE(db.expire_at(db.find("a", 0)) == -1);
  REQUIRE(db.expires_count() == 0);
}

TEST_CASE("lazy expiry deletes on access and reports the key", "[store]") {
  Database db;
  std::vector<std::string> expired;
  db.on_expired = [&](const std::string& key) { expired.push_back(key); };
  db.set_expire(db.set_string("a", "1"), 1000);
  REQUIRE(db.find("a", 999) != nullptr);
  REQUIRE(db.find("a", 1000) == nullptr);
  REQUIRE(expired == std::vector<std::string>{"a"});
  REQUIRE(db.size() == 0);
  REQUIRE(db.expires_count() == 0);
}

TEST_CASE("expiry policies for replicas", "[store]") {
  Database db;
  int hooks = 0;
  db.on_expired = [&](const std::string&) { ++hooks; };
  db.set_expire(db.set_string("a", "1"), 1000);
  db.set_expiry_policy(ExpiryPolicy::kHide);
  REQUIRE(db.find("a", 2000) == nullptr);
  REQUIRE(db.size() == 1);
  db.set_expiry_policy(ExpiryPolicy::kIgnore);
  REQUIRE(db.find("a", 2000) != nullptr);
  REQUIRE(db.active_expire_cycle(2000, 1000).expired == 0);
  REQUIRE(hooks == 0);
  db.set_expiry_policy(ExpiryPolicy::kDelete);
  REQUIRE(db.find("a", 2000) == nullptr);
  REQUIRE(hooks == 1);
}

TEST_CASE("active expiry removes expired keys and keeps live ones", "[store]") {
  Database db;
  size_t hooks = 0;
  db.on_expired = [&](const std::string&) { ++hooks; };
  for (int i = 0; i < 5000; ++i) db.set_expire(db.set_string(k(i), "v"), i < 4000 ? 100 : 100000);
  for (int i = 0; i < 1000; ++i) db.set_string("persistent:" + std::to_string(i), "v");
  size_t total = 0;
  for (int round = 0; round < 1000 && db.expires_count() > 1000; ++round) {
    total += db.active_expire_cycle(200, 25000).expired;
  }
  REQUIRE(total == 4000);
  REQUIRE(hooks == 4000);
  REQUIRE(db.size() == 2000);
  REQUIRE(db.expires_count() == 1000);
  REQUIRE(db.avg_ttl() > 0);
}

TEST_CASE("scan returns every key present for the whole scan, across resizes", "[store]") {
  Database db;
  for (int i = 0; i < 1000; ++i) db.set_string(k(i), "v");
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int steps = 0;
  int next = 1000;
  do {
    cursor = db.scan(cursor, [&](const Entry& e) { seen.insert(std::string(e.key())); });
    // Grow the table while scanning (forces rehashing mid-scan), for a while.
    if (steps < 80)
      for (int j = 0; j < 50; ++j) db.set_string(k(next++), "v");
    ++steps;
  } while (cursor != 0 && steps < 100000);
  for (int i = 0; i < 1000; ++i) REQUIRE(seen.count(k(i)) == 1);
}

TEST_CASE("scan survives shrinking", "[store]") {
  Database db;
  for (int i = 0; i < 4000; ++i) db.set_string(k(i), "v");
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int removed = 0;
  do {
    cursor = db.scan(cursor, [&](const Entry& e) { seen.insert(std::string(e.key())); });
    for (int j = 0; j < 40 && removed < 3900; ++j) db.remove(k(100 + removed++));
  } while (cursor != 0);
  for (int i = 0; i < 100; ++i) REQUIRE(seen.count(k(i)) == 1);
}

TEST_CASE("rename, copy and move keep value and TTL", "[store]") {
  Database db(0), other(1);
  Entry* e = db.set_string("src", "value");
  db.set_expire(e, 9000);
  db.set_string("dst", "old");
  Entry* r = db.rename(db.find("src", 0), "dst");
  REQUIRE(r->key() == "dst");
  REQUIRE(r->str() == "value");
  REQUIRE(db.expire_at(r) == 9000);
  REQUIRE(db.find("src", 0) == nullptr);
  REQUIRE(db.size() == 1);

  Entry* h = db.add_hash("h");
  h->hash().set("f", "v");
  db.copy_to(h, other, "h2");
  h->hash().set("f", "changed");
  REQUIRE(*other.find("h2", 0)->hash().get("f") == "v");

  db.move_to(db.find("dst", 0), other);
  REQUIRE(db.find("dst", 0) == nullptr);
  REQUIRE(other.find("dst", 0)->str() == "value");
  REQUIRE(other.expire_at(other.find("dst", 0)) == 9000);
  REQUIRE(db.expires_count() == 0);
  REQUIRE(other.expires_count() == 1);

  // Renaming a list moves the object, not a copy.
  Entry* l = db.add_list("l");
  l->list().items.push_back("x");
  List* obj = &l->list();
  REQUIRE(&db.rename(l, "l2")->list() == obj);
}

TEST_CASE("random_key skips expired keys and handles empty databases", "[store]") {
  Database db;
  REQUIRE_FALSE(db.random_key(0).has_value());
  db.set_expire(db.set_string("dead", "1"), 10);
  db.set_string("live", "1");
  for (int i = 0; i < 20; ++i) REQUIRE(db.random_key(100) == std::optional<std::string>("live"));
  REQUIRE(db.size() == 1);
}

TEST_CASE("for_each visits every key with its expiry; clear empties", "[store]") {
  Database db;
  for (int i = 0; i < 100; ++i) {
    Entry* e = db.set_string(k(i), "v");
    if (i % 2) db.set_expire(e, 1000 + i);
  }
  int with_ttl = 0, total = 0;
  db.for_each([&](const Entry& e, int64_t expire) {
    ++total;
    if (expire >= 0) {
      ++with_ttl;
      REQUIRE(expire == 1000 + std::stoi(std::string(e.key().substr(4))));
    }
  });
  REQUIRE(total == 100);
  REQUIRE(with_ttl == 50);
  db.clear();
  REQUIRE(db.size() == 0);
  REQUIRE(db.expires_count() == 0);
}

TEST_CASE("encodings are reported as Redis 7.0 names them", "[store]") {
  Database db;
  REQUIRE(db.set_string("i", "12345")->encoding() == "int");
  REQUIRE(db.set_string("e", "hello")->encoding() == "embstr");
  REQUIRE(db.set_string("r", std::string(45, 'x'))->encoding() == "raw");
  REQUIRE(db.add_list("l")->encoding() == "quicklist");
  REQUIRE(db.add_hash("h")->encoding() == "listpack");
  REQUIRE(db.add_set("s")->encoding() == "intset");
  REQUIRE(db.add_zset("z")->encoding() == "listpack");
}

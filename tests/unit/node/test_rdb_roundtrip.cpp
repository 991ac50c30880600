// RDB writer + reader over the real store: exact bytes for the reference
// example, round trips of every type and encoding, and corrupt input that
// must fail with an offset instead of crashing or loading silently.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "node/persistence/number_text.h"
#include "node/persistence/rdb_snapshot.h"
#include "node/persistence/rdb_writer.h"
#include "node/store/database.h"

using namespace vigil::node::persistence;
using vigil::node::store::Database;
using vigil::node::store::Entry;
using vigil::node::store::ValueType;

namespace {

struct Dbs {
  std::vector<std::unique_ptr<Database>> owned;
  explicit Dbs(int n = 16) {
    for (int i = 0; i < n; ++i) owned.push_back(std::make_unique<Database>(i));
  }
  std::vector<Database*> mut() {
    std::vector<Database*> v;
    for (auto& d : owned) v.push_back(d.get());
    return v;
  }
  std::vector<const Database*> cnst() {
    std::vector<const Database*> v;
    for (auto& d : owned) v.push_back(d.get());
    return v;
  }
  Database& operator[](int i) { return *owned[static_cast<size_t>(i)]; }
};

// A canonical text form of every key: type, encoding, TTL and contents.
std::map<std::string, std::string> describe(Dbs& dbs) {
  std::map<std::string, std::string> out;
  for (auto& db : dbs.owned) {
    db->for_each([&](const Entry& e, int64_t expire) {
      std::string d = std::string(vigil::node::store::type_name(e.type())) + "/" + std::string(e.encoding()) +
                      " ttl=" + std::to_string(expire) + " ";
      switch (e.type()) {
        case ValueType::kString: d += e.str(); break;
        case ValueType::kList:
          for (auto& i : e.list().items) d += i + ",";
          break;
        case ValueType::kSet: {
          std::vector<std::string> m;
          e.set().for_each([&](std::string_view s) { m.emplace_back(s); });
          std::sort(m.begin(), m.end());
          for (auto& s : m) d += s + ",";
          break;
        }
        case ValueType::kHash: {
          std::map<std::string, std::string> m;
          e.hash().for_each([&](std::string_view f, std::string_view v) { m[std::string(f)] = v; });
          for (auto& [f, v] : m) d += f + "=" + v + ",";
          break;
        }
        case ValueType::kZSet:
          e.zset().for_each([&](std::string_view m, double s) { d += std::string(m) + ":" + score_text(s) + ","; });
          break;
      }
      out[std::to_string(db->index()) + ":" + std::string(e.key())] = d;
    });
  }
  return out;
}

void fill_every_type(Dbs& dbs) {
  Database& db = dbs[0];
  db.set_string("int", "12345");
  db.set_string("negative", "-7");
  db.set_string("bigint", "12345678901234");
  db.set_string("notint", "0123");
  db.set_string("compressible", std::string(500, 'x') + "tail");
  db.set_string("binary", std::string("\0\1\2\xff\r\n", 6));
  db.set_string("empty", "");
  Entry* e = db.set_string("ttl", "v");
  db.set_expire(e, 4102444800000);  // 2100-01-01

  auto small_list = std::make_unique<vigil::node::store::List>();
  for (const char* s : {"a", "1", "-5", "hello world", "99999999999"}) small_list->items.push_back(s);
  db.add_list("list", std::move(small_list));
  auto big_list = std::make_unique<vigil::node::store::List>();
  for (int i = 0; i < 5000; ++i) big_list->items.push_back("element-" + std::to_string(i));
  big_list->items.push_back(std::string(20000, 'L'));
  db.add_list("biglist", std::move(big_list));

  auto intset = std::make_unique<vigil::node::store::Set>();
  for (int v : {5, -70000, 1, 300}) intset->add(std::to_string(v));
  db.add_set("intset", std::move(intset));
  auto set = std::make_unique<vigil::node::store::Set>();
  for (int i = 0; i < 600; ++i) set->add("m" + std::to_string(i));
  db.add_set("set", std::move(set));

  auto small_hash = std::make_unique<vigil::node::store::Hash>();
  small_hash->set("f1", "v1");
  small_hash->set("f2", "12");
  db.add_hash("hash", std::move(small_hash));
  auto big_hash = std::make_unique<vigil::node::store::Hash>();
  for (int i = 0; i < 700; ++i) big_hash->set("field" + std::to_string(i), std::to_string(i * 3));
  db.add_hash("bighash", std::move(big_hash));

  auto small_zset = std::make_unique<vigil::node::store::ZSet>();
  small_zset->insert("a", 1);
  small_zset->insert("b", 1.5);
  small_zset->insert("c", -INFINITY);
  small_zset->insert("d", 1e300);
  db.add_zset("zset", std::move(small_zset));
  auto big_zset = std::make_unique<vigil::node::store::ZSet>();
  for (int i = 0; i < 300; ++i) big_zset->insert("member" + std::to_string(i), i * 0.25 - 10);
  db.add_zset("bigzset", std::move(big_zset));

  dbs[3].set_string("in-db-3", "three");
}

std::string save(Dbs& dbs, RdbWriterOptions opts = {}) {
  std::string out;
  StringSink sink(out);
  RdbAux aux;
  aux.ctime = 1700000000;
  write_rdb(dbs.cnst(), sink, aux, opts);
  return out;
}

}  // namespace

TEST_CASE("rdb writer reproduces the reference bytes", "[rdb]") {
  std::string out;
  StringSink sink(out);
  RdbWriter w(sink);
  w.put_raw("REDIS0010");
  w.put_byte(0xFE);
  w.put_length(0);
  w.write_string("a", "1");
  w.finish();
  const unsigned char expected[] = {0x52, 0x45, 0x44, 0x49, 0x53, 0x30, 0x30, 0x31, 0x30, 0xFE, 0x00, 0x00, 0x01,
                                    0x61, 0xC0, 0x01, 0xFF, 0x55, 0xE6, 0x63, 0x47, 0xB0, 0xD0, 0xD8, 0xF5};
  REQUIRE(out == std::string(reinterpret_cast<const char*>(expected), sizeof expected));
}

TEST_CASE("rdb length and string encodings", "[rdb]") {
  std::string out;
  StringSink sink(out);
  RdbWriter w(sink);
  w.put_length(63);
  w.put_length(64);
  w.put_length(16383);
  w.put_length(16384);
  w.put_length(0x100000000ULL);
  w.put_string("-129");    // INT16
  w.put_string("100000");  // INT32
  w.put_string("2147483648");  // outside int32: text
  w.finish();
  std::string expected = std::string("\x3f\x40\x40\x7f\xff\x80\x00\x00\x40\x00\x81\x00\x00\x00\x01\x00\x00\x00\x00", 19) +
                         std::string("\xC1\x7f\xff\xC2\xa0\x86\x01\x00\x0a" "2147483648\xff", 20);
  REQUIRE(out.substr(0, out.size() - 8) == expected);
}

TEST_CASE("rdb round-trips every type and encoding", "[rdb]") {
  for (bool compression : {true, false}) {
    Dbs src;
    fill_every_type(src);
    std::string file = save(src, {compression, true});
    Dbs dst;
    StringSource in(file);
    RdbLoadResult r = load_rdb_into(in, dst.mut(), {true, 1700000000000});
    REQUIRE(r.info.checksum_verified);
    REQUIRE(r.info.version == 10);
    REQUIRE(r.info.redis_ver == "7.0.15");
    REQUIRE(r.info.keys == src[0].size() + 1);
    REQUIRE(r.info.bytes == file.size());
    REQUIRE(describe(dst) == describe(src));
  }
}

TEST_CASE("rdb compression shrinks repetitive values", "[rdb]") {
  Dbs src;
  for (int i = 0; i < 100; ++i) src[0].set_string("k" + std::to_string(i), std::string(1000, 'z'));
  REQUIRE(save(src, {true, true}).size() * 10 < save(src, {false, true}).size());
}

TEST_CASE("rdb loader drops expired keys only when asked", "[rdb]") {
  Dbs src;
  Entry* e = src[0].set_string("old", "v");
  src[0].set_expire(e, 1000);
  src[0].set_string("live", "v");
  std::string file = save(src);
  {
    Dbs dst;
    StringSource in(file);
    RdbLoadResult r = load_rdb_into(in, dst.mut(), {true, 5000});
    REQUIRE(r.keys_expired == 1);
    REQUIRE(dst[0].size() == 1);
  }
  {
    Dbs dst;
    StringSource in(file);
    load_rdb_into(in, dst.mut(), {false, 5000});
    REQUIRE(dst[0].size() == 2);
    REQUIRE(dst[0].expire_at(dst[0].find_raw("old")) == 1000);
  }
}

TEST_CASE("rdb checksum disabled is accepted unchecked", "[rdb]") {
  Dbs src;
  src[0].set_string("a", "b");
  std::string file = save(src, {true, false});
  REQUIRE(file.substr(file.size() - 8) == std::string(8, '\0'));
  Dbs dst;
  StringSource in(file);
  REQUIRE_FALSE(load_rdb_into(in, dst.mut(), {}).info.checksum_verified);
  REQUIRE(dst[0].size() == 1);
}

TEST_CASE("corrupt rdb fails with an offset, never crashes", "[rdb]") {
  Dbs src;
  fill_every_type(src);
  std::string file = save(src);

  SECTION("every truncation is an error") {
    std::mt19937 rng(1);
    for (int i = 0; i < 300; ++i) {
      size_t cut = i < 60 ? static_cast<size_t>(i) : rng() % file.size();
      Dbs dst;
      StringSource in(std::string_view(file).substr(0, cut));
      REQUIRE_THROWS_AS(load_rdb_into(in, dst.mut(), {}), PersistenceError);
    }
  }
  SECTION("flipped bytes are errors (checksum or structure)") {
    std::mt19937 rng(2);
    for (int i = 0; i < 300; ++i) {
      std::string bad = file;
      size_t pos = 9 + rng() % (bad.size() - 9);
      bad[pos] = static_cast<char>(bad[pos] ^ (1 + rng() % 255));
      Dbs dst;
      StringSource in(bad);
      REQUIRE_THROWS_AS(load_rdb_into(in, dst.mut(), {}), PersistenceError);
    }
  }
  SECTION("bad checksum names the offset") {
    std::string bad = file;
    bad[bad.size() - 1] ^= 1;
    Dbs dst;
    StringSource in(bad);
    try {
      load_rdb_into(in, dst.mut(), {});
      FAIL("loaded a file with a bad checksum");
    } catch (const RdbError& e) {
      REQUIRE(std::string(e.what()).find("Wrong RDB checksum") != std::string::npos);
      REQUIRE(e.offset() == file.size() - 8);
    }
  }
  SECTION("version 11 is refused") {
    std::string bad = file;
    bad[8] = '1';
    bad[7] = '1';
    Dbs dst;
    StringSource in(bad);
    REQUIRE_THROWS_WITH(load_rdb_into(in, dst.mut(), {}), Catch::Contains("Can't handle RDB format version 11"));
  }
  SECTION("duplicate keys are refused") {
    std::string dup;
    StringSink sink(dup);
    RdbWriter w(sink);
    w.put_raw("REDIS0010");
    w.write_string("k", "1");
    w.write_string("k", "2");
    w.finish();
    Dbs dst;
    StringSource in(dup);
    REQUIRE_THROWS_WITH(load_rdb_into(in, dst.mut(), {}), Catch::Contains("duplicated key 'k'"));
  }
}

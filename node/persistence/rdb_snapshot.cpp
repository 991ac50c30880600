#include "node/persistence/rdb_snapshot.h"

#include <memory>

#include "node/persistence/intset.h"
#include "node/persistence/number_text.h"
#include "node/persistence/rdb_format.h"
#include "node/store/database.h"

namespace vigil::node::persistence {
namespace {

using store::Database;
using store::Entry;
using store::ValueType;

// What precedes a value: a file record's expiry, type and key, or (DUMP
// payloads) the type byte alone.
struct ValueHeader {
  bool keyed = true;
  int64_t expire_ms = -1;
  void write(RdbWriter& w, uint8_t type, const Entry& e) const {
    if (keyed) {
      w.begin_key(type, e.key(), expire_ms);
    } else {
      w.put_byte(type);
    }
  }
};

void write_list(RdbWriter& w, const Entry& e, ValueHeader header) {
  const store::List& list = e.list();
  if (list.empty()) return;
  QuicklistNodeBuilder nodes;
  for (const std::string& item : list.items) nodes.add(item);
  std::vector<std::string> blobs = nodes.finish();
  header.write(w, rdb::kTypeListQuicklist2, e);
  w.put_length(blobs.size());
  for (const std::string& blob : blobs) {
    w.put_length(rdb::kQuicklistNodePacked);
    w.put_string(blob);
  }
}

void write_set(RdbWriter& w, const Entry& e, ValueHeader header) {
  const store::Set& set = e.set();
  if (set.empty()) return;
  if (set.is_intset()) {
    header.write(w, rdb::kTypeSetIntset, e);
    w.put_string(intset_encode(set.ints()));
    return;
  }
  header.write(w, rdb::kTypeSet, e);
  w.put_length(set.size());
  set.for_each([&](std::string_view member) { w.put_string(member); });
}

void write_hash(RdbWriter& w, const Entry& e, ValueHeader header) {
  const store::Hash& hash = e.hash();
  if (hash.empty()) return;
  if (hash.is_listpack()) {
    ListpackBuilder lp;
    hash.for_each([&](std::string_view f, std::string_view v) {
      lp.append(f);
      lp.append(v);
    });
    header.write(w, rdb::kTypeHashListpack, e);
    w.put_string(lp.finish());
    return;
  }
  header.write(w, rdb::kTypeHash, e);
  w.put_length(hash.size());
  hash.for_each([&](std::string_view f, std::string_view v) {
    w.put_string(f);
    w.put_string(v);
  });
}

void write_zset(RdbWriter& w, const Entry& e, ValueHeader header) {
  const store::ZSet& zset = e.zset();
  if (zset.empty()) return;
  if (zset.is_listpack()) {
    // Ascending (score, member) order is exactly the listpack zset order.
    ListpackBuilder lp;
    zset.for_each([&](std::string_view member, double score) {
      lp.append(member);
      lp.append(score_text(score));
    });
    header.write(w, rdb::kTypeZsetListpack, e);
    w.put_string(lp.finish());
    return;
  }
  // Redis writes a skiplist from the tail (highest score first).
  header.write(w, rdb::kTypeZset2, e);
  w.put_length(zset.size());
  for (const store::ZSet::Node* n = zset.last(); n; n = n->prev()) {
    w.put_string(n->member());
    w.put_double_le(n->score);
  }
}

class DatabaseLoadTarget final : public RdbLoadTarget {
 public:
  DatabaseLoadTarget(const std::vector<Database*>& dbs, RdbLoadPolicy policy) : dbs_(dbs), policy_(policy) {}

  bool on_key(int db_index, std::string&& key, RdbObject&& value, int64_t expire_ms) override {
    if (static_cast<size_t>(db_index) >= dbs_.size())
      throw PersistenceError("RDB selects database " + std::to_string(db_index) + " but only " +
                             std::to_string(dbs_.size()) + " are configured");
    Database& db = *dbs_[static_cast<size_t>(db_index)];
    if (db.find_raw(key)) return false;
    if (policy_.drop_expired && expire_ms >= 0 && expire_ms < policy_.now_ms) {
      ++expired_;
      return true;
    }
    Entry* e = insert_rdb_object(db, key, std::move(value));
    if (expire_ms >= 0) db.set_expire(e, expire_ms);
    return true;
  }

  uint64_t expired() const { return expired_; }

 private:
  const std::vector<Database*>& dbs_;
  RdbLoadPolicy policy_;
  uint64_t expired_ = 0;
};

}  // namespace

Entry* insert_rdb_object(Database& db, std::string_view key, RdbObject&& value) {
  switch (value.kind) {
    case RdbObject::Kind::kString:
      return db.set_string(key, value.string);
    case RdbObject::Kind::kList: {
      auto list = std::make_unique<store::List>();
      for (std::string& item : value.elements) list->items.push_back(std::move(item));
      return db.add_list(key, std::move(list));
    }
    case RdbObject::Kind::kSet: {
      auto set = std::make_unique<store::Set>();
      for (const std::string& member : value.elements) set->add(member);
      return db.add_set(key, std::move(set));
    }
    case RdbObject::Kind::kHash: {
      auto hash = std::make_unique<store::Hash>();
      for (const auto& [f, v] : value.fields) hash->set(f, v);
      return db.add_hash(key, std::move(hash));
    }
    case RdbObject::Kind::kZset: {
      auto zset = std::make_unique<store::ZSet>();
      for (const auto& [m, score] : value.zset) zset->insert(m, score);
      return db.add_zset(key, std::move(zset));
    }
  }
  throw PersistenceError("unknown decoded value kind");
}

void write_rdb_value(RdbWriter& w, const Entry& e) {
  ValueHeader bare{false, -1};
  switch (e.type()) {
    case ValueType::kString:
      w.put_byte(rdb::kTypeString);
      w.put_string(e.str());
      break;
    case ValueType::kList: write_list(w, e, bare); break;
    case ValueType::kSet: write_set(w, e, bare); break;
    case ValueType::kHash: write_hash(w, e, bare); break;
    case ValueType::kZSet: write_zset(w, e, bare); break;
  }
}

uint64_t write_rdb(const std::vector<const Database*>& dbs, Sink& sink, const RdbAux& aux, RdbWriterOptions options) {
  RdbWriter w(sink, options);
  w.begin(aux);
  for (size_t i = 0; i < dbs.size(); ++i) {
    const Database& db = *dbs[i];
    if (db.size() == 0) continue;
    w.select_db(i, db.size(), db.expires_count());
    db.for_each([&](const Entry& e, int64_t expire_ms) {
      switch (e.type()) {
        case ValueType::kString: w.write_string(e.key(), e.str(), expire_ms); break;
        case ValueType::kList: write_list(w, e, {true, expire_ms}); break;
        case ValueType::kSet: write_set(w, e, {true, expire_ms}); break;
        case ValueType::kHash: write_hash(w, e, {true, expire_ms}); break;
        case ValueType::kZSet: write_zset(w, e, {true, expire_ms}); break;
      }
    });
  }
  w.finish();
  return w.bytes_written();
}

RdbLoadResult load_rdb_into(Source& source, const std::vector<Database*>& dbs, RdbLoadPolicy policy) {
  DatabaseLoadTarget target(dbs, policy);
  RdbLoadOptions options;
  options.databases = static_cast<int>(dbs.size());
  RdbLoadResult result;
  result.info = load_rdb(source, target, options);
  result.keys_expired = target.expired();
  return result;
}

}  // namespace vigil::node::persistence

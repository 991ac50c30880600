// One logical database (SELECT n): the keyspace, the expiry table and the
// operations commands and persistence build on. Knows nothing about RESP,
// clients or replication: expired keys are reported through on_expired so the
// server can propagate a DEL.
//
// Value types: strings live inside the Entry; lists, hashes, sets and sorted
// sets are List / Hash / Set / ZSet objects (node/store/{list,hash,set,zset}.h)
// owned by their Entry.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "node/store/dict.h"
#include "node/store/entry.h"
#include "node/store/hash.h"
#include "node/store/list.h"
#include "node/store/set.h"
#include "node/store/value_type.h"
#include "node/store/zset.h"

namespace vigil::node::store {

// How lookups treat a key whose TTL has passed.
enum class ExpiryPolicy {
  kDelete,  // master: delete it (and call on_expired), report it missing
  kHide,    // replica serving a normal client: report it missing, keep it
  kIgnore,  // replica applying its master's stream: the key still exists
};

struct ExpireCycleStats {
  size_t sampled = 0;
  size_t expired = 0;
  bool timed_out = false;
};

class Database {
 public:
  explicit Database(int index = 0);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  int index() const { return index_; }

  // Called with the key name whenever an expired key is deleted (lazily on
  // access or by active_expire_cycle), before it is freed.
  std::function<void(const std::string& key)> on_expired;

  void set_expiry_policy(ExpiryPolicy p) { policy_ = p; }
  ExpiryPolicy expiry_policy() const { return policy_; }

  // ---- lookup -------------------------------------------------------------
  // The live entry for key, or nullptr if absent or expired (see ExpiryPolicy).
  Entry* find(std::string_view key, int64_t now_ms);
  // The entry regardless of its TTL (persistence, DEBUG).
  Entry* find_raw(std::string_view key) { return keys_.find(key); }
  bool exists(std::string_view key, int64_t now_ms) { return find(key, now_ms) != nullptr; }
  std::optional<ValueType> type_of(std::string_view key, int64_t now_ms);

  // ---- writes -------------------------------------------------------------
  // Creates or overwrites key with a string value. The TTL is cleared unless
  // keep_ttl. Returns the (possibly new) entry.
  Entry* set_string(std::string_view key, std::string_view value, bool keep_ttl = false);
  // Replaces the value of a string entry, keeping its TTL. Returns the entry
  // (it may have moved). value must not point into the entry itself.
  Entry* update_string(Entry* e, std::string_view value);
  // Resizes a string entry's value to len bytes (new bytes zeroed), keeping
  // its TTL, and returns a writable pointer to the value; e is updated in place.
  // Grows capacity geometrically so repeated APPENDs are amortised O(1).
  char* resize_string(Entry*& e, size_t len);
  // Marks a string as built in place, as Redis's raw objects (OBJECT ENCODING);
  // resize_string does it, update_string/set_string clear it.
  static void mark_raw(Entry* e) { e->flags_ |= Entry::kRawString; }

  // Creates key holding a new object (an existing entry for key, e.g. a
  // hidden expired one, is replaced). Returns the entry.
  Entry* add_list(std::string_view key, std::unique_ptr<List> v = std::make_unique<List>()) { return put(key, std::move(v)); }
  Entry* add_hash(std::string_view key, std::unique_ptr<Hash> v = std::make_unique<Hash>()) { return put(key, std::move(v)); }
  Entry* add_set(std::string_view key, std::unique_ptr<Set> v = std::make_unique<Set>()) { return put(key, std::move(v)); }
  Entry* add_zset(std::string_view key, std::unique_ptr<ZSet> v = std::make_unique<ZSet>()) { return put(key, std::move(v)); }
  // Creates or overwrites key with the given object; any TTL is cleared
  // (SUNIONSTORE, ZRANGESTORE, persistence loading over an existing key).
  Entry* replace_with_list(std::string_view key, std::unique_ptr<List> v) { return put(key, std::move(v)); }
  Entry* replace_with_hash(std::string_view key, std::unique_ptr<Hash> v) { return put(key, std::move(v)); }
  Entry* replace_with_set(std::string_view key, std::unique_ptr<Set> v) { return put(key, std::move(v)); }
  Entry* replace_with_zset(std::string_view key, std::unique_ptr<ZSet> v) { return put(key, std::move(v)); }

  // Deletes a key (no expiry check). Returns whether it existed.
  bool remove(std::string_view key);
  void remove(Entry* e);

  // ---- expiry -------------------------------------------------------------
  // Absolute unix ms of e's expiry, or -1 when it has none.
  int64_t expire_at(const Entry* e) const;
  void set_expire(Entry* e, int64_t when_ms);
  // Removes e's TTL; returns whether it had one.
  bool persist(Entry* e);
  bool is_expired(const Entry* e, int64_t now_ms) const;

  // Redis's active expiry (7.0 activeExpireCycle, one database): walks the
  // expiry table with a cursor in batches of 20 keys, deleting expired ones,
  // and repeats while more than 10% of a batch was expired and budget_us of
  // wall time is left. Only acts under ExpiryPolicy::kDelete.
  ExpireCycleStats active_expire_cycle(int64_t now_ms, int64_t budget_us);

  // ---- whole-database ------------------------------------------------------
  size_t size() const { return keys_.size(); }
  size_t expires_count() const { return expires_.size(); }
  // Estimated average TTL in ms of keys with a TTL (INFO keyspace avg_ttl),
  // maintained by active_expire_cycle as Redis does; 0 when unknown.
  int64_t avg_ttl() const { return avg_ttl_; }
  void clear();
  // Exchanges contents (keys, TTLs, stats) with other; index and hooks stay (SWAPDB).
  void swap_contents(Database& other);

  // A random live key (expired samples are deleted under kDelete), or nullopt.
  std::optional<std::string> random_key(int64_t now_ms);

  // One SCAN step over the keyspace: calls fn(const Entry&) for the entries of
  // the next bucket(s) and returns the next cursor (0 = done). Every key present
  // for the whole scan is returned at least once; expired keys may be passed
  // (the caller filters with is_expired).
  template <class Fn>
  uint64_t scan(uint64_t cursor, Fn&& fn) {
    return keys_.scan(cursor, [&](Entry* e) { fn(static_cast<const Entry&>(*e)); });
  }

  // Visits every entry with its expiry (-1 = none), expired ones included
  // (persistence filters). fn must not modify the database.
  template <class Fn>
  void for_each(Fn&& fn) const {
    keys_.for_each([&](Entry* e) { fn(static_cast<const Entry&>(*e), expire_at(e)); });
  }

  // ---- key-moving helpers (RENAME, COPY, MOVE) -----------------------------
  // Renames e to new_key (overwriting new_key if it exists), keeping value and
  // TTL. Returns the entry under its new name.
  Entry* rename(Entry* e, std::string_view new_key);
  // Deep-copies e (value and TTL) to dst_key in dst (which may be *this),
  // overwriting it. Returns the new entry.
  Entry* copy_to(const Entry* e, Database& dst, std::string_view dst_key);
  // Moves e with its TTL to dst under the same key (replacing whatever dst
  // still stores under that key).
  Entry* move_to(Entry* e, Database& dst);

  // Bytes of heap the keyspace holds beyond entries (table buckets): for INFO.
  size_t table_overhead_bytes() const;

 private:
  struct KeyOfEntry {
    static std::string_view get(const Entry& e) { return e.key(); }
  };
  struct ExpireNode {
    ExpireNode* dict_next = nullptr;
    Entry* entry;
    int64_t when;
  };
  struct KeyOfExpire {
    static std::string_view get(const ExpireNode& n) { return n.entry->key(); }
  };

  static Entry* alloc_entry(std::string_view key, ValueType t, size_t value_cap);
  static void free_value(Entry* e);
  static void free_entry(Entry* e);
  // Resizes a string entry's block to value_cap bytes of value, keeping the
  // keyspace and expiry tables pointing at it. Returns the new address.
  Entry* realloc_entry(Entry* e, size_t value_cap);
  Entry* add_object(std::string_view key, ValueType t, void* obj);
  // The body of add_* and replace_with_*: both replace whatever key held.
  template <class T>
  Entry* put(std::string_view key, std::unique_ptr<T> v) {
    return add_object(key, T::kType, v.release());
  }
  void delete_expired(Entry* e);

  int index_;
  ExpiryPolicy policy_ = ExpiryPolicy::kDelete;
  Dict<Entry, KeyOfEntry> keys_;
  Dict<ExpireNode, KeyOfExpire> expires_;
  uint64_t expire_cursor_ = 0;
  int64_t avg_ttl_ = 0;
};

}  // namespace vigil::node::store

#include "node/store/database.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

namespace vigil::node::store {
namespace {

constexpr size_t kExpireBatch = 20;          // keys per active-expiry batch (Redis: 20)
constexpr size_t kAcceptableStalePct = 10;   // repeat while > 10% of a batch expired

int64_t monotonic_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Database::Database(int index) : index_(index) {}

Database::~Database() { clear(); }

// ---- entry memory -----------------------------------------------------------

Entry* Database::alloc_entry(std::string_view key, ValueType t, size_t value_cap) {
  void* mem = std::malloc(sizeof(Entry) + key.size() + value_cap);
  if (!mem) throw std::bad_alloc();
  Entry* e = new (mem) Entry;
  e->key_len_ = static_cast<uint32_t>(key.size());
  e->type_ = t;
  std::memcpy(e->data(), key.data(), key.size());
  if (t == ValueType::kString) {
    e->u_.s.len = 0;
    e->u_.s.cap = static_cast<uint32_t>(value_cap);
  } else {
    e->u_.obj = nullptr;
  }
  return e;
}

void Database::free_value(Entry* e) {
  switch (e->type_) {
    case ValueType::kString: break;
    case ValueType::kList: delete &e->list(); break;
    case ValueType::kSet: delete &e->set(); break;
    case ValueType::kZSet: delete &e->zset(); break;
    case ValueType::kHash: delete &e->hash(); break;
  }
  e->u_.obj = nullptr;
}

void Database::free_entry(Entry* e) {
  free_value(e);
  e->~Entry();
  std::free(e);
}

Entry* Database::realloc_entry(Entry* e, size_t value_cap) {
  // The expiry node hashes through its entry's key: take it out while the
  // entry moves, then put it back pointing at the new block.
  ExpireNode* xn = e->has_expire() ? expires_.unlink(e->key()) : nullptr;
  const uintptr_t old_addr = reinterpret_cast<uintptr_t>(e);
  void* mem = std::realloc(e, sizeof(Entry) + e->key_len_ + value_cap);
  if (!mem) {
    if (xn) expires_.insert(xn);
    throw std::bad_alloc();
  }
  e = static_cast<Entry*>(mem);
  e->u_.s.cap = static_cast<uint32_t>(value_cap);
  if (reinterpret_cast<uintptr_t>(e) != old_addr) keys_.replace_node(old_addr, e);
  if (xn) {
    xn->entry = e;
    expires_.insert(xn);
  }
  return e;
}

// ---- lookup -------------------------------------------------------------------

bool Database::is_expired(const Entry* e, int64_t now_ms) const {
  if (!e->has_expire()) return false;
  int64_t when = expire_at(e);
  return when >= 0 && when <= now_ms;
}

Entry* Database::find(std::string_view key, int64_t now_ms) {
  Entry* e = keys_.find(key);
  if (!e || !e->has_expire() || policy_ == ExpiryPolicy::kIgnore) return e;
  if (!is_expired(e, now_ms)) return e;
  if (policy_ == ExpiryPolicy::kDelete) delete_expired(e);
  return nullptr;
}

std::optional<ValueType> Database::type_of(std::string_view key, int64_t now_ms) {
  Entry* e = find(key, now_ms);
  if (!e) return std::nullopt;
  return e->type();
}

void Database::delete_expired(Entry* e) {
  std::string key(e->key());
  if (on_expired) on_expired(key);
  remove(key);
}

// ---- writes -------------------------------------------------------------------

Entry* Database::set_string(std::string_view key, std::string_view value, bool keep_ttl) {
  Entry* e = keys_.find(key);
  if (!e) {
    e = alloc_entry(key, ValueType::kString, value.size());
    std::memcpy(e->data() + e->key_len_, value.data(), value.size());
    e->u_.s.len = static_cast<uint32_t>(value.size());
    keys_.insert(e);
    return e;
  }
  if (!keep_ttl) persist(e);
  if (e->type_ != ValueType::kString) {
    free_value(e);
    e->type_ = ValueType::kString;
    e->u_.s.len = 0;
    e->u_.s.cap = 0;
  }
  return update_string(e, value);
}

Entry* Database::update_string(Entry* e, std::string_view value) {
  if (value.size() > e->u_.s.cap || value.size() + 64 < e->u_.s.cap / 2) {
    // Exact-size reallocation: plain SETs keep no slack (memory per key).
    e = realloc_entry(e, value.size());
  }
  if (!value.empty()) std::memmove(e->data() + e->key_len_, value.data(), value.size());
  e->u_.s.len = static_cast<uint32_t>(value.size());
  e->flags_ &= static_cast<uint8_t>(~Entry::kRawString);
  return e;
}

char* Database::resize_string(Entry*& e, size_t len) {
  if (len > e->u_.s.cap) {
    // Greedy growth like sdsMakeRoomFor: double up to 1 MB, then +1 MB.
    size_t cap = len < (1u << 20) ? len * 2 : len + (1u << 20);
    if (cap > UINT32_MAX) cap = len;
    e = realloc_entry(e, cap);
  }
  mark_raw(e);
  char* v = e->data() + e->key_len_;
  if (len > e->u_.s.len) std::memset(v + e->u_.s.len, 0, len - e->u_.s.len);
  e->u_.s.len = static_cast<uint32_t>(len);
  return v;
}

Entry* Database::add_object(std::string_view key, ValueType t, void* obj) {
  // Callers looked the key up first, but under ExpiryPolicy::kHide an expired
  // key is invisible yet still stored: replace it rather than duplicate it.
  remove(key);
  Entry* e = alloc_entry(key, t, 0);
  e->u_.obj = obj;
  keys_.insert(e);
  return e;
}

bool Database::remove(std::string_view key) {
  Entry* e = keys_.unlink(key);
  if (!e) return false;
  if (e->has_expire()) delete expires_.unlink(e->key());
  free_entry(e);
  return true;
}

void Database::remove(Entry* e) {
  // Unlink by the entry's own key bytes: they stay valid until free_entry.
  std::string_view key = e->key();
  keys_.unlink(key);
  if (e->has_expire()) delete expires_.unlink(key);
  free_entry(e);
}

// ---- expiry -------------------------------------------------------------------

int64_t Database::expire_at(const Entry* e) const {
  if (!e->has_expire()) return -1;
  ExpireNode* n = const_cast<Dict<ExpireNode, KeyOfExpire>&>(expires_).find(e->key());
  return n ? n->when : -1;
}

void Database::set_expire(Entry* e, int64_t when_ms) {
  if (e->has_expire()) {
    if (ExpireNode* n = expires_.find(e->key())) {
      n->when = when_ms;
      return;
    }
  }
  expires_.insert(new ExpireNode{nullptr, e, when_ms});
  e->flags_ |= Entry::kHasExpire;
}

bool Database::persist(Entry* e) {
  if (!e->has_expire()) return false;
  delete expires_.unlink(e->key());
  e->flags_ &= static_cast<uint8_t>(~Entry::kHasExpire);
  return true;
}

ExpireCycleStats Database::active_expire_cycle(int64_t now_ms, int64_t budget_us) {
  ExpireCycleStats stats;
  if (policy_ != ExpiryPolicy::kDelete || expires_.empty()) return stats;
  const int64_t deadline = monotonic_us() + budget_us;
  std::vector<Entry*> batch;
  std::vector<std::string> expired;
  for (int iteration = 0;; ++iteration) {
    batch.clear();
    expired.clear();
    // Walk buckets until a batch is sampled or the table was covered.
    size_t buckets_visited = 0;
    do {
      expire_cursor_ = expires_.scan(expire_cursor_, [&](ExpireNode* n) { batch.push_back(n->entry); });
      ++buckets_visited;
    } while (batch.size() < kExpireBatch && expire_cursor_ != 0 &&
             buckets_visited < kExpireBatch * 20);
    int64_t ttl_sum = 0;
    size_t ttl_samples = 0;
    for (Entry* e : batch) {
      int64_t when = expire_at(e);
      if (when <= now_ms) {
        expired.emplace_back(e->key());
      } else {
        ttl_sum += when - now_ms;
        ++ttl_samples;
      }
    }
    stats.sampled += batch.size();
    for (const std::string& key : expired) {
      if (on_expired) on_expired(key);
      remove(key);
    }
    stats.expired += expired.size();
    if (ttl_samples) {
      // Running estimate, like Redis: weight 1/50 per batch.
      int64_t avg = ttl_sum / static_cast<int64_t>(ttl_samples);
      avg_ttl_ = avg_ttl_ == 0 ? avg : (avg_ttl_ / 50) * 49 + avg / 50;
    }
    if (expires_.empty()) break;
    if ((iteration & 15) == 15 && monotonic_us() > deadline) {
      stats.timed_out = true;
      break;
    }
    if (batch.empty() || expired.size() * 100 <= batch.size() * kAcceptableStalePct) break;
  }
  return stats;
}

// ---- whole database -------------------------------------------------------------

void Database::clear() {
  expires_.clear([](ExpireNode* n) { delete n; });
  keys_.clear([](Entry* e) { free_entry(e); });
  expire_cursor_ = 0;
  avg_ttl_ = 0;
}

void Database::swap_contents(Database& other) {
  keys_.swap(other.keys_);
  expires_.swap(other.expires_);
  std::swap(expire_cursor_, other.expire_cursor_);
  std::swap(avg_ttl_, other.avg_ttl_);
}

std::optional<std::string> Database::random_key(int64_t now_ms) {
  // Bounded retries: a database made only of expired keys (on a replica,
  // where they are not deleted) must not loop forever; Redis gives up after
  // 100 tries there too and returns an expired key.
  for (int tries = 0; tries < 100; ++tries) {
    Entry* e = keys_.random();
    if (!e) return std::nullopt;
    if (!is_expired(e, now_ms)) return std::string(e->key());
    if (policy_ == ExpiryPolicy::kDelete) {
      delete_expired(e);
    } else if (tries == 99) {
      return std::string(e->key());
    }
  }
  return std::nullopt;
}

// ---- key-moving helpers -----------------------------------------------------------

Entry* Database::rename(Entry* e, std::string_view new_key) {
  if (e->key() == new_key) return e;
  int64_t when = expire_at(e);
  std::string old_key(e->key());
  keys_.unlink(old_key);
  if (e->has_expire()) delete expires_.unlink(old_key);
  e->flags_ &= static_cast<uint8_t>(~Entry::kHasExpire);
  remove(new_key);
  // Rebuild the block with the new key in front of the value bytes.
  size_t value_len = e->type_ == ValueType::kString ? e->u_.s.len : 0;
  Entry* n = alloc_entry(new_key, e->type_, value_len);
  if (e->type_ == ValueType::kString) {
    std::memcpy(n->data() + n->key_len_, e->data() + e->key_len_, value_len);
    n->u_.s.len = static_cast<uint32_t>(value_len);
    n->flags_ |= e->flags_ & Entry::kRawString;  // RENAME moves the object as it is
  } else {
    n->u_.obj = e->u_.obj;
    e->u_.obj = nullptr;
    e->type_ = ValueType::kString;  // nothing left to free
  }
  e->~Entry();
  std::free(e);
  keys_.insert(n);
  if (when >= 0) set_expire(n, when);
  return n;
}

Entry* Database::copy_to(const Entry* e, Database& dst, std::string_view dst_key) {
  int64_t when = expire_at(e);
  Entry* n = nullptr;
  switch (e->type()) {
    case ValueType::kString: {
      // Copy the value first: dst_key may overwrite e itself.
      std::string v(e->str());
      dst.remove(dst_key);
      n = dst.set_string(dst_key, v);
      if (e->flags_ & Entry::kRawString) mark_raw(n);  // dupStringObject keeps the encoding
      break;
    }
    case ValueType::kList: {
      auto l = std::make_unique<List>();
      l->items = e->list().items;
      n = dst.replace_with_list(dst_key, std::move(l));
      break;
    }
    case ValueType::kHash: n = dst.replace_with_hash(dst_key, e->hash().clone()); break;
    case ValueType::kSet: n = dst.replace_with_set(dst_key, e->set().clone()); break;
    case ValueType::kZSet: n = dst.replace_with_zset(dst_key, e->zset().clone()); break;
  }
  if (when >= 0) dst.set_expire(n, when);
  return n;
}

Entry* Database::move_to(Entry* e, Database& dst) {
  int64_t when = expire_at(e);
  std::string key(e->key());
  keys_.unlink(key);
  if (e->has_expire()) delete expires_.unlink(key);
  e->flags_ &= static_cast<uint8_t>(~Entry::kHasExpire);
  e->dict_next = nullptr;
  dst.remove(key);  // an expired key hidden from the caller (ExpiryPolicy::kHide)
  dst.keys_.insert(e);
  if (when >= 0) dst.set_expire(e, when);
  return e;
}

size_t Database::table_overhead_bytes() const {
  return (keys_.bucket_count() + expires_.bucket_count()) * sizeof(void*) +
         expires_.size() * sizeof(ExpireNode);
}

}  // namespace vigil::node::store

// Intrusive chained hash table with incremental rehashing, the structure
// behind the keyspace, the expiry table and large hashes/sets/zsets.
//
// Modelled on Redis's dict.c because its properties matter to clients:
//  - growing/shrinking moves a few buckets per operation (two tables while
//    rehashing) so a million-key table never stalls the event loop;
//  - scan() uses the reverse-binary cursor, which guarantees that every node
//    present for the whole duration of a SCAN is returned at least once, even
//    across resizes.
// Nodes are owned by the caller: the table only links them through the node's
// `dict_next` member. KeyOf::get(const Node&) returns the node's key.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <new>
#include <string_view>
#include <utility>

#include "node/store/hashing.h"

namespace vigil::node::store {

template <class Node, class KeyOf>
class Dict {
 public:
  Dict() = default;
  Dict(const Dict&) = delete;
  Dict& operator=(const Dict&) = delete;
  Dict(Dict&& o) noexcept { swap(o); }
  Dict& operator=(Dict&& o) noexcept {
    if (this != &o) {
      release_tables();
      swap(o);
    }
    return *this;
  }
  // Does not free nodes: the owner calls clear(deleter) first.
  ~Dict() { release_tables(); }

  size_t size() const { return t_[0].used + t_[1].used; }
  bool empty() const { return size() == 0; }
  size_t bucket_count() const { return t_[0].size + t_[1].size; }

  Node* find(std::string_view key) {
    if (size() == 0) return nullptr;
    if (rehashing()) rehash_step(1);
    uint64_t h = hash_bytes(key);
    for (int t = 0; t < 2; ++t) {
      const Table& tab = t_[t];
      if (tab.size == 0) continue;
      for (Node* n = tab.buckets[h & tab.mask]; n; n = n->dict_next) {
        if (KeyOf::get(*n) == key) return n;
      }
      if (!rehashing()) break;
    }
    return nullptr;
  }

  // Links a node whose key is not present yet.
  void insert(Node* node) {
    if (rehashing()) rehash_step(1);
    expand_if_needed();
    Table& tab = rehashing() ? t_[1] : t_[0];
    uint64_t idx = hash_bytes(KeyOf::get(*node)) & tab.mask;
    node->dict_next = tab.buckets[idx];
    tab.buckets[idx] = node;
    ++tab.used;
  }

  // Unlinks the node with this key and returns it (nullptr if absent).
  Node* unlink(std::string_view key) {
    if (size() == 0) return nullptr;
    if (rehashing()) rehash_step(1);
    int table = 0;
    Node** link = find_link(key, &table);
    if (!link) return nullptr;
    Node* n = *link;
    *link = n->dict_next;
    n->dict_next = nullptr;
    --t_[table].used;
    shrink_if_needed();
    return n;
  }

  // Puts `node` in the place of the node that lived at address old_addr
  // before the owner reallocated it (node has the same key and already
  // carries the old dict_next). The old address is an integer: it is only
  // compared, never dereferenced. Returns false if not found.
  bool replace_node(uintptr_t old_addr, Node* node) {
    uint64_t h = hash_bytes(KeyOf::get(*node));
    for (int t = 0; t < 2; ++t) {
      Table& tab = t_[t];
      if (tab.size == 0) continue;
      for (Node** link = &tab.buckets[h & tab.mask]; *link; link = &(*link)->dict_next) {
        if (reinterpret_cast<uintptr_t>(*link) == old_addr) {
          *link = node;
          return true;
        }
      }
    }
    return false;
  }

  // A random node (nullptr when empty); bucket-then-chain sampling like Redis.
  Node* random() {
    if (size() == 0) return nullptr;
    if (rehashing()) rehash_step(1);
    Node* head = nullptr;
    if (rehashing()) {
      const uint64_t skip = static_cast<uint64_t>(rehash_idx_);
      const uint64_t span = t_[0].size + t_[1].size - skip;
      do {
        uint64_t i = skip + random_u64() % span;
        head = i >= t_[0].size ? t_[1].buckets[i - t_[0].size] : t_[0].buckets[i];
      } while (!head);
    } else {
      do {
        head = t_[0].buckets[random_u64() & t_[0].mask];
      } while (!head);
    }
    size_t len = 0;
    for (Node* n = head; n; n = n->dict_next) ++len;
    size_t pick = random_u64() % len;
    while (pick--) head = head->dict_next;
    return head;
  }

  // One SCAN step: calls fn(Node*) for every node of the bucket(s) the cursor
  // designates and returns the next cursor (0 = done). fn must not modify the dict.
  template <class Fn>
  uint64_t scan(uint64_t v, Fn&& fn) {
    if (size() == 0) return 0;
    if (!rehashing()) {
      const Table& t0 = t_[0];
      emit_bucket(t0.buckets[v & t0.mask], fn);
      v |= ~t0.mask;
      v = next_cursor(v);
      return v;
    }
    const Table* small = &t_[0];
    const Table* big = &t_[1];
    if (small->size > big->size) std::swap(small, big);
    const uint64_t m0 = small->mask, m1 = big->mask;
    emit_bucket(small->buckets[v & m0], fn);
    do {
      emit_bucket(big->buckets[v & m1], fn);
      v |= ~m1;
      v = next_cursor(v);
    } while (v & (m0 ^ m1));
    return v;
  }

  // Visits every node; fn must not modify the dict.
  template <class Fn>
  void for_each(Fn&& fn) const {
    for (int t = 0; t < 2; ++t) {
      const Table& tab = t_[t];
      for (uint64_t i = 0; i < tab.size; ++i) {
        for (Node* n = tab.buckets[i]; n;) {
          Node* next = n->dict_next;
          fn(n);
          n = next;
        }
      }
    }
  }

  // Frees every node through del(Node*) and empties the table.
  template <class Del>
  void clear(Del&& del) {
    for_each([&](Node* n) { del(n); });
    release_tables();
  }

  // Moves up to n buckets to the new table while rehashing (cron helper).
  void rehash_step(int n) {
    int empty_visits = n * 10;
    while (n-- && t_[0].used != 0) {
      while (t_[0].buckets[rehash_idx_] == nullptr) {
        ++rehash_idx_;
        if (--empty_visits == 0) return;
      }
      Node* node = t_[0].buckets[rehash_idx_];
      while (node) {
        Node* next = node->dict_next;
        uint64_t idx = hash_bytes(KeyOf::get(*node)) & t_[1].mask;
        node->dict_next = t_[1].buckets[idx];
        t_[1].buckets[idx] = node;
        --t_[0].used;
        ++t_[1].used;
        node = next;
      }
      t_[0].buckets[rehash_idx_] = nullptr;
      ++rehash_idx_;
    }
    if (t_[0].used == 0) {
      std::free(t_[0].buckets);
      t_[0] = t_[1];
      t_[1] = Table{};
      rehash_idx_ = -1;
    }
  }

  bool rehashing() const { return rehash_idx_ >= 0; }

  void swap(Dict& o) noexcept {
    std::swap(t_[0], o.t_[0]);
    std::swap(t_[1], o.t_[1]);
    std::swap(rehash_idx_, o.rehash_idx_);
  }

 private:
  struct Table {
    Node** buckets = nullptr;
    uint64_t size = 0;
    uint64_t mask = 0;
    uint64_t used = 0;
  };

  static uint64_t rev(uint64_t v) {
    v = ((v >> 1) & 0x5555555555555555ull) | ((v & 0x5555555555555555ull) << 1);
    v = ((v >> 2) & 0x3333333333333333ull) | ((v & 0x3333333333333333ull) << 2);
    v = ((v >> 4) & 0x0F0F0F0F0F0F0F0Full) | ((v & 0x0F0F0F0F0F0F0F0Full) << 4);
    return __builtin_bswap64(v);
  }
  static uint64_t next_cursor(uint64_t v) { return rev(rev(v) + 1); }

  template <class Fn>
  static void emit_bucket(Node* n, Fn& fn) {
    while (n) {
      Node* next = n->dict_next;
      fn(n);
      n = next;
    }
  }

  // The link pointing at the node with this key; *table_out = the table it is in.
  Node** find_link(std::string_view key, int* table_out) {
    if (size() == 0) return nullptr;
    uint64_t h = hash_bytes(key);
    for (int t = 0; t < 2; ++t) {
      Table& tab = t_[t];
      if (tab.size == 0) continue;
      Node** link = &tab.buckets[h & tab.mask];
      while (*link) {
        if (KeyOf::get(**link) == key) {
          if (table_out) *table_out = t;
          return link;
        }
        link = &(*link)->dict_next;
      }
      if (!rehashing()) break;
    }
    return nullptr;
  }

  static Table make_table(uint64_t size) {
    Table t;
    t.buckets = static_cast<Node**>(std::calloc(size, sizeof(Node*)));
    if (!t.buckets) throw std::bad_alloc();
    t.size = size;
    t.mask = size - 1;
    return t;
  }

  void start_resize(uint64_t new_size) {
    if (t_[0].size == 0) {
      t_[0] = make_table(new_size);
      return;
    }
    t_[1] = make_table(new_size);
    rehash_idx_ = 0;
  }

  void expand_if_needed() {
    if (rehashing()) return;
    if (t_[0].size == 0) {
      start_resize(4);
    } else if (t_[0].used >= t_[0].size) {
      start_resize(t_[0].size * 2);
    }
  }

  void shrink_if_needed() {
    if (rehashing() || t_[0].size <= 4) return;
    if (t_[0].used * 10 >= t_[0].size) return;
    uint64_t n = 4;
    while (n < t_[0].used) n *= 2;
    if (n < t_[0].size) start_resize(n);
  }

  void release_tables() {
    std::free(t_[0].buckets);
    std::free(t_[1].buckets);
    t_[0] = t_[1] = Table{};
    rehash_idx_ = -1;
  }

  Table t_[2];
  int64_t rehash_idx_ = -1;
};

}  // namespace vigil::node::store

// MEMORY USAGE / STATS / DOCTOR / PURGE / MALLOC-STATS / HELP (Redis 7.0's
// object.c memoryCommand). vigil-node runs on glibc malloc, so the figures
// come from mallinfo2 and /proc and the allocator-specific ones read as Redis
// reports them when built with libc malloc.
#include <malloc.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <functional>

#include "common/util/numbers.h"
#include "node/commands/families.h"
#include "node/server/client.h"
#include "node/server/node_server.h"
#include "node/server/process_memory.h"
#include "node/store/database.h"
#include "node/store/entry.h"
#include "node/store/hash.h"
#include "node/store/list.h"
#include "node/store/set.h"
#include "node/store/zset.h"

namespace vigil::node {

namespace {

using command::kLoading;
using command::kReadonly;
using command::kStale;

bool eq_nocase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Process-wide memory marks: the baseline right after the command table was
// built (Redis's startup.allocated) and the highest allocation MEMORY STATS /
// DOCTOR have seen (vigil-node's cron does not sample it as Redis's does).
struct MemoryMarks {
  uint64_t startup = 0;
  uint64_t peak = 0;
};
MemoryMarks& marks() {
  static MemoryMarks m;
  return m;
}

uint64_t current_allocated() {
  uint64_t used = allocated_bytes();
  marks().peak = std::max(marks().peak, used);
  return used;
}

// ---- MEMORY USAGE ---------------------------------------------------------------

constexpr size_t kPointer = sizeof(void*);

// Heap bytes of a std::string of this length beyond the object itself (0
// while it fits libstdc++'s inline buffer).
size_t string_heap(size_t len) {
  constexpr size_t kInline = 15;
  return len > kInline ? len + 1 : 0;
}

// A collection's estimate: the average of the first `samples` elements'
// footprint, times the element count, as Redis's objectComputeSize samples.
template <class Scan>
size_t sampled_total(size_t count, long long samples, Scan&& scan) {
  if (count == 0) return 0;
  size_t seen = 0, bytes = 0;
  scan([&](size_t element_bytes) {
    seen++;
    bytes += element_bytes;
  }, [&] { return static_cast<long long>(seen) >= samples; });
  if (seen == 0) return 0;
  return static_cast<size_t>(static_cast<double>(bytes) / static_cast<double>(seen) * static_cast<double>(count));
}

// Visits dict-backed collections bucket by bucket (SCAN order) until enough
// elements were sampled: bounded work however large the collection is.
template <class T, class Visit>
void scan_until(T& coll, Visit&& visit, const std::function<bool()>& enough) {
  uint64_t cursor = 0;
  do {
    cursor = coll.scan(cursor, visit);
  } while (cursor != 0 && !enough());
}

size_t value_usage(const store::Entry& e, long long samples) {
  using store::ValueType;
  switch (e.type()) {
    case ValueType::kString:
      return 0;  // stored inside the entry block
    case ValueType::kList: {
      const store::List& l = e.list();
      return sizeof(store::List) + sampled_total(l.size(), samples, [&](auto add, auto enough) {
               for (size_t i = 0; i < l.items.size() && !enough(); i++) {
                 add(sizeof(std::string) + string_heap(l.items[i].size()));
               }
             });
    }
    case ValueType::kHash: {
      store::Hash& h = e.hash();
      bool listpack = h.is_listpack();
      return sizeof(store::Hash) + sampled_total(h.size(), samples, [&](auto add, auto enough) {
               scan_until(h, [&](std::string_view f, std::string_view v) {
                 // listpack: a (field, value) pair of strings; table: a node
                 // with the field inline, the value string, a bucket slot.
                 add(listpack ? 2 * sizeof(std::string) + string_heap(f.size()) + string_heap(v.size())
                              : 2 * kPointer + f.size() + sizeof(std::string) + string_heap(v.size()) + kPointer);
               }, enough);
             });
    }
    case ValueType::kSet: {
      store::Set& s = e.set();
      if (s.encoding() == "intset") return sizeof(store::Set) + s.size() * sizeof(int64_t);
      return sizeof(store::Set) + sampled_total(s.size(), samples, [&](auto add, auto enough) {
               // A node (next link, length, member bytes) and its bucket slot.
               scan_until(s, [&](std::string_view m) { add(2 * kPointer + m.size() + kPointer); }, enough);
             });
    }
    case ValueType::kZSet: {
      store::ZSet& z = e.zset();
      return sizeof(store::ZSet) + sampled_total(z.size(), samples, [&](auto add, auto enough) {
               // A skiplist node with ~1.33 levels on average, the member
               // bytes and a dict bucket slot.
               scan_until(z, [&](std::string_view m, double) {
                 add(sizeof(store::ZSet::Node) + sizeof(store::ZSet::Level) * 4 / 3 + m.size() + kPointer);
               }, enough);
             });
    }
  }
  return 0;
}

void memory_usage(CommandContext& ctx) {
  long long samples = 5;
  for (size_t j = 3; j < ctx.argv.size(); j++) {
    if (eq_nocase(ctx.argv[j], "samples") && j + 1 < ctx.argv.size()) {
      if (!util::string2ll(ctx.argv[j + 1], &samples)) {
        ctx.reply.error("ERR value is not an integer or out of range");
        return;
      }
      if (samples < 0) {
        ctx.reply.error("ERR syntax error");
        return;
      }
      if (samples == 0) samples = LLONG_MAX;
      j++;
    } else {
      ctx.reply.error("ERR syntax error");
      return;
    }
  }
  // As Redis (a raw dictFind): no expiry check, no access-time update.
  const store::Entry* e = ctx.db().find_raw(ctx.argv[2]);
  if (e == nullptr) {
    ctx.reply.null_bulk();
    return;
  }
  // The entry block (header, key, string value) and its keyspace bucket slot.
  size_t usage = malloc_usable_size(const_cast<store::Entry*>(e)) + kPointer + value_usage(*e, samples);
  ctx.reply.integer(static_cast<int64_t>(usage));
}

// ---- MEMORY STATS / DOCTOR --------------------------------------------------------

// Redis's redisMemOverhead, with what vigil-node can account for.
struct MemoryOverhead {
  uint64_t peak = 0, total = 0, startup = 0;
  uint64_t clients_replicas = 0, clients_normal = 0;
  size_t replicas = 0, normal_clients = 0;
  struct Db {
    int index;
    uint64_t table_overhead;
  };
  std::vector<Db> dbs;  // non-empty databases only
  uint64_t overhead_total = 0, keys = 0, dataset = 0, rss = 0;
};

MemoryOverhead memory_overhead(NodeServer& s) {
  MemoryOverhead m;
  m.total = current_allocated();
  m.peak = marks().peak;
  m.startup = std::min(marks().startup, m.total);
  m.rss = resident_bytes();
  for (Client* c : s.clients()) {
    uint64_t bytes = sizeof(Client) + c->conn->output_bytes() + c->conn->query_buffer_bytes();
    if (c->is_replica) {
      m.clients_replicas += bytes;
      m.replicas++;
    } else {
      m.clients_normal += bytes;
      m.normal_clients++;
    }
  }
  m.overhead_total = m.startup + m.clients_replicas + m.clients_normal;
  for (int i = 0; i < s.database_count(); i++) {
    store::Database& db = s.db(i);
    if (db.size() == 0) continue;
    m.dbs.push_back({i, db.table_overhead_bytes()});
    m.overhead_total += db.table_overhead_bytes();
    m.keys += db.size();
  }
  m.dataset = m.total > m.overhead_total ? m.total - m.overhead_total : 0;
  return m;
}

// Redis computes these ratios in single precision and prints the float.
double ratio(uint64_t a, uint64_t b) {
  return b == 0 ? 0.0 : static_cast<double>(static_cast<float>(a) / static_cast<float>(b));
}
double percentage(uint64_t a, uint64_t b) {
  return b == 0 ? 0.0 : static_cast<double>(static_cast<float>(a) * 100 / static_cast<float>(b));
}
int64_t diff(uint64_t a, uint64_t b) { return static_cast<int64_t>(a) - static_cast<int64_t>(b); }

void memory_stats(CommandContext& ctx) {
  MemoryOverhead m = memory_overhead(ctx.server);
  resp::ReplyBuilder& r = ctx.reply;
  auto field = [&](std::string_view name, int64_t v) {
    r.bulk(name);
    r.integer(v);
  };
  auto real = [&](std::string_view name, double v) {
    r.bulk(name);
    r.dbl(v);
  };
  auto u = [](uint64_t v) { return static_cast<int64_t>(v); };
  uint64_t net = m.total > m.startup ? m.total - m.startup : 0;
  r.map(27 + m.dbs.size());
  field("peak.allocated", u(m.peak));
  field("total.allocated", u(m.total));
  field("startup.allocated", u(m.startup));
  field("replication.backlog", 0);
  field("clients.slaves", u(m.clients_replicas));
  field("clients.normal", u(m.clients_normal));
  field("cluster.links", 0);
  field("aof.buffer", 0);
  field("lua.caches", 0);
  field("functions.caches", 0);
  for (const auto& db : m.dbs) {
    r.bulk("db." + std::to_string(db.index));
    r.map(3);
    // vigil's Database accounts the keys and expires tables together.
    field("overhead.hashtable.main", u(db.table_overhead));
    field("overhead.hashtable.expires", 0);
    field("overhead.hashtable.slot-to-keys", 0);
  }
  field("overhead.total", u(m.overhead_total));
  field("keys.count", u(m.keys));
  field("keys.bytes-per-key", m.keys ? u(net / m.keys) : 0);
  field("dataset.bytes", u(m.dataset));
  real("dataset.percentage", percentage(m.dataset, net));
  real("peak.percentage", percentage(m.total, m.peak));
  // With libc malloc Redis reports the allocator as holding exactly what is
  // allocated and the whole RSS as its resident set.
  field("allocator.allocated", u(m.total));
  field("allocator.active", u(m.rss));
  field("allocator.resident", u(m.rss));
  real("allocator-fragmentation.ratio", ratio(m.rss, m.total));
  field("allocator-fragmentation.bytes", diff(m.rss, m.total));
  real("allocator-rss.ratio", 1.0);
  field("allocator-rss.bytes", 0);
  real("rss-overhead.ratio", 1.0);
  field("rss-overhead.bytes", 0);
  real("fragmentation", ratio(m.rss, m.total));
  field("fragmentation.bytes", diff(m.rss, m.total));
}

std::string memory_doctor_report(NodeServer& s) {
  MemoryOverhead m = memory_overhead(s);
  if (m.total < 5 * 1024 * 1024) {
    return "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in "
           "these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I "
           "will be back to our programming as soon as I finished rebooting.\n";
  }
  bool big_peak = static_cast<float>(m.peak) / static_cast<float>(m.total) > 1.5f;
  bool high_frag = ratio(m.rss, m.total) > 1.4 && m.rss > m.total && m.rss - m.total > (10u << 20);
  bool big_client_buf = m.normal_clients > 0 && m.clients_normal / m.normal_clients > 1024 * 200;
  bool big_replica_buf = m.replicas > 0 && m.clients_replicas / m.replicas > 1024 * 1024 * 10;
  if (!big_peak && !high_frag && !big_client_buf && !big_replica_buf) {
    return "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this "
           "base.\n";
  }
  std::string out = "Sam, I detected a few issues in this Redis instance memory implants:\n\n";
  if (big_peak) {
    out += " * Peak memory: In the past this instance used more than 150% the memory that is currently using. The "
           "allocator is normally not able to release memory after a peak, so you can expect to see a big "
           "fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the "
           "Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as "
           "soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want "
           "to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to "
           "shutdown and restart the instance.\n\n";
  }
  if (high_frag) {
    out += " * High total RSS: This instance has a memory fragmentation and RSS overhead greater than 1.4 (this "
           "means that the Resident Set Size of the Redis process is much larger than the sum of the logical "
           "allocations Redis performed). This problem is usually due either to a large peak memory (check if there "
           "is a peak memory entry above in the report) or may result from a workload that causes the allocator to "
           "fragment memory a lot. If the problem is a large peak memory, then there is no issue. Otherwise, make "
           "sure you are using the Jemalloc allocator and not the default libc malloc. Note: The currently used "
           "allocator is \"libc\".\n\n";
  }
  if (big_replica_buf) {
    out += " * Big replica buffers: The replica output buffers in this instance are greater than 10MB for each "
           "replica (on average). This likely means that there is some replica instance that is struggling "
           "receiving data, either because it is too slow or because of networking issues. As a result, data piles "
           "on the master output buffers. Please try to identify what replica is not receiving data correctly and "
           "why. You can use the INFO output in order to check the replicas delays and the CLIENT LIST command to "
           "check the output buffers of each replica.\n\n";
  }
  if (big_client_buf) {
    out += " * Big client buffers: The clients output buffers in this instance are greater than 200K per client "
           "(on average). This may result from different causes, like Pub/Sub clients subscribed to channels bot "
           "not receiving data fast enough, so that data piles on the Redis instance output buffer, or clients "
           "sending commands with large replies or very large sequences of commands in the same pipeline. Please "
           "use the CLIENT LIST command in order to investigate the issue if it causes problems in your instance, "
           "or to understand better why certain clients are using a big amount of memory.\n\n";
  }
  out += "I'm here to keep you safe, Sam. I want to help you.\n";
  return out;
}

void memory_doctor(CommandContext& ctx) { ctx.reply.verbatim(memory_doctor_report(ctx.server)); }

void memory_purge(CommandContext& ctx) {
  malloc_trim(0);  // glibc's counterpart of jemalloc's arena purge
  ctx.reply.ok();
}

void memory_malloc_stats(CommandContext& ctx) {
  ctx.reply.verbatim("Stats not supported for the current allocator");
}

void memory_help(CommandContext& ctx) {
  write_help(ctx.reply, "MEMORY",
             {"DOCTOR", "    Return memory problems reports.", "MALLOC-STATS",
              "    Return internal statistics report from the memory allocator.", "PURGE",
              "    Attempt to purge dirty pages for reclamation by the allocator.", "STATS",
              "    Return information about the memory usage of the server.", "USAGE <key> [SAMPLES <count>]",
              "    Return memory in bytes used by <key> and its value. Nested values are",
              "    sampled up to <count> times (default: 5, 0 means sample all)."});
}

}  // namespace

void register_memory_family(NodeCommandTable& t) {
  marks().startup = allocated_bytes();
  NodeCommand memory = make_command("memory", -2, 0, {"@slow"}, nullptr);
  add_subcommand(memory, make_command("memory|doctor", 2, 0, {"@slow"}, memory_doctor));
  add_subcommand(memory, make_command("memory|malloc-stats", 2, 0, {"@slow"}, memory_malloc_stats));
  add_subcommand(memory, make_command("memory|purge", 2, 0, {"@slow"}, memory_purge));
  add_subcommand(memory, make_command("memory|stats", 2, 0, {"@slow"}, memory_stats));
  add_subcommand(memory, make_command("memory|usage", -3, kReadonly, {"@read", "@slow"}, memory_usage, 2, 2, 1));
  add_subcommand(memory, make_command("memory|help", 2, kLoading | kStale, {"@slow"}, memory_help));
  t.add(std::move(memory));
}

}  // namespace vigil::node

#include "invariants.h"

#include <charconv>
#include <string_view>

namespace vigil::sim {

namespace {

std::string id8(const std::string& id) { return id.substr(0, 8); }

}  // namespace

void Invariants::fail(const std::string& what) {
  fabric_.trace().add("INV", "VIOLATION: " + what);
  if (!failure_) {
    const Micros t = fabric_.now();
    failure_ = "at " + std::to_string(t / kMicrosPerSecond) + "." + std::to_string((t / 1000) % 1000 + 1000).substr(1) +
               "s: " + what;
  }
}

void Invariants::vote(const std::string& voter, std::uint64_t epoch, const std::string& leader, const char* source) {
  if (leader.empty() || leader == "*") return;
  auto [it, inserted] = votes_.emplace(std::make_pair(voter, epoch), leader);
  if (!inserted && it->second != leader)
    fail("sentinel " + id8(voter) + " voted twice in epoch " + std::to_string(epoch) + ": for " + id8(it->second) +
         " and for " + id8(leader) + " (seen in " + source + ")");
}

void Invariants::elected(const std::string& master, std::uint64_t epoch, const std::string& leader) {
  auto [it, inserted] = leaders_.emplace(std::make_pair(master, epoch), leader);
  if (!inserted && it->second != leader)
    fail("two leaders for " + master + " in epoch " + std::to_string(epoch) + ": " + id8(it->second) + " and " +
         id8(leader));
}

void Invariants::hello_sent(const std::string& sender, const std::string& payload) {
  // <ip>,<port>,<runid>,<current_epoch>,<master_name>,<master_ip>,<master_port>,<master_config_epoch>
  std::string_view fields[8];
  std::size_t n = 0, begin = 0;
  for (std::size_t i = 0; i <= payload.size() && n < 8; ++i) {
    if (i == payload.size() || payload[i] == ',') {
      fields[n++] = std::string_view(payload).substr(begin, i - begin);
      begin = i + 1;
    }
  }
  std::uint64_t epoch = 0;
  const auto& e = fields[7];
  if (n != 8 || begin != payload.size() + 1 ||
      std::from_chars(e.data(), e.data() + e.size(), epoch).ec != std::errc())
    return fail("malformed hello from " + id8(sender) + ": " + payload);
  auto [it, inserted] = config_by_epoch_.try_emplace(epoch);
  if (inserted) {
    it->second.assign(fields[5]).append(":").append(fields[6]);
  } else if (it->second.size() != fields[5].size() + 1 + fields[6].size() ||
             it->second.compare(0, fields[5].size(), fields[5]) != 0 ||
             it->second.compare(fields[5].size() + 1, std::string::npos, fields[6]) != 0) {
    fail("config epoch " + std::to_string(epoch) + " names two masters: " + it->second + " and " +
         std::string(fields[5]) + ":" + std::string(fields[6]) + " (hello from " + id8(sender) + ")");
  }
  auto [prev, first] = announced_epoch_.try_emplace(sender, epoch);
  if (!first) {
    if (epoch < prev->second)
      fail("sentinel " + id8(sender) + " announced config epoch " + std::to_string(epoch) + " after " +
           std::to_string(prev->second));
    else
      prev->second = epoch;
  }
}

void Invariants::sentinel_restarted(const std::string& sentinel, std::uint64_t restored_config_epoch) {
  auto it = announced_epoch_.find(sentinel);
  if (it != announced_epoch_.end() && restored_config_epoch < it->second)
    fail("sentinel " + id8(sentinel) + " restarted with config epoch " + std::to_string(restored_config_epoch) +
         " after announcing " + std::to_string(it->second) + " (not persisted before it was sent)");
}

void Invariants::promotion_chosen(const std::string& leader, const sentinel::Address& target,
                                const std::optional<sentinel::InstanceView>& view) {
  if (!view) return fail("leader " + id8(leader) + " selected " + target.to_name() + ", which it does not know as a replica");
  if (view->flags & sentinel::flag::kSDown)
    fail("leader " + id8(leader) + " selected " + target.to_name() + " for promotion while it saw it SDOWN");
  if (view->disconnected)
    fail("leader " + id8(leader) + " selected " + target.to_name() + " for promotion while its link was down");
  if (view->slave_priority == 0)
    fail("leader " + id8(leader) + " selected " + target.to_name() + " for promotion although it reported priority 0");
}

void Invariants::node_promoted(const std::string& node, int priority) {
  if (priority == 0) fail("node " + node + " with replica-priority 0 was promoted");
}

}  // namespace vigil::sim

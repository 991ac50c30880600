// Basic value types shared by every part of the pure sentinel core and its drivers
// (the daemon in sentinel/io + sentinel/server, the simulator in tests/simulation).
// Standard library only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vigil::sentinel {

// Milliseconds on the driver's monotonic clock. The core never reads a clock: every
// input carries the time at which it happened.
using TimeMs = int64_t;

// "Never happened" for timestamps compared as `now - t > period`: far enough in the past
// that such comparisons hold whatever the driver's clock origin (a simulator starts at 0),
// and far enough from INT64_MIN that the subtraction cannot overflow.
inline constexpr TimeMs kNeverMs = INT64_MIN / 4;
// "No particular time" for deadlines (Sentinel::next_wakeup).
inline constexpr TimeMs kNoDeadline = INT64_MAX;

// Identifies one connection incarnation (one TCP connection the core asked for with a
// Connect effect). A reconnect gets a fresh id; ids are never reused for the lifetime of a
// Sentinel object, so a late event for a closed connection is recognised and ignored.
using ConnId = uint64_t;

// Identifies one command the core asked to send (SendCommand effect). Never reused.
using RequestId = uint64_t;

// A link has up to two connections. Masters and replicas get both (Command + PubSub);
// other sentinels get only Command (one link shared by every master they watch).
enum class Connection : uint8_t { Command, PubSub };

// Network address exactly as configured / announced (IP literal, or hostname when the
// daemon allows hostnames). Compared with same port and case-insensitive same host.
struct Address {
  std::string host;
  int port = 0;

  bool operator==(const Address& other) const;  // same port, case-insensitive host
  bool operator!=(const Address& other) const { return !(*this == other); }
  // "ip:port", or "[ip]:port" for IPv6 literals: Redis's replica-record naming.
  std::string to_name() const;
};

// A RESP reply as delivered by the driver (hiredis redisReply or the simulator).
// Status = "+OK" style, Error = "-ERR ..." (text without the '-'), Nil = null bulk/array.
struct Reply {
  enum class Type : uint8_t { Status, Error, Integer, Bulk, Nil, Array };
  Type type = Type::Nil;
  std::string str;          // Status / Error / Bulk payload
  int64_t integer = 0;      // Integer payload
  std::vector<Reply> elements;  // Array elements

  static Reply status(std::string s) { return Reply{Type::Status, std::move(s), 0, {}}; }
  static Reply error(std::string s) { return Reply{Type::Error, std::move(s), 0, {}}; }
  static Reply bulk(std::string s) { return Reply{Type::Bulk, std::move(s), 0, {}}; }
  static Reply integer_reply(int64_t v) { return Reply{Type::Integer, {}, v, {}}; }
  static Reply nil() { return Reply{}; }
  static Reply array(std::vector<Reply> e) { return Reply{Type::Array, {}, 0, std::move(e)}; }
};

// Log / event levels, as Redis names them (VERBOSE events are published but logged at
// verbose; DEBUG events are neither published nor logged at notice).
enum class LogLevel : uint8_t { Debug, Verbose, Notice, Warning };

// Failover state of a master, in Redis's numbering; name() gives the `failover-state`
// field string (none, wait_start, select_slave, send_slaveof_noone, wait_promotion,
// reconf_slaves, update_config).
enum class FailoverState : uint8_t {
  None = 0,
  WaitStart = 1,
  SelectSlave = 2,
  SendSlaveofNoOne = 3,
  WaitPromotion = 4,
  ReconfSlaves = 5,
  UpdateConfig = 6,
};
const char* failover_state_name(FailoverState s);

enum class InstanceKind : uint8_t { Master, Replica, Sentinel };

// Instance flag bits (Redis SRI_* values). Also reported as text in Redis's order by
// flags_to_string().
namespace flag {
constexpr uint32_t kMaster = 1u << 0;
constexpr uint32_t kSlave = 1u << 1;
constexpr uint32_t kSentinel = 1u << 2;
constexpr uint32_t kSDown = 1u << 3;
constexpr uint32_t kODown = 1u << 4;
constexpr uint32_t kMasterDown = 1u << 5;
constexpr uint32_t kFailoverInProgress = 1u << 6;
constexpr uint32_t kPromoted = 1u << 7;
constexpr uint32_t kReconfSent = 1u << 8;
constexpr uint32_t kReconfInprog = 1u << 9;
constexpr uint32_t kReconfDone = 1u << 10;
constexpr uint32_t kForceFailover = 1u << 11;
constexpr uint32_t kScriptKillSent = 1u << 12;
constexpr uint32_t kMasterReboot = 1u << 13;  // internal in 7.0: not printed
}  // namespace flag

// "s_down,o_down,master,...": Redis's SENTINEL MASTER `flags` field. `disconnected` is
// inserted from the link state, after `sentinel`.
std::string flags_to_string(uint32_t flags, bool disconnected);

// Result of an operator command. ok=true: reply `+<message>` (message is "OK" or e.g.
// "OK 3 usable Sentinels. ..."); ok=false: reply `-<message>` (message already starts with
// the error code, e.g. "ERR No such master with that name", "INPROG Failover already in
// progress", "NOGOODSLAVE No suitable replica to promote").
struct CommandResult {
  bool ok = true;
  std::string message = "OK";

  static CommandResult success(std::string msg = "OK") { return {true, std::move(msg)}; }
  static CommandResult failure(std::string msg) { return {false, std::move(msg)}; }
};

}  // namespace vigil::sentinel

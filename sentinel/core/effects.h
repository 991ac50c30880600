// Outputs of the sentinel core. Every input method appends effects to an internal queue;
// the driver drains them with Sentinel::take_effects() and executes them IN ORDER.
//
// Ordering rule (safety): a Persist effect must be durable (written + fsynced) before the
// driver executes any effect that follows it in the batch, and before it writes the reply
// of the input call that produced it (e.g. an IS-MASTER-DOWN-BY-ADDR vote). Every Persist
// carries a complete snapshot, so the driver may coalesce: writing the LAST Persist of a
// batch before executing anything that follows the FIRST Persist is equivalent.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "sentinel/core/config.h"
#include "sentinel/core/types.h"

namespace vigil::sentinel {

// Open one connection (asynchronously), identified from now on by `conn_id`. `conn` says
// whether it is the Command or the PubSub connection of the instance. The driver:
//  1. connects to `addr`;
//  2. sends every command of `handshake` in order, discarding their replies (AUTH,
//     CLIENT SETNAME sentinel-<id8>-cmd|pubsub, and on the PubSub connection
//     SUBSCRIBE __sentinel__:hello — command names already renamed);
//  3. reports on_link_up() once the TCP connection is established (with the local
//     address of the socket, used as our IP in hellos when no announce-ip is set), or
//     on_link_down() if it fails or later closes.
// The core treats the connection as usable as soon as it emits Connect (like hiredis:
// commands sent while connecting are queued by the driver and written once connected).
struct ConnectEffect {
  ConnId conn_id = 0;
  Connection conn = Connection::Command;
  Address addr;
  std::vector<std::vector<std::string>> handshake;
};

// Close connection `conn_id`. Outstanding requests on it are forgotten by the core
// (late replies are ignored). The driver need not report on_link_down for it.
struct DisconnectEffect {
  ConnId conn_id = 0;
};

// Send one command on Command connection `conn_id` and report the outcome with
// on_reply(id, reply). If the connection closes first, report on_link_down() (the core
// forgets every outstanding request of that connection). `addr` is informational
// (logging, simulator routing). Commands of one connection must be written in emission order
// (MULTI ... EXEC transactions are emitted as consecutive SendCommands).
struct SendCommandEffect {
  RequestId id = 0;
  ConnId conn_id = 0;
  Address addr;
  std::vector<std::string> argv;
};

// A sentinel event (reference §8.9): publish `message` on the sentinel's own pub/sub
// channel `channel` (unless level == Debug), and log "<channel> <message>" at `level`
// (Redis logs WARNING events with '#').
struct PublishEventEffect {
  LogLevel level = LogLevel::Notice;
  std::string channel;
  std::string message;
};

// Make `state` durable (atomically: temp file, fsync, rename, fsync dir) before executing
// any later effect. See the ordering rule above.
struct PersistEffect {
  PersistedState state;
};

// Run a user script (fork/exec with retries per reference §11; the daemon owns the queue).
// argv[0] is the script path. Notification: `<path> <event-type> <event-message>`.
// Client reconfig: `<path> <master-name> <leader|observer> start <from-ip> <from-port>
// <to-ip> <to-port>`.
struct RunScriptEffect {
  enum class Kind : uint8_t { Notification, ClientReconfig };
  Kind kind = Kind::Notification;
  std::vector<std::string> argv;
};

// A plain log line (not an event), e.g. "Next failover delay: ...".
struct LogEffect {
  LogLevel level = LogLevel::Notice;
  std::string text;
};

// SENTINEL SIMULATE-FAILURE fired: the process must exit immediately with `exit_code`
// (Redis: 99) without executing further effects of the batch. The simulator models a crash.
struct CrashEffect {
  int exit_code = 99;
  std::string reason;  // "crash-after-election" | "crash-after-promotion"
};

using Effect = std::variant<ConnectEffect, DisconnectEffect, SendCommandEffect,
                            PublishEventEffect, PersistEffect, RunScriptEffect, LogEffect,
                            CrashEffect>;

}  // namespace vigil::sentinel

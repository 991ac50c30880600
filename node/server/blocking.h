// Blocking-command infrastructure (BLPOP, BRPOP, BLMOVE, BZPOPMIN ...).
//
// A blocking command's handler first tries to serve immediately; when nothing
// is available it calls block_on_keys(). The client is then suspended (no
// further commands dispatched) until one of the keys is signalled ready
// (CommandContext::signal_ready) and `retry` serves it, or the timeout fires,
// or CLIENT UNBLOCK / the client disconnects.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace vigil::node {

struct CommandContext;

// Called by a blocking command's handler when nothing is available and it may block.
// `retry` re-runs the command-specific serve attempt when one of `keys` is signalled
// ready (CommandContext::signal_ready); it returns true if it served the client (wrote the
// reply, propagated), false to keep waiting. The CommandContext passed to `retry` is a
// fresh one for the blocked client (its own argv, db and reply buffer; now_ms is the
// time of the retry). timeout_ms 0 = forever. On timeout the client gets a null array
// (*-1). Inside MULTI/EXEC (or a script) the client is never blocked: block_on_keys
// replies the timeout reply immediately. Clients are served FIFO per key.
// `keys` are in the client's selected database (ctx.client.db).
void block_on_keys(CommandContext& ctx, std::vector<std::string> keys, int64_t timeout_ms,
                   std::function<bool(CommandContext&)> retry);

// Parses a blocking command's timeout argument as Redis 7.0 does (seconds, may be a
// decimal such as "0.5"). On error writes the Redis error reply to ctx
// ("-ERR timeout is not a float or out of range" / "-ERR timeout is negative")
// and returns false. Success stores milliseconds (0 = forever) in *timeout_ms.
bool parse_block_timeout(CommandContext& ctx, const std::string& arg, int64_t* timeout_ms);

}  // namespace vigil::node

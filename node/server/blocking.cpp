#include "node/server/blocking.h"

#include <climits>
#include <cmath>

#include "common/util/numbers.h"
#include "node/server/command_context.h"
#include "node/server/node_server.h"

namespace vigil::node {

void block_on_keys(CommandContext& ctx, std::vector<std::string> keys, int64_t timeout_ms,
                   std::function<bool(CommandContext&)> retry) {
  ctx.server.block_client(ctx, std::move(keys), timeout_ms, std::move(retry));
}

bool parse_block_timeout(CommandContext& ctx, const std::string& arg, int64_t* timeout_ms) {
  // Redis 7.0 getTimeoutFromObjectOrReply with UNIT_SECONDS.
  long double seconds = 0;
  if (!util::string2ld(arg, &seconds)) {
    ctx.reply.error("ERR timeout is not a float or out of range");
    return false;
  }
  long double ms = seconds * 1000.0L;
  if (ms > static_cast<long double>(LLONG_MAX)) {
    ctx.reply.error("ERR timeout is out of range");
    return false;
  }
  long long t = static_cast<long long>(std::ceil(ms));
  if (t < 0) {
    ctx.reply.error("ERR timeout is negative");
    return false;
  }
  if (t > 0 && t > LLONG_MAX - ctx.now_ms) {
    ctx.reply.error("ERR timeout is out of range");
    return false;
  }
  *timeout_ms = t;
  return true;
}

}  // namespace vigil::node

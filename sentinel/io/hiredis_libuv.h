// hiredis 0.14 <-> libuv event adapter. Same as <hiredis/adapters/libuv.h> with
// one fix: that adapter drops poll errors (`if (status != 0) return;`), and libuv
// stops the poll handle on POLLERR, so a refused connection (ECONNREFUSED) or a
// reset socket is never reported and the context hangs until a timeout. Here an
// error wakes hiredis up, which then reads the socket error itself and runs the
// normal connect-failure / disconnect path.
#pragma once

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <uv.h>

namespace vigil::sentinel::io {

int attach_hiredis_to_libuv(redisAsyncContext* ac, uv_loop_t* loop);

}  // namespace vigil::sentinel::io

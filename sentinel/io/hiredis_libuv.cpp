#include "sentinel/io/hiredis_libuv.h"

namespace vigil::sentinel::io {

namespace {

struct Events {
  redisAsyncContext* context;
  uv_poll_t handle;
  int events;
};

void on_poll(uv_poll_t* handle, int status, int events) {
  auto* p = static_cast<Events*>(handle->data);
  if (p->context == nullptr) return;
  if (status != 0) {
    // libuv stopped the handle: let hiredis discover the socket error. Before the
    // connection is established the write path runs the connect check.
    if (!(p->context->c.flags & REDIS_CONNECTED)) {
      redisAsyncHandleWrite(p->context);
    } else {
      redisAsyncHandleRead(p->context);
    }
    return;
  }
  if (events & UV_READABLE) redisAsyncHandleRead(p->context);
  // The read may have freed the context (the cleanup hook clears it).
  if (p->context != nullptr && (events & UV_WRITABLE)) redisAsyncHandleWrite(p->context);
}

void update(Events* p) {
  if (p->events) {
    uv_poll_start(&p->handle, p->events, on_poll);
  } else {
    uv_poll_stop(&p->handle);
  }
}

void add_read(void* privdata) {
  auto* p = static_cast<Events*>(privdata);
  p->events |= UV_READABLE;
  update(p);
}

void del_read(void* privdata) {
  auto* p = static_cast<Events*>(privdata);
  p->events &= ~UV_READABLE;
  update(p);
}

void add_write(void* privdata) {
  auto* p = static_cast<Events*>(privdata);
  p->events |= UV_WRITABLE;
  update(p);
}

void del_write(void* privdata) {
  auto* p = static_cast<Events*>(privdata);
  p->events &= ~UV_WRITABLE;
  update(p);
}

void cleanup(void* privdata) {
  auto* p = static_cast<Events*>(privdata);
  p->context = nullptr;   // the context is being freed; the handle closes later
  uv_close(reinterpret_cast<uv_handle_t*>(&p->handle),
           [](uv_handle_t* h) { delete static_cast<Events*>(h->data); });
}

}  // namespace

int attach_hiredis_to_libuv(redisAsyncContext* ac, uv_loop_t* loop) {
  if (ac->ev.data != nullptr) return REDIS_ERR;
  auto* p = new Events{ac, {}, 0};
  if (uv_poll_init(loop, &p->handle, ac->c.fd) != 0) {
    delete p;
    return REDIS_ERR;
  }
  p->handle.data = p;
  ac->ev.addRead = add_read;
  ac->ev.delRead = del_read;
  ac->ev.addWrite = add_write;
  ac->ev.delWrite = del_write;
  ac->ev.cleanup = cleanup;
  ac->ev.data = p;
  return REDIS_OK;
}

}  // namespace vigil::sentinel::io

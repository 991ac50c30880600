#include "sentinel/io/link_manager.h"

#include <strings.h>

#include <utility>

namespace vigil::sentinel::io {

LinkManager::LinkManager(uv_loop_t* loop, LinkLimits limits, Events events)
    : loop_(loop), limits_(limits), events_(std::move(events)) {}

LinkManager::~LinkManager() { close_all(); }

void LinkManager::close_all() {
  auto conns = std::move(conns_);
  conns_.clear();
  for (auto& [id, c] : conns) c->release();
}

void LinkManager::connect(const ConnectEffect& e) {
  if (conns_.count(e.conn_id)) return;   // ids are never reused; defensive
  ConnectionOptions opts;
  opts.host = e.addr.host;
  opts.port = e.addr.port;
  opts.connect_timeout_ms = limits_.connect_timeout_ms;
  opts.max_pending = limits_.max_pending;
  std::vector<std::string> subscribe_channels;
  for (const auto& argv : e.handshake) {
    // SUBSCRIBE goes through hiredis's subscription API so that the messages
    // are routed to us rather than treated as stray replies.
    if (argv.size() == 2 && strcasecmp(argv[0].c_str(), "SUBSCRIBE") == 0) {
      subscribe_channels.push_back(argv[1]);
    } else {
      opts.handshake.push_back(argv);
    }
  }
  const ConnId id = e.conn_id;
  RedisConnection* conn = RedisConnection::create(
      loop_, std::move(opts),
      [this, id]() {
        auto it = conns_.find(id);
        if (it == conns_.end()) return;
        if (events_.up) events_.up(id, it->second->local_ip());
      },
      [this, id](std::string_view reason) { drop(id, std::string(reason)); });
  conns_[id] = conn;
  for (const auto& channel : subscribe_channels) {
    conn->subscribe(channel, limits_.command_timeout_ms,
                    [this, id](std::string_view ch, std::string_view payload) {
                      if (events_.message) events_.message(id, std::string(ch), std::string(payload));
                    });
  }
}

void LinkManager::disconnect(ConnId id) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  RedisConnection* c = it->second;
  conns_.erase(it);
  c->release();   // the core asked for it: no down report
}

void LinkManager::send(const SendCommandEffect& e) {
  auto it = conns_.find(e.conn_id);
  if (it == conns_.end()) return;   // already reported down; the core dropped the request
  const RequestId rid = e.id;
  const bool queued = it->second->send(e.argv, limits_.command_timeout_ms, [this, rid](const Reply* r) {
    // nullptr = the connection failed; the down report covers this request.
    if (r != nullptr && events_.reply) events_.reply(rid, *r);
  });
  if (!queued) it->second->close("too many pending commands or connection closing");
}

void LinkManager::drop(ConnId id, const std::string& error) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  RedisConnection* c = it->second;
  conns_.erase(it);
  c->release();
  if (events_.down) events_.down(id, error);
}

}  // namespace vigil::sentinel::io

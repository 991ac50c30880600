#include "sentinel/server/service.h"

#include <strings.h>

#include "sentinel/server/daemon.h"

namespace vigil::sentinel::server {

namespace {

// connIsLocal: "127.*" or "::1" (peer_addr is "ip:port", IPv6 as "[ip]:port").
bool is_loopback(const std::string& peer) {
  return peer.rfind("127.", 0) == 0 || peer.rfind("[::1]:", 0) == 0 || peer.rfind("unix", 0) == 0;
}

constexpr const char* kProtectedModeError =
    "DENIED Redis is running in protected mode because protected mode is enabled and no "
    "password is set for the default user. In this mode connections are only accepted from "
    "the loopback interface. If you want to connect from external computers to Redis you may "
    "adopt one of the following solutions: 1) Just disable protected mode sending the command "
    "'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the "
    "same host the server is running, however MAKE SURE Redis is not publicly accessible from "
    "internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively "
    "you can just disable the protected mode by editing the Redis configuration file, and "
    "setting the protected mode option to 'no', and then restarting the server. 3) If you "
    "started the server manually just for testing, restart it with the '--protected-mode no' "
    "option. 4) Setup a an authentication password for the default user. NOTE: You only need "
    "to do one of the above things in order for the server to start accepting connections from "
    "the outside.";

bool allowed_in_subscribed_context(const std::string& name) {
  for (const char* ok : {"subscribe", "psubscribe", "unsubscribe", "punsubscribe", "ping", "quit",
                         "reset", "ssubscribe", "sunsubscribe"}) {
    if (strcasecmp(name.c_str(), ok) == 0) return true;
  }
  return false;
}

}  // namespace

SentinelService::SentinelService(Daemon& daemon) : daemon_(daemon) {
  register_sentinel_commands(table_);
  register_client_commands(table_);
}

bool SentinelService::auth_required() const { return !daemon_.config().requirepass.empty(); }

ClientState* SentinelService::client(uint64_t conn_id) {
  auto it = clients_.find(conn_id);
  return it == clients_.end() ? nullptr : &it->second;
}

bool SentinelService::on_connect(net::Connection& c) {
  const auto& cfg = daemon_.config();
  // Protected mode as Redis 7.0 (acceptCommonHandler): with protected-mode yes
  // and no password for the default user, only loopback clients are served,
  // whatever `bind` says (Redis 6 also required "no bind"; 7.0 dropped that).
  // A sentinel's default is protected-mode no.
  if (cfg.protected_mode && cfg.requirepass.empty() && !is_loopback(c.peer_addr())) {
    c.reply().error(kProtectedModeError);
    c.close_after_reply();
    return true;
  }
  clients_[c.id()] = ClientState{};
  return true;
}

void SentinelService::on_close(net::Connection& c) {
  daemon_.pubsub().drop(c.id());
  clients_.erase(c.id());
}

void SentinelService::on_command(net::Connection& c, std::vector<std::string>& argv) {
  auto it = clients_.find(c.id());
  if (it == clients_.end()) return;   // refused at connect (protected mode)
  ClientState& client = it->second;
  auto& r = c.reply();

  const Cmd* cmd = table_.find(argv[0]);
  if (cmd == nullptr) {
    r.error(command::unknown_command_error(argv[0], argv));
    return;
  }
  if (auth_required() && !client.authenticated && !(cmd->flags & command::kNoAuth)) {
    r.error("NOAUTH Authentication required.");
    return;
  }
  // RESP2 clients in subscribed context may only (un)subscribe and ping.
  if (r.protocol() < 3 && daemon_.pubsub().subscription_count(c.id()) > 0 &&
      !allowed_in_subscribed_context(argv[0])) {
    std::string lower_name = cmd->name;
    r.error("ERR Can't execute '" + lower_name +
            "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this "
            "context");
    return;
  }
  if (!cmd->arity_ok(argv.size())) {
    r.error(command::wrong_arity_error(cmd->name));
    return;
  }
  const Cmd* target = cmd;
  if (!cmd->subcommands.empty() && argv.size() >= 2) {
    target = table_.find_subcommand(*cmd, argv[1]);
    if (target == nullptr) {
      r.error(command::unknown_subcommand_error(argv[1], cmd->name));
      return;
    }
    if (!target->arity_ok(argv.size())) {
      r.error(command::wrong_arity_sub_error(cmd->name, argv[1]));
      return;
    }
  }
  c.set_last_command(target->name);  // CLIENT LIST's cmd=, e.g. "sentinel|masters"
  CommandCtx ctx{daemon_, *this, c, client, argv, r};
  target->handler(ctx);
}

}  // namespace vigil::sentinel::server

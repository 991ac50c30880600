// The client-facing RESP service of vigil-sentinel (Redis Sentinel 7.0's
// command surface): dispatch through a CommandTable, AUTH/requirepass,
// protected mode, the subscribed-context rules, and per-client state.
// Command handlers live in sentinel_commands.cpp (SENTINEL ...) and
// client_commands.cpp (PING, INFO, ROLE, CLIENT, AUTH, HELLO, pub/sub, ...).
#pragma once

#include <string>
#include <vector>

#include "common/command/command_table.h"
#include "common/net/tcp_server.h"

namespace vigil::sentinel::server {

class Daemon;
class SentinelService;

struct ClientState {
  bool authenticated = false;
  std::string name;       // CLIENT SETNAME
};

// What every handler gets.
struct CommandCtx {
  Daemon& daemon;
  SentinelService& service;
  net::Connection& conn;
  ClientState& client;
  std::vector<std::string>& argv;
  resp::ReplyBuilder& r;
};

using CommandTable = command::CommandTable<CommandCtx>;
using Cmd = command::Command<CommandCtx>;

void register_sentinel_commands(CommandTable& table);
void register_client_commands(CommandTable& table);

// INFO text for the given sections (empty = default set), as Redis prints it.
std::string info_text(Daemon& d, const std::vector<std::string>& sections);

class SentinelService : public net::Service {
 public:
  explicit SentinelService(Daemon& daemon);

  bool on_connect(net::Connection& c) override;
  void on_command(net::Connection& c, std::vector<std::string>& argv) override;
  void on_close(net::Connection& c) override;

  const CommandTable& table() const { return table_; }
  ClientState* client(uint64_t conn_id);
  bool auth_required() const;

 private:
  Daemon& daemon_;
  CommandTable table_;
  std::unordered_map<uint64_t, ClientState> clients_;
};

}  // namespace vigil::sentinel::server

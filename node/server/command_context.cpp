#include "node/server/command_context.h"

#include "node/server/node_server.h"

namespace vigil::node {

store::Database& CommandContext::db() { return server.db(client.db); }

void CommandContext::propagate(std::vector<std::string> cmd) {
  custom_propagation = true;
  propagated.push_back(std::move(cmd));
}

void CommandContext::no_propagate() {
  custom_propagation = true;
  propagated.clear();
}

void CommandContext::touch(const std::string& key, int db_index) {
  server.touch_key(db_index < 0 ? client.db : db_index, key);
}

void CommandContext::signal_ready(const std::string& key) { server.signal_key_ready(client.db, key); }

}  // namespace vigil::node

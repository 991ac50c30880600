// Parts of the server family that live in their own files.
#pragma once

#include "node/commands/families.h"

namespace vigil::node {

// INFO (server_info.cpp).
void register_info_command(NodeCommandTable& t);
// CONFIG GET/SET/RESETSTAT/REWRITE (server_config.cpp).
void register_config_command(NodeCommandTable& t);

}  // namespace vigil::node

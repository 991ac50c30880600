// ZUNION ZINTER ZDIFF ZUNIONSTORE ZINTERSTORE ZDIFFSTORE ZINTERCARD
// (zunionInterDiffGenericCommand). Registered by register_zset_family.
#pragma once

#include "node/commands/families.h"

namespace vigil::node::data {

void register_zset_algebra(NodeCommandTable& t);

}  // namespace vigil::node::data

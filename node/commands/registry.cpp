// The node's command table: every family registers its commands here.
#include "node/commands/families.h"

namespace vigil::node {

NodeCommandTable build_command_table() {
  NodeCommandTable t;
  register_connection_family(t);
  register_server_family(t);
  register_pubsub_family(t);
  register_transactions_family(t);
  register_key_family(t);
  register_string_family(t);
  register_hash_family(t);
  register_list_family(t);
  register_set_family(t);
  register_zset_family(t);
  register_geo_family(t);
  register_sort_family(t);
  register_dump_family(t);
  register_swapdb_command(t);
  register_bitmap_family(t);
  register_lcs_command(t);
  register_hyperloglog_family(t);
  register_persistence_family(t);
  register_replication_family(t);
  register_introspection_family(t);
  register_memory_family(t);
  register_scripting_family(t);
  return t;
}

}  // namespace vigil::node

#include "fabric.h"

namespace vigil::sim {

Fabric::Fabric(std::uint64_t seed, NetworkConfig net, int process_count, bool trace_enabled)
    : network_(scheduler_, Prng(seed ^ 0x6e6574776f726bULL), net, process_count),
      trace_(scheduler_, trace_enabled),
      processes_(static_cast<std::size_t>(process_count)) {}

void Fabric::add_process(Process* p, const std::string& host, int port) {
  processes_[static_cast<std::size_t>(p->id())] = Entry{p, host, port};
}

Process* Fabric::resolve(const std::string& host, int port) {
  for (auto& e : processes_)
    if (e.process && e.port == port && e.host == host) return e.process;
  return nullptr;
}

ConnId Fabric::connect(ProcessId from, ProcessId to, Callback established, Callback closed) {
  Process* server = process(to);
  Process* client = process(from);
  // The client's close handler runs through its inbox like any other input.
  auto client_closed = [client, closed = std::move(closed)]() { client->deliver(closed); };
  const ConnId conn = network_.open(from, to, client_closed, nullptr);
  // The server-side close handler needs the connection id, known only now.
  network_.set_close_handler(conn, 1, [server, conn]() {
    if (server->alive()) server->connection_closed(conn);
  });
  network_.send(conn, from, [this, conn, from, to, established = std::move(established)]() {
    Process* srv = process(to);
    if (!srv->alive()) {
      network_.reset(conn);  // connection refused
      return;
    }
    srv->accept(conn);
    Process* cli = process(from);
    network_.send(conn, to, [cli, established]() { cli->deliver(established); });
  });
  return conn;
}

void Fabric::send(ConnId conn, ProcessId from, Callback fn) {
  Process* to = process(network_.peer_of(conn, from));
  network_.send(conn, from, [to, fn = std::move(fn)]() mutable { to->deliver(fn); });
}

void Fabric::send_request(ConnId conn, ProcessId from, Request req) {
  Process* to = process(network_.peer_of(conn, from));
  network_.send(conn, from, [to, conn, req = std::move(req)]() mutable {
    if (!to->alive()) return;
    if (!to->paused()) return to->receive(conn, std::move(req));
    to->deliver([to, conn, req = std::move(req)]() mutable { to->receive(conn, std::move(req)); });
  });
}

}  // namespace vigil::sim

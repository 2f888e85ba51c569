#ifndef IMH_TOOLS_POSTGRES_THROWAWAY_CLUSTER_H_
#define IMH_TOOLS_POSTGRES_THROWAWAY_CLUSTER_H_

// A throwaway PostgreSQL cluster, for tests and benchmarks: initdb into a
// temp dir (trust authentication, user imh), started on a free loopback
// port with fsync on, stopped and removed when the object goes. As root it
// runs the server as the `postgres` user (initdb refuses root).

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace imh::tools {

class ThrowawayPostgres {
 public:
  // Starts a cluster with the newest server under /usr/lib/postgresql;
  // FailedPrecondition when none is installed, Internal when initdb or the
  // start failed (the message says where the server's log is).
  static absl::StatusOr<std::unique_ptr<ThrowawayPostgres>> Start();
  // A server of the same kind already running on loopback `port` (started
  // by the test command for all test processes): databases are made in it,
  // it is neither restarted nor stopped here.
  static std::unique_ptr<ThrowawayPostgres> Attach(int port);
  ~ThrowawayPostgres();
  ThrowawayPostgres(const ThrowawayPostgres&) = delete;
  ThrowawayPostgres& operator=(const ThrowawayPostgres&) = delete;

  // postgresql://imh@127.0.0.1:PORT/DB for a database of its own, created
  // empty on each call (named after the process, so that processes sharing
  // a server do not meet).
  absl::StatusOr<std::string> NewDatabase();
  // Stops the server (fast: open connections are cut, as in a failover) and
  // starts it again on the same port. FailedPrecondition for an attached
  // server.
  absl::Status Restart();
  int port() const { return port_; }

 private:
  ThrowawayPostgres() = default;
  std::string dir_;
  std::string bin_;
  int port_ = 0;
  int databases_ = 0;
  bool started_ = false;
};

}  // namespace imh::tools

#endif  // IMH_TOOLS_POSTGRES_THROWAWAY_CLUSTER_H_

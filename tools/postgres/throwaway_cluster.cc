#include "tools/postgres/throwaway_cluster.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "services/registry/sql/postgres_engine.h"
#include "services/registry/sql/sql.h"

namespace imh::tools {
namespace {

// The newest installed server's bin folder, or empty.
std::string ServerBinaries() {
  std::string best;
  std::error_code error;
  for (const auto& entry :
       std::filesystem::directory_iterator("/usr/lib/postgresql", error)) {
    const std::string bin = entry.path().string() + "/bin";
    if (std::filesystem::exists(bin + "/initdb") && bin > best) best = bin;
  }
  return best;
}

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof(address);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

// Runs `command` as the server's user (postgres when we are root).
int RunAsServerUser(const std::string& command) {
  const std::string full =
      geteuid() == 0 ? absl::StrCat("runuser -u postgres -- ", command)
                     : command;
  return std::system(absl::StrCat(full, " >/dev/null 2>&1").c_str());
}

}  // namespace

absl::StatusOr<std::unique_ptr<ThrowawayPostgres>> ThrowawayPostgres::Start() {
  std::unique_ptr<ThrowawayPostgres> cluster(new ThrowawayPostgres());
  cluster->bin_ = ServerBinaries();
  if (cluster->bin_.empty()) {
    return absl::FailedPreconditionError(
        "no PostgreSQL server under /usr/lib/postgresql: tools/install_deps.sh "
        "installs it");
  }
  char pattern[] = "/tmp/imh-pg-XXXXXX";
  if (mkdtemp(pattern) == nullptr) {
    return absl::InternalError("cannot make a temp dir");
  }
  cluster->dir_ = pattern;
  if (geteuid() == 0 &&
      std::system(absl::StrCat("chown postgres ", cluster->dir_).c_str()) !=
          0) {
    return absl::InternalError("cannot give the temp dir to postgres");
  }
  const std::string data = cluster->dir_ + "/data";
  if (RunAsServerUser(absl::StrCat(cluster->bin_, "/initdb -D ", data,
                                   " -A trust -U imh -E UTF8")) != 0) {
    return absl::InternalError("initdb failed");
  }
  for (int attempt = 0; attempt < 5 && !cluster->started_; ++attempt) {
    cluster->port_ = FreePort();
    cluster->started_ =
        RunAsServerUser(absl::StrCat(
            cluster->bin_, "/pg_ctl -D ", data, " -w -t 60 -l ", cluster->dir_,
            "/log -o \"-p ", cluster->port_, " -k ", cluster->dir_,
            " -c listen_addresses=127.0.0.1 -c fsync=on\" start")) == 0;
  }
  if (!cluster->started_) {
    return absl::InternalError(
        absl::StrCat("pg_ctl start failed; see ", cluster->dir_, "/log"));
  }
  return cluster;
}

ThrowawayPostgres::~ThrowawayPostgres() {
  if (started_) {
    RunAsServerUser(
        absl::StrCat(bin_, "/pg_ctl -D ", dir_, "/data -m immediate stop"));
  }
  std::error_code ignored;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
}

std::unique_ptr<ThrowawayPostgres> ThrowawayPostgres::Attach(int port) {
  std::unique_ptr<ThrowawayPostgres> server(new ThrowawayPostgres());
  server->port_ = port;
  return server;
}

absl::Status ThrowawayPostgres::Restart() {
  if (!started_) {
    return absl::FailedPreconditionError(
        "a server this process did not start is not restarted by it");
  }
  if (RunAsServerUser(absl::StrCat(bin_, "/pg_ctl -D ", dir_,
                                   "/data -w -t 60 -m fast restart")) != 0) {
    return absl::InternalError(
        absl::StrCat("pg_ctl restart failed; see ", dir_, "/log"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ThrowawayPostgres::NewDatabase() {
  const std::string name = absl::StrCat("t", getpid(), "_", ++databases_);
  try {
    registry::sql::Database admin(registry::sql::OpenPostgres(
        absl::StrCat("postgresql://imh@127.0.0.1:", port_, "/postgres")));
    admin.exec(absl::StrCat("CREATE DATABASE ", name));
  } catch (const registry::sql::Exception& error) {
    return absl::InternalError(error.what());
  }
  return absl::StrCat("postgresql://imh@127.0.0.1:", port_, "/", name);
}

}  // namespace imh::tools

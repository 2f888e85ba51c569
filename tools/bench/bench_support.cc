#include "tools/bench/bench_support.h"

#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/proto_files.h"
#include "common/server_support.h"
#include "imh/registry/v1/registry_service.grpc.pb.h"
#include "tools/bench/echo_server.h"
#include "tools/cli/registry_csv.h"

extern char** environ;

namespace imh::bench {

Child Spawn(const std::vector<std::string>& args, const std::string& port_file,
            const std::string& log_file) {
  std::vector<char*> argv;
  for (const std::string& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  Child child;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!log_file.empty()) {
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log_file.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
  }
  const int spawned =
      posix_spawn(&child.pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    std::fprintf(stderr, "cannot start %s\n", argv[0]);
    std::exit(1);
  }
  // Polled every millisecond: start-up times are among the figures.
  for (int i = 0; i < 15000 && child.port == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::ifstream in(port_file);
    in >> child.port;
  }
  if (child.port == 0) {
    std::fprintf(stderr, "%s did not start\n", argv[0]);
    std::exit(1);
  }
  return child;
}

TimedStart SpawnUntilReady(const std::vector<std::string>& args,
                           const std::string& port_file,
                           const std::function<bool(int port)>& ready) {
  std::error_code ignored;
  std::filesystem::remove(port_file, ignored);
  TimedStart start;
  const Clock::time_point began = Clock::now();
  start.child = Spawn(args, port_file);
  const Clock::time_point give_up = began + std::chrono::seconds(15);
  while (!ready(start.child.port)) {
    if (Clock::now() > give_up) {
      std::fprintf(stderr, "%s was not ready within 15 s\n", args[0].c_str());
      std::exit(1);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  start.milliseconds =
      std::chrono::duration<double, std::milli>(Clock::now() - began).count();
  return start;
}

void PinTodayForBenchmarkData() {
  ::setenv(kPinnedTodayVariable, "2026-12-01", /*overwrite=*/0);
}

void ImportDemoRegistry(const std::string& csv_path, int port) {
  absl::StatusOr<std::string> text = ReadFileToString(csv_path);
  absl::StatusOr<std::vector<tools::CsvRecord>> rows =
      text.ok() ? tools::ParseRegistryCsv(*text)
                : absl::StatusOr<std::vector<tools::CsvRecord>>(text.status());
  if (!rows.ok()) {
    std::fprintf(stderr, "%s: %s\n", csv_path.c_str(),
                 std::string(rows.status().message()).c_str());
    std::exit(1);
  }
  registry::v1::ImportEndorsementsRequest request;
  for (const auto& row : *rows) *request.add_records() = row.record;
  registry::v1::ImportEndorsementsResponse response;
  grpc::ClientContext context;
  auto stub = registry::v1::RegistryService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  if (!stub->ImportEndorsements(&context, request, &response).ok() ||
      !response.rejections().empty()) {
    std::fprintf(stderr, "cannot import %s\n", csv_path.c_str());
    std::exit(1);
  }
}

void Stop(const Child& child) {
  if (child.pid == 0) return;
  kill(child.pid, SIGTERM);
  int status = 0;
  waitpid(child.pid, &status, 0);
}

long StatusKb(pid_t pid, const std::string& field) {
  if (pid == 0) return -1;
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      return std::strtol(line.c_str() + field.size() + 1, nullptr, 10);
    }
  }
  return -1;
}

int ServeEcho(const std::string& port_file) {
  // Tuned like the services it is compared with.
  DisableMutexDeadlockDetection();
  BlockTerminationSignals();
  int port = 0;
  auto server = StartEchoServer("127.0.0.1:0", &port);
  if (!server) return 1;
  WritePortFile(port_file, port);
  WaitForTerminationSignal();
  server->Shutdown();
  return 0;
}

}  // namespace imh::bench

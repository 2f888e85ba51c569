#include "tools/bench/bench_support.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/server_support.h"
#include "tools/bench/echo_server.h"

extern char** environ;

namespace imh::bench {

Child Spawn(const std::vector<std::string>& args,
            const std::string& port_file) {
  std::vector<char*> argv;
  for (const std::string& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  Child child;
  if (posix_spawn(&child.pid, argv[0], nullptr, nullptr, argv.data(),
                  environ) != 0) {
    std::fprintf(stderr, "cannot start %s\n", argv[0]);
    std::exit(1);
  }
  for (int i = 0; i < 300 && child.port == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::ifstream in(port_file);
    in >> child.port;
  }
  if (child.port == 0) {
    std::fprintf(stderr, "%s did not start\n", argv[0]);
    std::exit(1);
  }
  return child;
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

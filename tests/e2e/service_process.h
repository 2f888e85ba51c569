#ifndef IMH_TESTS_E2E_SERVICE_PROCESS_H_
#define IMH_TESTS_E2E_SERVICE_PROCESS_H_

// A real service binary run as a child process on 127.0.0.1:0, its stderr
// (the JSON log) kept in a file, its port read from --port_file.

#include <sys/types.h>

#include <string>
#include <vector>

namespace imh::e2e {

class ServiceProcess {
 public:
  // Starts `binary` with `args` plus --listen=127.0.0.1:<port> (0 by
  // default) and --port_file; waits until it serves. `name` names the log
  // and port files in `dir`.
  // With `stderr_fd` >= 0 the process's stderr is that descriptor (a pipe a
  // test never reads, say) instead of the log file.
  ServiceProcess(const std::string& binary, std::vector<std::string> args,
                 const std::string& dir, const std::string& name, int port = 0,
                 int stderr_fd = -1);
  // Kills the process if it still runs.
  ~ServiceProcess();

  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string address() const;
  // Everything the process wrote on stderr so far (once its log writer has
  // caught up: the file stopped growing).
  std::string Log() const;

  // SIGTERM, then waits; returns the exit status (-1 if it did not exit).
  int Stop();
  // SIGKILL, then waits.
  void Kill();
  // SIGSTOP / SIGCONT: the process keeps its sockets (connections are
  // accepted by the kernel) but answers nothing until resumed. Pause returns
  // once the process has stopped.
  void Pause();
  void Resume();

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_path_;
};

}  // namespace imh::e2e

#endif  // IMH_TESTS_E2E_SERVICE_PROCESS_H_

#include "tests/e2e/service_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

extern char** environ;

namespace imh::e2e {

ServiceProcess::ServiceProcess(const std::string& binary,
                               std::vector<std::string> args,
                               const std::string& dir, const std::string& name,
                               int port, int stderr_fd)
    : log_path_(absl::StrCat(dir, "/", name, ".log")) {
  const std::string port_file = absl::StrCat(dir, "/", name, ".port");
  ::unlink(port_file.c_str());
  args.insert(args.begin(), binary);
  args.push_back(absl::StrCat("--listen=127.0.0.1:", port));
  args.push_back("--port_file=" + port_file);
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (stderr_fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, stderr_fd, STDERR_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log_path_.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
  }
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null",
                                   O_WRONLY, 0);
  const int spawned = posix_spawn(&pid_, binary.c_str(), &actions, nullptr,
                                  argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    pid_ = -1;
    ADD_FAILURE() << "cannot start " << binary;
    return;
  }
  const auto give_up =
      std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < give_up) {
    std::ifstream in(port_file);
    if (in >> port_ && port_ > 0) return;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      ADD_FAILURE() << name << " exited at start:\n" << Log();
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << name << " did not start:\n" << Log();
}

ServiceProcess::~ServiceProcess() {
  if (pid_ > 0) Kill();
}

std::string ServiceProcess::address() const {
  return absl::StrCat("127.0.0.1:", port_);
}

std::string ServiceProcess::Log() const {
  // The services write log lines from a writer thread of their own: a line
  // for a call just answered may still be on its way. Read until the file
  // stops growing (briefly; at most a second).
  std::string last;
  const auto give_up =
      std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (true) {
    std::ifstream in(log_path_);
    std::ostringstream text;
    text << in.rdbuf();
    if (text.str() == last || std::chrono::steady_clock::now() > give_up) {
      return text.str();
    }
    last = text.str();
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
}

int ServiceProcess::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void ServiceProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

void ServiceProcess::Pause() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGSTOP);
  // Returns once the process has stopped, not merely once it was signalled.
  int status = 0;
  ::waitpid(pid_, &status, WUNTRACED);
}

void ServiceProcess::Resume() {
  if (pid_ > 0) ::kill(pid_, SIGCONT);
}

}  // namespace imh::e2e

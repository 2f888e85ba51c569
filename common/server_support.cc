#include "common/server_support.h"

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/caller_identity.h"
#include "common/dates.h"
#include "common/json_text.h"
#include "common/log_queue.h"
#include "common/log_time.h"

namespace imh {
namespace {

bool IsPrintable(absl::string_view value, size_t max) {
  if (value.empty() || value.size() > max) return false;
  for (const char c : value) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

std::string Metadata(const grpc::ServerContextBase& context,
                     absl::string_view key) {
  const auto& metadata = context.client_metadata();
  const auto it = metadata.find(grpc::string_ref(key.data(), key.size()));
  if (it == metadata.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

}  // namespace

std::string CallerActor(const grpc::ServerContextBase& context) {
  for (const std::string& principal : IdentityOf(context).principals) {
    if (IsPrintable(principal, 128)) return principal;
  }
  const std::string declared = Metadata(context, "x-actor");
  if (IsPrintable(declared, 128)) return declared;
  return "anonymous";
}

std::string CorrelationId(const grpc::ServerContextBase& context) {
  const std::string id = Metadata(context, "x-request-id");
  return IsPrintable(id, 64) ? id : "";
}

bool CheckPinnedTodayAtStart(absl::string_view service) {
  const absl::StatusOr<std::optional<absl::CivilDay>> pinned = PinnedToday();
  if (!pinned.ok()) {
    std::fprintf(stderr, "imh-%s: %s\n", std::string(service).c_str(),
                 std::string(pinned.status().message()).c_str());
    return false;
  }
  if (pinned->has_value()) {
    LogJson(service,
            {{"event", "today_pinned"},
             {"today", FormatDay(**pinned)},
             {"warning", absl::StrCat(kPinnedTodayVariable,
                                      " is for demos and tests: the "
                                      "rules' today stays this day")}});
  }
  return true;
}

void DisableMutexDeadlockDetection() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

void BlockTerminationSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

int WaitForTerminationSignal() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  int received = 0;
  while (sigwait(&signals, &received) != 0) {
  }
  return received;
}

void WritePortFile(const std::string& path, int port) {
  {
    std::ofstream out(path + ".tmp");
    out << port << "\n";
  }
  std::error_code ignored;
  std::filesystem::rename(path + ".tmp", path, ignored);
}

void LogJson(
    absl::string_view component,
    std::initializer_list<std::pair<absl::string_view, std::string>> fields) {
  std::string line = "{\"time\":";
  line.push_back('"');
  AppendLogTime(line, absl::Now());
  line.push_back('"');
  line.append(",\"component\":");
  AppendJsonString(line, component);
  for (const auto& [key, value] : fields) {
    line.push_back(',');
    AppendJsonString(line, key);
    line.push_back(':');
    AppendJsonString(line, value);
  }
  line.append("}\n");
  LogQueue::Stderr().TryWrite(std::move(line));
}

}  // namespace imh

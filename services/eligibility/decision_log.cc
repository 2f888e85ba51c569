#include "services/eligibility/decision_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/json_text.h"
#include "common/log_time.h"

namespace imh::eligibility {
namespace {

void AppendField(std::string& line, absl::string_view key,
                 absl::string_view value) {
  line.push_back(',');
  AppendJsonString(line, key);
  line.push_back(':');
  AppendJsonString(line, value);
}

}  // namespace

std::string DecisionLine(const DecisionRecord& record) {
  std::string line = "{\"decision_id\":";
  AppendJsonString(line, record.decision_id);
  line.append(",\"time\":\"");
  AppendLogTime(line, absl::Now());
  line.push_back('"');
  AppendField(line, "kind", record.kind);
  AppendField(line, "caller", record.caller);
  AppendField(line, "request_id", record.request_id);
  AppendField(line, "rulebook_version", record.rulebook_version);
  AppendField(line, "as_of", record.as_of);
  AppendField(line, "input_sha256", record.input_sha256);
  if (!record.verification.empty()) {
    AppendField(line, "verification", record.verification);
  }
  line.append(",\"outcomes\":{");
  bool first = true;
  for (const auto& [category, outcome] : record.outcomes) {
    if (!first) line.push_back(',');
    first = false;
    AppendJsonString(line, category);
    line.push_back(':');
    AppendJsonString(line, outcome);
  }
  line.append("}}");
  return line;
}

absl::StatusOr<std::unique_ptr<DecisionLog>> DecisionLog::Open(
    const std::string& path, DecisionLogOptions options) {
  const std::filesystem::path folder =
      std::filesystem::path(path).parent_path();
  std::error_code ignored;
  if (!folder.empty()) std::filesystem::create_directories(folder, ignored);
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot open the decision log ", path));
  }
  return std::unique_ptr<DecisionLog>(new DecisionLog(path, fd, options));
}

DecisionLog::DecisionLog(std::string path, int fd, DecisionLogOptions options)
    : path_(std::move(path)), fd_(fd), options_(options) {
  syncer_ = std::thread([this] { SyncLoop(); });
}

DecisionLog::~DecisionLog() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  sync_wanted_.notify_all();
  syncer_.join();
  ::close(fd_);
}

absl::Status DecisionLog::Append(const DecisionRecord& record) {
  std::string line = DecisionLine(record);
  line.push_back('\n');
  std::unique_lock<std::timed_mutex> writing(writing_, std::defer_lock);
  if (!writing.try_lock_for(absl::ToChronoMilliseconds(options_.max_wait))) {
    return absl::UnavailableError(absl::StrCat(
        "the decision log ", path_, " is behind; try again shortly"));
  }
  if (failed_.load()) {
    return absl::UnavailableError(
        absl::StrCat("the decision log ", path_,
                     " cannot be written; no decision is answered unlogged"));
  }
  absl::string_view rest = line;
  while (!rest.empty()) {
    const ssize_t n = ::write(fd_, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // A part of a line may be on file: no line is written after it.
      failed_.store(true);
      return absl::UnavailableError(
          absl::StrCat("the decision log ", path_,
                       " cannot be written; no decision is answered unlogged"));
    }
    rest.remove_prefix(static_cast<size_t>(n));
  }
  written_total_.fetch_add(1);
  return absl::OkStatus();
}

void DecisionLog::Sync() {
  std::unique_lock<std::mutex> lock(mutex_);
  const int64_t target = written_total_.load();
  sync_requested_ = true;
  sync_wanted_.notify_all();
  synced_.wait(lock, [&] { return failed_.load() || synced_total_ >= target; });
}

void DecisionLog::SyncLoop() {
  int64_t synced = 0;
  while (true) {
    bool stopping;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      sync_wanted_.wait_for(lock,
                            absl::ToChronoMilliseconds(options_.sync_interval),
                            [&] { return stopping_ || sync_requested_; });
      stopping = stopping_;
      sync_requested_ = false;
    }
    // Lines counted here were written before the count was read.
    const int64_t target = written_total_.load();
    if (target > synced) {
      // EINVAL: a pipe or another special file, which has nothing to sync;
      // what reads it keeps the lines.
      if (::fdatasync(fd_) == 0 || errno == EINVAL) {
        synced = target;
      } else {
        failed_.store(true);
      }
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      synced_total_ = synced;
    }
    synced_.notify_all();
    if (stopping) return;
  }
}

}  // namespace imh::eligibility

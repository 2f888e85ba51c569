#include "services/eligibility/decision_log.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/json_text.h"

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
  AppendField(line, "time",
              absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                               absl::UTCTimeZone()));
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
  std::FILE* file = std::fopen(path.c_str(), "a");
  if (file == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("cannot open the decision log ", path));
  }
  return std::unique_ptr<DecisionLog>(new DecisionLog(path, file, options));
}

DecisionLog::DecisionLog(std::string path, std::FILE* file,
                         DecisionLogOptions options)
    : path_(std::move(path)), file_(file), options_(options) {
  writer_ = std::thread([this] { WriteLoop(); });
}

DecisionLog::~DecisionLog() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  work_.notify_all();
  writer_.join();
  std::fclose(file_);
}

absl::Status DecisionLog::Append(const DecisionRecord& record) {
  std::string line = DecisionLine(record);
  line.push_back('\n');
  std::unique_lock<std::mutex> lock(mutex_);
  const auto deadline = std::chrono::steady_clock::now() +
                        absl::ToChronoMilliseconds(options_.max_wait);
  if (!room_.wait_until(lock, deadline, [&] {
        return failed_ || lines_.size() < options_.capacity;
      })) {
    return absl::UnavailableError(absl::StrCat(
        "the decision log ", path_, " is behind; try again shortly"));
  }
  if (failed_) {
    return absl::UnavailableError(
        absl::StrCat("the decision log ", path_,
                     " cannot be written; no decision is answered unlogged"));
  }
  lines_.push_back(std::move(line));
  const int64_t mine = ++queued_total_;
  work_.notify_one();
  // Answered only once the line is written (with the lines queued beside
  // it, in one write); the writer fsyncs those groups.
  if (!written_.wait_until(lock, deadline,
                           [&] { return failed_ || written_total_ >= mine; }) ||
      failed_) {
    return absl::UnavailableError(absl::StrCat(
        "the decision log ", path_, " did not take the line in time"));
  }
  return absl::OkStatus();
}

void DecisionLog::Sync() {
  std::unique_lock<std::mutex> lock(mutex_);
  const int64_t target = queued_total_;
  synced_.wait(lock, [&] { return failed_ || synced_total_ >= target; });
}

void DecisionLog::WriteLoop() {
  std::vector<std::string> batch;
  auto last_sync = std::chrono::steady_clock::now();
  int64_t written_unsynced = 0;
  while (true) {
    bool stopping = false;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      work_.wait_for(lock, absl::ToChronoMilliseconds(options_.sync_interval),
                     [&] { return stopping_ || !lines_.empty(); });
      stopping = stopping_;
      batch.assign(std::make_move_iterator(lines_.begin()),
                   std::make_move_iterator(lines_.end()));
      lines_.clear();
    }
    room_.notify_all();
    const bool wrote = !batch.empty();
    if (wrote) {
      bool ok = true;
      for (const std::string& line : batch) {
        ok = ok &&
             std::fwrite(line.data(), 1, line.size(), file_) == line.size();
      }
      ok = ok && std::fflush(file_) == 0;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (ok) {
          written_total_ += static_cast<int64_t>(batch.size());
        } else {
          failed_ = true;
        }
      }
      written_unsynced += static_cast<int64_t>(batch.size());
      written_.notify_all();
      room_.notify_all();
      batch.clear();
    }
    // fsync in groups: at least every sync_interval while lines come, and
    // as soon as they stop.
    const auto now = std::chrono::steady_clock::now();
    if (written_unsynced > 0 &&
        (!wrote || stopping ||
         now - last_sync >=
             absl::ToChronoMilliseconds(options_.sync_interval))) {
      const bool synced = ::fdatasync(::fileno(file_)) == 0;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (synced) {
          synced_total_ = written_total_;
        } else {
          failed_ = true;
        }
      }
      written_unsynced = 0;
      last_sync = now;
      synced_.notify_all();
      room_.notify_all();
    }
    if (stopping) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (lines_.empty()) return;
    }
  }
}

}  // namespace imh::eligibility

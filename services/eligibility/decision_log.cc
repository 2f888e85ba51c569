#include "services/eligibility/decision_log.h"

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
    const std::string& path) {
  const std::filesystem::path folder =
      std::filesystem::path(path).parent_path();
  std::error_code ignored;
  if (!folder.empty()) std::filesystem::create_directories(folder, ignored);
  std::FILE* file = std::fopen(path.c_str(), "a");
  if (file == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("cannot open the decision log ", path));
  }
  return std::unique_ptr<DecisionLog>(new DecisionLog(path, file));
}

DecisionLog::~DecisionLog() { std::fclose(file_); }

bool DecisionLog::Append(const DecisionRecord& record) {
  std::string line = DecisionLine(record);
  line.push_back('\n');
  std::lock_guard<std::mutex> lock(mutex_);
  return std::fwrite(line.data(), 1, line.size(), file_) == line.size() &&
         std::fflush(file_) == 0;
}

}  // namespace imh::eligibility

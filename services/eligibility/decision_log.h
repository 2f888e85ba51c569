#ifndef IMH_SERVICES_ELIGIBILITY_DECISION_LOG_H_
#define IMH_SERVICES_ELIGIBILITY_DECISION_LOG_H_

// The decision log: one JSON line per decision. It holds what an auditor
// needs to tie a decision to its input and rules, and no personal data: the
// input appears only as a SHA-256 digest. It is an audit record, so a
// decision is never answered without its line: lines go through a bounded
// queue to one writer thread, which writes them in groups and fsyncs at
// least every 100 ms; a decision is answered once its line is written, and
// refused (Unavailable) when that does not happen in time.
//
//   {"decision_id":"d-…","time":"2026-11-23T14:02:11.512Z","kind":"portfolio",
//    "caller":"spiffe://imh/portal","request_id":"…","rulebook_version":"…",
//    "as_of":"2026-11-23","input_sha256":"…","verification":"COMPLETE",
//    "outcomes":{"IFS":"ELIGIBLE"}}

#include <condition_variable>
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace imh::eligibility {

struct DecisionRecord {
  std::string decision_id;
  // "portfolio", "recommendation" or "renewal".
  std::string kind;
  std::string caller;
  std::string request_id;
  std::string rulebook_version;
  std::string as_of;
  std::string input_sha256;
  // VerificationState name without its prefix, or "" for renewals.
  std::string verification;
  // (category, outcome name without its prefix), in decision order.
  std::vector<std::pair<std::string, std::string>> outcomes;
};

struct DecisionLogOptions {
  // Lines waiting for the writer at most.
  size_t capacity = 4096;
  // How long a decision waits for room in a full queue before it is refused.
  absl::Duration max_wait = absl::Seconds(2);
  // The writer fsyncs what it wrote at least this often.
  absl::Duration sync_interval = absl::Milliseconds(100);
};

class DecisionLog {
 public:
  // Opens `path` for appending, creating it and its folder, and starts the
  // writer. Unavailable when it cannot.
  static absl::StatusOr<std::unique_ptr<DecisionLog>> Open(
      const std::string& path, DecisionLogOptions options = {});
  // Writes and fsyncs every queued line, then stops the writer.
  ~DecisionLog();

  // Queues the record's line and returns once the writer has written it
  // (to the operating system; fsynced with its group within sync_interval).
  // Thread-safe. Unavailable when that took longer than max_wait or the log
  // can no longer be written: the caller must then not answer the decision.
  absl::Status Append(const DecisionRecord& record);

  // Blocks until every line queued so far is written and fsynced (tests,
  // shutdown).
  void Sync();

  const std::string& path() const { return path_; }

 private:
  DecisionLog(std::string path, std::FILE* file, DecisionLogOptions options);
  void WriteLoop();

  const std::string path_;
  std::FILE* const file_;
  const DecisionLogOptions options_;
  std::mutex mutex_;
  std::condition_variable room_;
  std::condition_variable work_;
  std::condition_variable written_;
  std::condition_variable synced_;
  std::deque<std::string> lines_;
  int64_t queued_total_ = 0;
  int64_t written_total_ = 0;
  int64_t synced_total_ = 0;
  bool failed_ = false;
  bool stopping_ = false;
  std::thread writer_;
};

// The JSON line for `record`, with its time, without the newline.
std::string DecisionLine(const DecisionRecord& record);

}  // namespace imh::eligibility

#endif  // IMH_SERVICES_ELIGIBILITY_DECISION_LOG_H_

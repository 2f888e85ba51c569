#ifndef IMH_SERVICES_ELIGIBILITY_DECISION_LOG_H_
#define IMH_SERVICES_ELIGIBILITY_DECISION_LOG_H_

// The decision log: one JSON line per decision. It holds what an auditor
// needs to tie a decision to its input and rules, and no personal data: the
// input appears only as a SHA-256 digest. It is an audit record, so a
// decision is never answered without its line: the thread deciding writes the
// line itself (one write(2), lines one at a time) before the decision is
// answered, and a syncer thread fdatasyncs what was written at least every
// 100 ms (a pipe, which cannot be synced, is written only). No thread hands a
// line to another and waits for it: a decision costs one system call, not two
// wake-ups.
//
//   {"decision_id":"d-…","time":"2026-11-23T14:02:11.512Z","kind":"portfolio",
//    "caller":"spiffe://imh/portal","request_id":"…","rulebook_version":"…",
//    "as_of":"2026-11-23","input_sha256":"…","verification":"COMPLETE",
//    "outcomes":{"IFS":"ELIGIBLE"}}

#include <atomic>
#include <condition_variable>
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
  // How long a decision waits for the lines ahead of it (another thread's
  // write that does not return: a frozen or failing disk) before it is
  // refused.
  absl::Duration max_wait = absl::Seconds(2);
  // The syncer fdatasyncs what was written at least this often.
  absl::Duration sync_interval = absl::Milliseconds(100);
};

class DecisionLog {
 public:
  // Opens `path` for appending, creating it and its folder, and starts the
  // syncer. Unavailable when it cannot.
  static absl::StatusOr<std::unique_ptr<DecisionLog>> Open(
      const std::string& path, DecisionLogOptions options = {});
  // Fsyncs what was written, then stops the syncer.
  ~DecisionLog();

  // Writes the record's line (to the operating system; fdatasynced within
  // sync_interval) and returns. Thread-safe; lines never interleave.
  // Unavailable, with nothing written, when the lines ahead did not get
  // written within max_wait, or once a write has failed (the log is then
  // refused for good): the caller must then not answer the decision. A call
  // whose own write does not return waits for it (its caller's deadline still
  // ends the call, unanswered).
  absl::Status Append(const DecisionRecord& record);

  // Blocks until every line written so far is fdatasynced (tests, shutdown).
  void Sync();

  const std::string& path() const { return path_; }

 private:
  DecisionLog(std::string path, int fd, DecisionLogOptions options);
  void SyncLoop();

  const std::string path_;
  const int fd_;
  const DecisionLogOptions options_;
  // Held across one line's write.
  std::timed_mutex writing_;
  std::atomic<int64_t> written_total_{0};
  std::atomic<bool> failed_{false};
  std::mutex mutex_;
  std::condition_variable sync_wanted_;
  std::condition_variable synced_;
  int64_t synced_total_ = 0;
  bool sync_requested_ = false;
  bool stopping_ = false;
  std::thread syncer_;
};

// The JSON line for `record`, with its time, without the newline.
std::string DecisionLine(const DecisionRecord& record);

}  // namespace imh::eligibility

#endif  // IMH_SERVICES_ELIGIBILITY_DECISION_LOG_H_

#ifndef IMH_SERVICES_ELIGIBILITY_DECISION_LOG_H_
#define IMH_SERVICES_ELIGIBILITY_DECISION_LOG_H_

// The decision log: one JSON line per decision, appended and flushed as it is
// made. It holds what an auditor needs to tie a decision to its input and
// rules, and no personal data: the input appears only as a SHA-256 digest.
//
//   {"decision_id":"d-…","time":"2026-11-23T14:02:11.512Z","kind":"portfolio",
//    "caller":"spiffe://imh/portal","request_id":"…","rulebook_version":"…",
//    "as_of":"2026-11-23","input_sha256":"…","verification":"COMPLETE",
//    "outcomes":{"IFS":"ELIGIBLE"}}

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

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

class DecisionLog {
 public:
  // Opens `path` for appending, creating it and its folder. Unavailable when
  // it cannot.
  static absl::StatusOr<std::unique_ptr<DecisionLog>> Open(
      const std::string& path);
  ~DecisionLog();

  // Appends one line and flushes it to the operating system. Thread-safe.
  // False when the write failed (the caller logs it; the decision stands).
  bool Append(const DecisionRecord& record);

  const std::string& path() const { return path_; }

 private:
  DecisionLog(std::string path, std::FILE* file)
      : path_(std::move(path)), file_(file) {}
  const std::string path_;
  std::mutex mutex_;
  std::FILE* file_;
};

// The JSON line for `record`, with its time, without the newline.
std::string DecisionLine(const DecisionRecord& record);

}  // namespace imh::eligibility

#endif  // IMH_SERVICES_ELIGIBILITY_DECISION_LOG_H_

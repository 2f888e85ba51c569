#ifndef IMH_COMMON_LOG_QUEUE_H_
#define IMH_COMMON_LOG_QUEUE_H_

// The process's stderr log lines go through one bounded queue to one writer
// thread, so that a stderr nobody reads (a full pipe, a stuck collector)
// stalls that thread only, never a call. When the queue is full a line is
// dropped and counted (GetMetrics: log_lines_dropped). The writer lets lines
// gather for a few milliseconds before each write, so a line reaches the
// output within about 5 ms of being queued (when the output keeps up).

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>

#include "absl/time/time.h"

namespace imh {

class LogQueue {
 public:
  // The process-wide queue to stderr (its writer starts on first use and is
  // never joined: it may be blocked on a pipe forever).
  static LogQueue& Stderr();

  // Queues `line` (with its newline); false, counted, when `capacity` lines
  // are already waiting. Never blocks on the output.
  bool TryWrite(std::string line);

  // Lines dropped so far.
  int64_t dropped() const;

  // Waits until every line queued so far is written, or `timeout` passes
  // (the output may be stalled): for a clean exit. True when all were.
  bool Flush(absl::Duration timeout);

  LogQueue(const LogQueue&) = delete;
  LogQueue& operator=(const LogQueue&) = delete;

 private:
  LogQueue(int fd, size_t capacity);
  void WriteLoop();

  const int fd_;
  const size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable wake_writer_;
  std::condition_variable written_;
  std::deque<std::string> lines_;
  int64_t queued_total_ = 0;
  int64_t written_total_ = 0;
  int64_t dropped_ = 0;
};

}  // namespace imh

#endif  // IMH_COMMON_LOG_QUEUE_H_

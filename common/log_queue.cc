#include "common/log_queue.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <vector>

namespace imh {
namespace {

// Enough for a burst of access lines; bounded so that a stalled output
// cannot take the process's memory.
constexpr size_t kStderrCapacity = 8192;
constexpr absl::Duration kExitFlushTimeout = absl::Seconds(2);
// How long the writer lets lines gather once one is waiting: under load a
// wake-up (a futex call and a context switch) per batch, not per call.
constexpr std::chrono::milliseconds kGatherFor(5);

void WriteAll(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // A closed stderr: nothing more to do.
    done += static_cast<size_t>(n);
  }
}

}  // namespace

LogQueue& LogQueue::Stderr() {
  static LogQueue* const queue = [] {
    auto* created = new LogQueue(STDERR_FILENO, kStderrCapacity);
    // Whatever was logged before the process exits is written then, unless
    // the output is stalled.
    std::atexit([] { Stderr().Flush(kExitFlushTimeout); });
    return created;
  }();
  return *queue;
}

LogQueue::LogQueue(int fd, size_t capacity) : fd_(fd), capacity_(capacity) {
  std::thread([this] { WriteLoop(); }).detach();
}

bool LogQueue::TryWrite(std::string line) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (lines_.size() >= capacity_) {
      ++dropped_;
      return false;
    }
    lines_.push_back(std::move(line));
    ++queued_total_;
    // Only an empty queue can have the writer waiting on it.
    if (lines_.size() > 1) return true;
  }
  wake_writer_.notify_one();
  return true;
}

int64_t LogQueue::dropped() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return dropped_;
}

bool LogQueue::Flush(absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  const int64_t target = queued_total_;
  return written_.wait_for(lock, absl::ToChronoMilliseconds(timeout),
                           [&] { return written_total_ >= target; });
}

void LogQueue::WriteLoop() {
  std::vector<std::string> batch;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_writer_.wait(lock, [&] { return !lines_.empty(); });
      lock.unlock();
      std::this_thread::sleep_for(kGatherFor);
      lock.lock();
      batch.assign(std::make_move_iterator(lines_.begin()),
                   std::make_move_iterator(lines_.end()));
      lines_.clear();
    }
    std::string text;
    for (const std::string& line : batch) text.append(line);
    WriteAll(fd_, text);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      written_total_ += static_cast<int64_t>(batch.size());
    }
    written_.notify_all();
    batch.clear();
  }
}

}  // namespace imh

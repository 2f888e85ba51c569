// The decision log on real files: a line is on file when Append returns,
// lines from many threads never interleave, a log that cannot be written
// refuses every decision from then on, and a log stuck in a write refuses the
// decisions behind it within max_wait.

#include "services/eligibility/decision_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/registry/registry_test_support.h"

namespace imh::eligibility {
namespace {

using registry::testing::TempDir;
using ::testing::HasSubstr;

DecisionRecord Record(int i) {
  DecisionRecord record;
  record.decision_id = absl::StrCat("d-", i);
  record.kind = "portfolio";
  record.caller = "spiffe://imh/portal";
  record.request_id = absl::StrCat("r-", i);
  record.rulebook_version = "test";
  record.as_of = "2026-11-20";
  record.input_sha256 = std::string(64, 'a');
  record.verification = "COMPLETE";
  record.outcomes = {{"IFS", "ELIGIBLE"}, {"IFRS", "NOT_ELIGIBLE"}};
  return record;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(DecisionLog, TheLineIsOnFileWhenAppendReturns) {
  TempDir dir;
  const std::string path = dir.path() + "/logs/decisions.jsonl";
  auto log = DecisionLog::Open(path);
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_TRUE((*log)->Append(Record(1)).ok());
  // Read through another descriptor, before any sync or close.
  const std::string text = ReadFile(path);
  EXPECT_THAT(text, HasSubstr(R"({"decision_id":"d-1","time":")"));
  EXPECT_THAT(text, HasSubstr(R"("outcomes":{"IFS":"ELIGIBLE","IFRS":)"
                              R"("NOT_ELIGIBLE"}})"));
  EXPECT_EQ(text.back(), '\n');
  (*log)->Sync();
}

TEST(DecisionLog, LinesFromManyThreadsNeverInterleave) {
  TempDir dir;
  const std::string path = dir.path() + "/decisions.jsonl";
  auto log = DecisionLog::Open(path);
  ASSERT_TRUE(log.ok()) << log.status();
  constexpr int kThreads = 8, kEach = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        EXPECT_TRUE((*log)->Append(Record(t * kEach + i)).ok());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  (*log)->Sync();
  std::vector<std::string> lines =
      absl::StrSplit(ReadFile(path), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), static_cast<size_t>(kThreads * kEach));
  std::vector<bool> seen(kThreads * kEach, false);
  for (const std::string& line : lines) {
    ASSERT_EQ(line.rfind(R"({"decision_id":"d-)", 0), 0u) << line;
    ASSERT_EQ(line.substr(line.size() - 2), "}}") << line;
    const size_t start = line.find("d-") + 2;
    const int i = std::stoi(line.substr(start, line.find('"', start) - start));
    EXPECT_FALSE(seen[i]) << "d-" << i << " twice";
    seen[i] = true;
  }
}

TEST(DecisionLog, AFailedWriteRefusesThatDecisionAndEveryOneAfter) {
  // /dev/full takes the open and fails every write with ENOSPC.
  auto log = DecisionLog::Open("/dev/full");
  ASSERT_TRUE(log.ok()) << log.status();
  const absl::Status first = (*log)->Append(Record(1));
  EXPECT_EQ(first.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(first.message(), HasSubstr("no decision is answered unlogged"));
  EXPECT_EQ((*log)->Append(Record(2)).code(), absl::StatusCode::kUnavailable);
}

TEST(DecisionLog, AStuckWriteRefusesTheDecisionsBehindItWithinMaxWait) {
  // A FIFO whose reader reads nothing: once the pipe is full, a write does
  // not return, as on a frozen disk.
  TempDir dir;
  const std::string path = dir.path() + "/decisions.fifo";
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  const int reader = ::open(path.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);
  DecisionLogOptions options;
  options.max_wait = absl::Milliseconds(300);
  auto log = DecisionLog::Open(path, options);
  ASSERT_TRUE(log.ok()) << log.status();
  std::atomic<bool> stop_filling{false};
  std::thread filler([&] {
    for (int i = 0; !stop_filling.load(); ++i) {
      if (!(*log)->Append(Record(i)).ok()) break;
    }
  });
  absl::SleepFor(absl::Milliseconds(200));  // the pipe is full by now

  const absl::Time start = absl::Now();
  const absl::Status behind = (*log)->Append(Record(-1));
  const absl::Duration waited = absl::Now() - start;
  EXPECT_EQ(behind.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(behind.message(), HasSubstr("is behind"));
  EXPECT_GE(waited, absl::Milliseconds(250));
  EXPECT_LT(waited, absl::Seconds(2));

  // Once the pipe is read again, the stuck write returns and the log goes on.
  stop_filling.store(true);
  std::atomic<bool> stop_draining{false};
  std::thread drainer([&] {
    char buffer[1 << 16];
    while (!stop_draining.load()) {
      if (::read(reader, buffer, sizeof buffer) <= 0) {
        absl::SleepFor(absl::Milliseconds(1));
      }
    }
  });
  filler.join();
  EXPECT_TRUE((*log)->Append(Record(-2)).ok());
  stop_draining.store(true);
  drainer.join();
  ::close(reader);
}

}  // namespace
}  // namespace imh::eligibility

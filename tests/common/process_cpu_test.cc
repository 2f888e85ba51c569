// ProcessCpuMicros reads a process's CPU time from /proc: it grows by what
// the process burns, not by time spent asleep, and says -1 for no process.

#include "common/process_cpu.h"

#include <unistd.h>

#include <chrono>
#include <thread>

#include "gtest/gtest.h"

namespace imh {
namespace {

// Spins on the CPU for `duration` of wall time.
void Burn(std::chrono::milliseconds duration) {
  const auto end = std::chrono::steady_clock::now() + duration;
  volatile unsigned sink = 0;
  while (std::chrono::steady_clock::now() < end) sink = sink + 1;
}

TEST(ProcessCpu, GrowsByTheCpuTheProcessBurns) {
  const double before = ProcessCpuMicros(getpid());
  ASSERT_GE(before, 0);
  Burn(std::chrono::milliseconds(300));
  const double after = ProcessCpuMicros(getpid());
  // At least most of the spin (a loaded machine may take the core away for
  // part of it), in whole clock ticks.
  EXPECT_GE(after - before, 100000);
}

TEST(ProcessCpu, DoesNotCountTimeAsleep) {
  const double before = ProcessCpuMicros(getpid());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const double after = ProcessCpuMicros(getpid());
  EXPECT_LT(after - before, 100000);
}

TEST(ProcessCpu, IsMinusOneForAProcessThatDoesNotExist) {
  // Above the kernel's largest pid (pid_max is at most 4194304).
  EXPECT_EQ(ProcessCpuMicros(5000000), -1);
}

}  // namespace
}  // namespace imh

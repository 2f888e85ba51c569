#ifndef IMH_COMMON_PROCESS_CPU_H_
#define IMH_COMMON_PROCESS_CPU_H_

// The CPU time a process has used, as Linux counts it in /proc/<pid>/stat.

#include <sys/types.h>

namespace imh {

// User plus system time of every thread of process `pid` so far, in
// microseconds; -1 when it cannot be read (no such process, not Linux). The
// kernel counts in clock ticks (sysconf(_SC_CLK_TCK), 100 a second here), so
// differences are exact to a tick.
double ProcessCpuMicros(pid_t pid);

}  // namespace imh

#endif  // IMH_COMMON_PROCESS_CPU_H_

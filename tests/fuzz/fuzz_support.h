#ifndef IMH_TESTS_FUZZ_FUZZ_SUPPORT_H_
#define IMH_TESTS_FUZZ_FUZZ_SUPPORT_H_

// What the fuzz targets share. A target aborts (so that libFuzzer reports the
// input) when an invariant the code promises does not hold; bad input alone is
// never a finding, since every function fuzzed must refuse it with a status.

#include <cstdio>
#include <cstdlib>

#include "common/rulebook/rulebook.h"

namespace imh::fuzz {

// The Virginia rulebook shipped with the service, loaded once.
const imh::Rulebook& ShippedRulebook();

// Reports `what` and aborts: an invariant was broken.
[[noreturn]] inline void InvariantBroken(const char* what) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}

}  // namespace imh::fuzz

#endif  // IMH_TESTS_FUZZ_FUZZ_SUPPORT_H_

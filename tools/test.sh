#!/usr/bin/env bash
# Quick start, command 2: install what is missing, build, and run every test:
# the whole suite on the debug build, the whole suite again on the asan build
# (clang, AddressSanitizer + UndefinedBehaviorSanitizer), then each libFuzzer
# target for IMH_FUZZ_SECONDS (60) from its seed corpus.
set -euo pipefail
cd "$(dirname "$0")/.."

report() {  # the counts the crash and load-fault tests print
  grep -ah "^crash test:\|^load under registry faults:" \
    "build/$1/Testing/Temporary/LastTest.log" | sed "s/^/$1: /" || true
}

tools/install_deps.sh --dev

echo "== debug build and tests"
cmake --preset debug >/dev/null
cmake --build --preset debug
ctest --preset debug --parallel 2
report debug

echo "== asan build (clang, ASan + UBSan) and tests"
cmake --preset asan >/dev/null
cmake --build --preset asan
ctest --preset asan --parallel 2
report asan

echo "== fuzzing"
tools/fuzz.sh "${IMH_FUZZ_SECONDS:-60}"

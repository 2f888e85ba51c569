#!/usr/bin/env bash
# Runs every libFuzzer target for a bounded time, starting from the seed corpus
# in tests/fuzz/corpus/<target>. CI runs it for about a minute per target; run
# it longer by hand:
#   tools/fuzz.sh 3600                 # an hour per target
#   tools/fuzz.sh 600 portfolio        # ten minutes, one target
# Needs the asan preset (clang, IMH_BUILD_FUZZERS=ON) built. New interesting
# inputs go to build/asan/fuzz/<target>/corpus (not into the repository); a
# crashing input goes to build/asan/fuzz/<target>/ and the script fails. Keep
# such an input as tests/fuzz/regressions/<target>/<name> once fixed: ctest
# replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(portfolio rulebook page_token verify_response)
build="${IMH_FUZZ_BUILD_DIR:-build/asan}"

status=0
for target in "${targets[@]}"; do
  binary="$build/tests/fuzz/${target}_fuzzer"
  work="$build/fuzz/$target"
  mkdir -p "$work/corpus"
  echo "fuzz: $target for ${seconds}s"
  # -timeout: one input taking longer than 10 s is a finding (a hang);
  # -rss_limit_mb: so is one needing more than 2 GiB.
  if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$binary" "$work/corpus" "tests/fuzz/corpus/$target" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$work/" -print_final_stats=1 \
    >"$work/fuzz.log" 2>&1; then
    echo "fuzz: $target FAILED; the input is in $work/, the log in $work/fuzz.log" >&2
    tail -n 40 "$work/fuzz.log" >&2
    status=1
    continue
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$work/fuzz.log" |
    sed "s/^/fuzz: $target /"
done
exit "$status"

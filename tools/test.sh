#!/usr/bin/env bash
# Quick start, command 2: install what is missing, build, and run every test:
# the whole suite on the debug build, the whole suite again on the asan build
# (clang, AddressSanitizer + UndefinedBehaviorSanitizer), then each libFuzzer
# target for IMH_FUZZ_SECONDS (10) from its seed corpus. The PostgreSQL half
# of the suite runs against one throwaway PostgreSQL server started here (a
# database per test) and stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

report() {  # the counts the crash and load-fault tests print
  grep -ah "^crash test\|^replicas:\|^load under registry faults:" \
    "build/$1/Testing/Temporary/LastTest.log" | sed "s/^/$1: /" || true
}

tools/install_deps.sh --dev

# One PostgreSQL server for every test process: initdb (as the postgres user
# when root: initdb refuses root) into a temp dir, a free loopback port.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
pg_dir=$(mktemp -d /tmp/imh-test-pg-XXXXXX)
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
stop_postgres() {
  as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop \
    >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap stop_postgres EXIT
if [ "$(id -u)" = 0 ]; then chown postgres "$pg_dir"; fi
as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U imh -E UTF8 \
  >"$pg_dir/initdb.log"
pg_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -w -t 60 -l "$pg_dir/log" \
  -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=on" \
  start >/dev/null
export IMH_TEST_POSTGRES_PORT=$pg_port
echo "== PostgreSQL for the tests on 127.0.0.1:$pg_port"

echo "== debug build and tests"
# The benchmarks are built by the release preset (the main job's build), not
# here: the test command stays inside CI's 30 minutes.
cmake --preset debug -DIMH_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build --preset debug
ctest --preset debug --parallel 2
report debug

echo "== asan build (clang, ASan + UBSan) and tests"
cmake --preset asan >/dev/null
cmake --build --preset asan
# The two tests that drive Chromium check pages, not memory: they run in the
# debug pass only (the report's renderer and the public registry pages run
# under ASan in their C++ tests).
ctest --preset asan --parallel 2 -LE browser
report asan

echo "== fuzzing"
tools/fuzz.sh "${IMH_FUZZ_SECONDS:-10}"

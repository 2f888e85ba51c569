#!/usr/bin/env bash
# The operator CLI against both real services: CSV export then import into an
# empty registry gives the same registry back; --json is JSON; failures exit
# non-zero with a clear message.
#   imh_cli_test.sh IMH REGISTRY_BIN
set -euo pipefail
imh=$1
registry_bin=$2
top="$(cd "$(dirname "$0")/../.." && pwd)"
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

# Starts a registry and sets $address to it.
start_registry() {
  local name=$1
  "$registry_bin" --listen=127.0.0.1:0 --db="$work/$name.sqlite" \
    --port_file="$work/$name.port" >/dev/null 2>"$work/$name.log" &
  pids+=($!)
  for _ in $(seq 1 200); do [ -s "$work/$name.port" ] && break; sleep 0.05; done
  [ -s "$work/$name.port" ] || fail "$name did not start"
  address="127.0.0.1:$(cat "$work/$name.port")"
}
start_registry first
first=$address
start_registry second
second=$address

"$imh" --registry="$first" import-csv "$top/deploy/examples/demo_registry.csv" >/dev/null
"$imh" --registry="$first" export-csv --out="$work/first.csv" 2>/dev/null
[ "$(wc -l <"$work/first.csv")" -eq 9 ] || fail "export has $(wc -l <"$work/first.csv") lines, not 9"
"$imh" --registry="$second" import-csv "$work/first.csv" >/dev/null
"$imh" --registry="$second" export-csv --out="$work/second.csv" 2>/dev/null
cmp -s "$work/first.csv" "$work/second.csv" || { diff "$work/first.csv" "$work/second.csv"; fail "export, import, export differs"; }
echo "ok: export -> import -> export is the same file"

# Importing the same file again writes nothing (same request ids).
"$imh" --registry="$second" import-csv "$work/first.csv" >/dev/null
[ "$("$imh" --registry="$second" list | tail -1)" = "8 endorsement(s)" ] || fail "re-import duplicated rows"
echo "ok: re-import writes nothing"

"$imh" --registry="$first" --json list --status=lapsed | /usr/bin/python3 -c '
import json, sys
e = json.loads(sys.stdin.read())
assert e["endorsementNumber"] == "VA-IFRS-1003" and e["status"] == "ENDORSEMENT_STATUS_LAPSED", e
' || fail "--json list is not the lapsed endorsement as JSON"
echo "ok: --json"

printf 'person_id,display_name,granted_on\r\nP-1,"A",2020-02-30\r\n' >"$work/bad.csv"
if "$imh" --registry="$first" import-csv "$work/bad.csv" 2>"$work/err"; then fail "bad CSV accepted"; fi
grep -q "line 2, column granted_on" "$work/err" || fail "bad CSV error: $(cat "$work/err")"
echo "ok: a bad CSV is refused with its line and column"

if "$imh" --eligibility=127.0.0.1:1 --timeout_ms=2000 evaluate \
     "$top/deploy/examples/portfolios/ifs_applicant.json" 2>"$work/err"; then
  fail "evaluate against nothing succeeded"
fi
grep -q "UNAVAILABLE" "$work/err" || fail "unreachable service error: $(cat "$work/err")"
echo "ok: an unreachable service is a clear error and a non-zero exit"

if "$imh" frobnicate 2>/dev/null; then fail "unknown command accepted"; fi
set +e; "$imh" frobnicate 2>/dev/null; code=$?; set -e
[ "$code" -eq 2 ] || fail "unknown command exits $code, not 2"
echo "PASS"

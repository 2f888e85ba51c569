#!/usr/bin/env bash
# The main job (tools/demo.sh, README command 1) against this build's
# binaries: both services start, the demo registry loads, the examples are
# decided through the services, and both services stop cleanly.
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
out=$(mktemp)
trap 'rm -f "$out"' EXIT

"$top/tools/demo.sh" --once >"$out" 2>&1 || { cat "$out"; echo "FAIL: demo exited non-zero"; exit 1; }

expect() {
  grep -qF -- "$1" "$out" || { cat "$out"; echo "FAIL: missing: $1"; exit 1; }
}
expect "imported 8 endorsement(s), rejected 0"
expect "IFS Infant Family Specialist: ELIGIBLE"
expect "IMHS Infant Mental Health Specialist: NOT ELIGIBLE"
expect "Naomi Brooks: IFRS lapsed since 2024-07-01"
expect "registry: all 14 facts verified"
expect "renewal of IFS for the 2027 cycle"
expect "NOT HELD  VA-IFRS-1003"
expect "/imh.eligibility.v1.EligibilityService/EvaluatePortfolio"
data="${IMH_DEMO_DATA:-$top/data/demo}"
grep -q '"kind":"recommendation"' "$data/decisions.jsonl" || { echo "FAIL: no decision log"; exit 1; }
for log in registry eligibility; do
  grep -q '"transport":"insecure (plaintext): local use only"' "$data/$log.log" ||
    { echo "FAIL: $log does not say it runs in insecure loopback mode"; exit 1; }
done
grep -q '"event":"stopped"' "$data/eligibility.log" || { echo "FAIL: eligibility did not stop cleanly"; exit 1; }
grep -q '"event":"stopped"' "$data/registry.log" || { echo "FAIL: registry did not stop cleanly"; exit 1; }
echo "PASS"

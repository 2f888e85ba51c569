#!/usr/bin/env bash
# The main job (tools/demo.sh, README command 1) against this build's
# binaries: both services start over TLS, the demo registry loads, the
# examples are decided through the services, one applicant goes from a signed
# decision through two reviewers' approval onto the Active Registry and
# verifies HELD, and both services stop cleanly.
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
expect "registry: all 2 facts verified"
expect "renewal of IFS for the 2027 cycle"
expect "NOT HELD  VA-IFRS-1003"
expect "/imh.eligibility.v1.EligibilityService/EvaluatePortfolio"
expect '"answers":[{"status":"CREDENTIAL_STATUS_HELD"'
expect "Active Registry page: https://127.0.0.1:"
# RULES.md s.6: two distinct reviewers approve; the grant names both.
expect "A-000001  IFS  pending  for P-2001"
expect "approvals: 1 of 2"
expect "A-000001  IFS  granted  for P-2001"
expect "granted: on the Active Registry now"
expect "reviewers spiffe://imh.local/reviewer-a, spiffe://imh.local/reviewer-b"
grep -qE '^VA-IFS-[0-9]+ +P-2001 +IFS +active +[0-9-]+ +Fairfax +Morgan Ellis$' "$out" ||
  { cat "$out"; echo "FAIL: Morgan Ellis is not on the Active Registry"; exit 1; }
grep -qE '^HELD  VA-IFS-[0-9]+ \(IFS, active since' "$out" ||
  { cat "$out"; echo "FAIL: the new endorsement does not verify HELD"; exit 1; }
data="${IMH_DEMO_DATA:-$top/data/demo}"
grep -q '<svg xmlns="http://www.w3.org/2000/svg"' "$data/morgan_ifs_report.html" ||
  { echo "FAIL: no decision report with a timeline"; exit 1; }
page=$(grep -o 'Active Registry page: https://[0-9.:]*/registry' "$out" | head -1)
[ -n "$page" ] || { echo "FAIL: no page address"; exit 1; }
grep -q '"kind":"recommendation"' "$data/decisions.jsonl" || { echo "FAIL: no decision log"; exit 1; }
grep -q '"transport":"mutual TLS"' "$data/registry.log" ||
  { echo "FAIL: the registry does not say it runs mutual TLS"; exit 1; }
grep -q '"transport":"TLS"' "$data/eligibility.log" ||
  { echo "FAIL: the eligibility service does not say it runs TLS"; exit 1; }
grep -q '"event":"stopped"' "$data/eligibility.log" || { echo "FAIL: eligibility did not stop cleanly"; exit 1; }
grep -q '"event":"stopped"' "$data/registry.log" || { echo "FAIL: registry did not stop cleanly"; exit 1; }
echo "PASS"

#!/usr/bin/env bash
# Smoke test of the main job's CLI: real binary, real rulebook and examples.
# Usage: imh_eval_test.sh IMH_EVAL SOURCE_DIR
set -uo pipefail
cli="$1"
src="$2"
registry="$src/deploy/examples/demo_registry.json"
portfolios="$src/deploy/examples/portfolios"
failures=0
check() {  # check NAME EXPECTED_EXIT PATTERN -- COMMAND...
  local name="$1" want_exit="$2" pattern="$3"
  shift 4
  local out
  out="$("$@" 2>&1)"
  local got=$?
  if [ "$got" -ne "$want_exit" ] || ! grep -qE -- "$pattern" <<<"$out"; then
    echo "FAIL $name (exit $got, wanted $want_exit; pattern '$pattern')"
    echo "$out" | head -20
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}
check eligible_ifs 0 "IFS Infant Family Specialist: ELIGIBLE" -- \
  "$cli" --registry "$registry" --as_of 2026-11-23 --category FS "$portfolios/ifs_applicant.json"
check lapsed_provider 0 "R-RSC-PROVIDER .*IFRS lapsed since 2024-07-01" -- \
  "$cli" --registry "$registry" --as_of 2026-11-23 --category IMHS "$portfolios/imhs_applicant_lapsed_provider.json"
check no_registry_is_never_eligible 0 "NEEDS REVIEW" -- \
  "$cli" --as_of 2026-11-23 --category IFS "$portfolios/ifs_applicant.json"
check json_output 0 '"outcome": "OUTCOME_ELIGIBLE"' -- \
  "$cli" --registry "$registry" --as_of 2026-11-23 --category IFS --json "$portfolios/ifs_applicant.json"
check recommend 0 "eligible for: IFA, IFS" -- \
  "$cli" --registry "$registry" --as_of 2026-11-23 --recommend "$portfolios/ifs_applicant.json"
check renewal 0 "renewal of IFS for the 2027 cycle: COMPLETE" -- \
  "$cli" --registry "$registry" --renewal --as_of 2027-12-15 "$src/deploy/examples/renewals/renewal_ifs_2027.json"
check renewal_without_registry_needs_review 0 "renewal of VA-IFS-1004 for the 2027 cycle: NEEDS REVIEW" -- \
  "$cli" --renewal --as_of 2027-12-15 "$src/deploy/examples/renewals/renewal_ifs_2027.json"
check unknown_category 1 "unknown category \"IMHM\"" -- \
  "$cli" --category IMHM "$portfolios/ifs_applicant.json"
check missing_file 1 "cannot open" -- "$cli" /nonexistent.json
check bad_date 1 "is not a calendar day" -- \
  "$cli" --as_of 2026-02-30 "$portfolios/ifs_applicant.json"
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
sed 's/"clockHours": 24/"clockHours": -24/' "$portfolios/ifs_applicant.json" >"$tmp"
check invalid_portfolio 1 "portfolio.trainings\[0\].clock_hours: must be > 0" -- \
  "$cli" --as_of 2026-11-23 "$tmp"
echo '{"notAField": 1}' >"$tmp"
check unknown_json_field 1 "not a valid imh.eligibility.v1.Portfolio" -- "$cli" "$tmp"
exit $((failures > 0))

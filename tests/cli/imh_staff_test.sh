#!/usr/bin/env bash
# Every staff command of the operator CLI against both real services over
# mutual TLS, as the association uses them: a portfolio template is written
# and checked; an applicant is decided, applies, two reviewers approve, the
# endorsement is on the Active Registry and verifies HELD; refusals exit 1
# with the registry's reason and write nothing; status changes take a reason
# and an etag; memberships, renewals, lapses, due lists and a person's whole
# record. Expected values come from RULES.md (s.5 renewal, s.6 review and
# grant) and the demo registry, never from a previous run.
#   imh_staff_test.sh IMH REGISTRY_BIN ELIGIBILITY_BIN
set -euo pipefail
imh=$1
registry_bin=$2
eligibility_bin=$3
top="$(cd "$(dirname "$0")/../.." && pwd)"
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -s "$work/out" ] && sed 's/^/  out: /' "$work/out"; [ -s "$work/err" ] && sed 's/^/  err: /' "$work/err"; exit 1; }
py() { /usr/bin/python3 -c "$@"; }

certs="$work/certs"
mkdir -p "$work/backups"
"$top/tools/make_dev_certs.sh" "$certs" registrar eligibility reviewer-a reviewer-b portal

wait_port() {
  local name=$1
  for _ in $(seq 1 200); do [ -s "$work/$name.port" ] && break; sleep 0.05; done
  [ -s "$work/$name.port" ] || { cat "$work/$name.log"; fail "$name did not start"; }
  echo "127.0.0.1:$(cat "$work/$name.port")"
}
"$registry_bin" --listen=127.0.0.1:0 --db="$work/registry.sqlite" --port_file="$work/registry.port" \
  --tls_cert="$certs/server.pem" --tls_key="$certs/server.key" --tls_client_ca="$certs/ca.pem" \
  --authz_policy="$top/deploy/authz/registry_policy.json" \
  --decision_keys="$certs/decision_signing.pub" --backup_dir="$work/backups" \
  --access_log=false 2>"$work/registry.log" &
pids+=($!)
registry=$(wait_port registry)
"$eligibility_bin" --listen=127.0.0.1:0 --port_file="$work/eligibility.port" --registry="$registry" \
  --tls_cert="$certs/server.pem" --tls_key="$certs/server.key" \
  --registry_tls_ca="$certs/ca.pem" --registry_tls_cert="$certs/eligibility.pem" \
  --registry_tls_key="$certs/eligibility.key" --signing_key="$certs/decision_signing.key" \
  --decision_log="$work/decisions.jsonl" --access_log=false 2>"$work/eligibility.log" &
pids+=($!)
eligibility=$(wait_port eligibility)

# `as NAME ARGS...`: imh with NAME's client certificate.
as() {
  local who=$1; shift
  "$imh" --eligibility="$eligibility" --registry="$registry" --tls_ca="$certs/ca.pem" \
    --tls_cert="$certs/$who.pem" --tls_key="$certs/$who.key" "$@"
}
# `ok NAME ARGS...`: must exit 0; output in $work/out.
ok() { as "$@" >"$work/out" 2>"$work/err" || fail "exit $?: imh ${*:2}"; }
# `refused CODE NAME ARGS...`: must exit CODE.
refused() {
  local want=$1; shift
  set +e; as "$@" >"$work/out" 2>"$work/err"; local got=$?; set -e
  [ "$got" -eq "$want" ] || fail "exit $got, not $want: imh ${*:2}"
}
has() { grep -qF -- "$1" "$work/$2" || fail "no \"$1\" in $2"; }
# `held NUMBER`: the verification printed HELD (not NOT HELD) for NUMBER.
held() { grep -q "^HELD  $1 " "$work/out" || fail "not HELD: $1"; }
# The registry's row counts, to show that a refusal wrote nothing.
counts() { as registrar --json person show P-2001 | py '
import json, sys
r = json.load(sys.stdin)
print(len(r.get("applications", [])), sum(len(a.get("reviews", [])) for a in r.get("applications", [])),
      len(r.get("endorsements", [])), len(r.get("renewals", [])), r.get("membershipYears", []))'; }

ok registrar import-csv "$top/deploy/examples/demo_registry.csv"
ok registrar person create --person=P-2001 --name="Morgan Ellis" --county=Fairfax --membership_through=2026
has "created P-2001  Morgan Ellis" out
echo "ok: person create"

# --- portfolio new / check (offline) ---
as registrar portfolio new IFS --out="$work/template.json" 2>"$work/err" || fail "portfolio new"
grep -q '^// Portfolio template: IFS Infant Family Specialist' "$work/template.json" || fail "template header"
grep -q 'used by IFS: hours within a window' "$work/template.json" || fail "template does not say how IFS uses RS/C"
for field in portfolioId residenceState populationFocus education cda trainings rscSessions work leadership \
             membership ethics exam references; do
  grep -q "\"$field\"" "$work/template.json" || fail "template lacks $field"
done
refused 1 registrar portfolio new IFS --out="$work/template.json"
has "exists; not overwritten" err
refused 2 registrar portfolio new NOPE
has "no category \"NOPE\"" err
ok registrar portfolio check "$work/template.json"
has "template.json: a valid portfolio" out
py 'import json,sys; p=json.load(open(sys.argv[1])); p["trainings"][0]["clockHours"]=-3; p["trainings"][0]["completedOn"]={"year":2099,"month":1,"day":1}; json.dump(p,open(sys.argv[2],"w"))' \
  "$top/deploy/examples/portfolios/ifs_applicant.json" "$work/bad_portfolio.json"
refused 1 registrar portfolio check "$work/bad_portfolio.json"
has "portfolio.trainings[0].clock_hours" out
has "portfolio.trainings[0].completed_on" out
refused 1 registrar --json portfolio check "$work/bad_portfolio.json"
py 'import json,sys; r=json.load(sys.stdin); assert r["valid"] is False and len(r["violations"]) == 2, r' <"$work/out" || fail "--json check"
echo "ok: portfolio new, portfolio check"

# --- evaluate with a saved signed decision, application submit ---
py 'import json,sys; p=json.load(open(sys.argv[1])); p["applicant"]["person"]["personId"]="P-2001"; json.dump(p,open(sys.argv[2],"w"))' \
  "$top/deploy/examples/portfolios/ifs_applicant.json" "$work/morgan.json"
ok registrar evaluate --category=IFS --save_decision="$work/decision.json" "$work/morgan.json"
has "IFS Infant Family Specialist: ELIGIBLE" out
has "saved to $work/decision.json" err
refused 2 registrar evaluate --save_decision="$work/x.json" "$work/morgan.json" "$work/morgan.json"

# One byte of the signed record changed: refused, nothing written.
py 'import json,sys,base64
d=json.load(open(sys.argv[1])); r=bytearray(base64.b64decode(d["record"])); r[-1]^=1
d["record"]=base64.b64encode(bytes(r)).decode(); json.dump(d,open(sys.argv[2],"w"))' "$work/decision.json" "$work/altered.json"
before=$(counts)
refused 1 registrar application submit "$work/altered.json" --category=IFS
has "FAILED_PRECONDITION" err
[ "$(counts)" = "$before" ] || fail "an altered decision wrote something"
# Not eligible for the category asked.
refused 1 registrar application submit "$work/decision.json" --category=IFRS
has "FAILED_PRECONDITION" err
[ "$(counts)" = "$before" ] || fail "a category not decided wrote something"

ok registrar application submit "$work/decision.json" --category=IFS
has "pending  for P-2001" out
has "approvals: 0 of 2" out
application=$(as registrar --json application list --state=pending --person=P-2001 | py 'import json,sys; print(json.loads(sys.stdin.readline())["applicationId"])')
refused 1 registrar application submit "$work/decision.json" --category=IFS
has "FAILED_PRECONDITION" err
ok registrar application list --state=pending
has "$application" out
has "1 application(s)" out
ok registrar application show "$application"
has "decision d-" out
has "usable through" out
echo "ok: evaluate --save_decision, application submit, list, show"

# --- review ---
refused 1 portal review approve "$application"
has "PERMISSION_DENIED" err
ok reviewer-a review approve "$application" --comment="portfolio complete"
has "approved by spiffe://imh.local/reviewer-a" out
has "approvals: 1 of 2" out
before=$(counts)
refused 1 reviewer-a review approve "$application"
has "FAILED_PRECONDITION" err
[ "$(counts)" = "$before" ] || fail "a second vote wrote something"
ok reviewer-b review approve "$application"
has "granted: on the Active Registry now" out
number=$(grep -o 'VA-IFS-[0-9A-Z-]*' "$work/out" | head -1)
[ -n "$number" ] || fail "no endorsement number in the grant"
refused 2 reviewer-b review decline "$application"
refused 1 reviewer-b review decline "$application" --comment="too late"
has "FAILED_PRECONDITION" err
echo "ok: review approve (two reviewers grant), refusals"

ok registrar endorsement show "$number"
has "active since" out
has "granted from application $application" out
has "approved by spiffe://imh.local/reviewer-a" out
has "approved by spiffe://imh.local/reviewer-b" out
has "reviewers spiffe://imh.local/reviewer-a, spiffe://imh.local/reviewer-b" out
ok registrar verify --person=P-2001 --category=IFS
held "$number"
ok registrar list --status=active --name=morgan
has "$number" out
echo "ok: endorsement show, verify HELD, on the Active Registry"

# --- a decline closes an application ---
ok registrar person create --person=P-2002 --name="Sam Ortiz" --county=Henrico --membership_through=2026
py 'import json,sys; p=json.load(open(sys.argv[1])); p["applicant"]["person"]={"displayName":"Sam Ortiz","personId":"P-2002"}; json.dump(p,open(sys.argv[2],"w"))' \
  "$top/deploy/examples/portfolios/ifs_applicant.json" "$work/sam.json"
ok registrar evaluate --category=IFS --save_decision="$work/sam_decision.json" "$work/sam.json"
ok registrar --json application submit "$work/sam_decision.json" --category=IFS
sam_application=$(py 'import json,sys; print(json.load(sys.stdin)["application"]["applicationId"])' <"$work/out")
ok reviewer-a review decline "$sam_application" --comment="references not on file"
has "declined  for P-2002" out
has "\"references not on file\"" out
refused 1 reviewer-b review approve "$sam_application"
has "FAILED_PRECONDITION" err
echo "ok: review decline"

# --- status changes: reason and etag ---
refused 2 registrar endorsement suspend "$number"
refused 1 registrar endorsement suspend "$number" --reason="complaint under review" --etag=stale
has "ABORTED" err
etag=$(as registrar --json endorsement show "$number" | py 'import json,sys; print(json.load(sys.stdin)["endorsement"]["etag"])')
ok registrar endorsement suspend "$number" --reason="complaint under review" --etag="$etag"
has "suspended since" out
ok registrar verify --person=P-2001 --category=IFS
has "NOT HELD" out
ok registrar endorsement reinstate "$number" --reason="complaint dismissed"
has "active since" out
ok registrar endorsement retire VA-IFRS-1007 --reason="moved out of state"
has "retired since" out
ok registrar endorsement revoke VA-IFRS-1007 --reason="ethics violation"
has "revoked since" out
refused 1 registrar endorsement reinstate VA-IFRS-1007 --reason="appeal"
has "FAILED_PRECONDITION" err
echo "ok: endorsement suspend, reinstate, retire, revoke"

# --- memberships (R-RNW-MEM) and due lists ---
# Every demo holder is paid through 2026 except Leah Okafor (2028); the
# lapsed, retired and revoked endorsements are not due.
ok registrar due memberships --year=2027
has "P-2001" out
has "P-1001" out
grep -q "P-1004" "$work/out" && fail "P-1004 has paid 2027 and is listed"
grep -q "P-1003" "$work/out" && fail "a lapsed holder is listed"
ok registrar membership record --person=P-2001 --year=2027
has "recorded membership 2027 for P-2001; paid through 2027" out
ok registrar due memberships --year=2027
grep -q "P-2001" "$work/out" && fail "P-2001 still due after paying 2027"
# R-RNW-CYCLE: cycles 2024, 2027, 2030; the new endorsement's first is 2027.
ok registrar due renewals --cycle=2027
has "$number" out
has "VA-IFRS-1001" out
grep -q "VA-IFRS-1003" "$work/out" && fail "a lapsed endorsement is due to renew"
ok registrar --json due renewals --cycle=2030
[ ! -s "$work/out" ] || fail "endorsements due in 2030 already"
echo "ok: membership record, due memberships, due renewals"

# --- renewal record: 2027's hours cannot be complete in 2026 (R-RNW-TRN) ---
ok registrar renew --save_decision="$work/renewal.json" "$top/deploy/examples/renewals/renewal_ifs_2027_early.json"
before=$(as registrar --json person show P-1004)
refused 1 registrar renewal record VA-IFS-1004 "$work/renewal.json"
has "FAILED_PRECONDITION" err
[ "$(as registrar --json person show P-1004)" = "$before" ] || fail "an incomplete renewal wrote something"
# A portfolio decision is not a renewal decision.
refused 1 registrar renewal record VA-IFS-1004 "$work/decision.json"
has "FAILED_PRECONDITION" err
echo "ok: renewal record refuses an incomplete or a portfolio decision"

# --- lapses (R-RNW-MEM): a holder paid through 2025 lapses from 2026-01-01 ---
printf '%s\n%s\n' "person_id,display_name,county,membership_paid_through_year,endorsement_number,category,granted_on,status,status_since,next_renewal_cycle_year,history" \
  "P-3001,Dana Fox,Fairfax,2025,VA-IFS-3001,IFS,2020-06-01,,,2027," >"$work/unpaid.csv"
ok registrar import-csv "$work/unpaid.csv"
ok registrar verify --endorsement=VA-IFS-3001 --category=IFS
grep -q "^NOT HELD  VA-IFS-3001" "$work/out" || fail "VA-IFS-3001 not NOT HELD before any run"
ok registrar verify --endorsement=VA-IFS-3001 --category=IFS --on=2025-12-31
held VA-IFS-3001
ok registrar lapses run
has "VA-IFS-3001  lapsed from 2026-01-01  membership not renewed" out
has "1 endorsement(s) lapsed as of" out
ok registrar lapses run
has "0 endorsement(s) lapsed as of" out
ok registrar verify --endorsement=VA-IFS-3001 --category=IFS --on=2025-12-31
held VA-IFS-3001
# A span (RULES.md s.6 over days): held through 2025, lapsed from 2026-01-01.
ok registrar verify --endorsement=VA-IFS-3001 --category=IFS --on=2025-12-01 --through=2026-02-01
held VA-IFS-3001
has "  from 2026-01-01: NOT HELD  VA-IFS-3001 (IFS, lapsed since 2026-01-01)" out
has "  (every day through 2026-02-01)" out
[ "$(grep -c "^  from " "$work/out")" = 1 ] || fail "one change in the span"
refused 2 registrar verify --endorsement=VA-IFS-3001 --category=IFS --through=2026-02-01
has "--through needs --on" err
refused 1 registrar lapses run --as_of=2099-01-01
has "INVALID_ARGUMENT" err
has "as_of" err
echo "ok: lapses run"

# --- a person's whole record ---
ok registrar person show P-2001
has "P-2001  Morgan Ellis, Fairfax" out
has "membership paid through 2027; years on file: 2026, 2027" out
has "endorsements (1):" out
has "applications (1):" out
has "approved by spiffe://imh.local/reviewer-b" out
ok registrar --json person show P-2001
py 'import json,sys; r=json.load(sys.stdin); assert r["endorsements"][0]["grant"]["reviewed"]["applicationId"], r' <"$work/out" || fail "--json person show"
refused 1 registrar person show P-9999
has "NOT_FOUND" err
echo "ok: person show"

# --- backup: registrar only, never overwrites ---
ok registrar backup nightly-1
has "backup written by the registry to $work/backups/nightly-1" out
[ -s "$work/backups/nightly-1" ] || fail "no backup file"
[ "$(sqlite3 "$work/backups/nightly-1" "SELECT COUNT(*) FROM endorsements")" = \
  "$(sqlite3 "$work/registry.sqlite" "SELECT COUNT(*) FROM endorsements")" ] || fail "backup lacks endorsements"
refused 1 registrar backup nightly-1
has "FAILED_PRECONDITION" err
refused 1 reviewer-a backup nightly-2
has "PERMISSION_DENIED" err
echo "ok: backup"

# --- exit codes ---
set +e; "$imh" --registry=127.0.0.1:1 --timeout_ms=1000 person show P-1001 >/dev/null 2>&1; code=$?; set -e
[ "$code" -eq 3 ] || fail "an unreachable registry exits $code, not 3"
set +e; "$imh" review frobnicate >/dev/null 2>&1; code=$?; set -e
[ "$code" -eq 2 ] || fail "a bad subcommand exits $code, not 2"
echo "ok: exit codes"
echo "PASS"

#!/usr/bin/env bash
# Quick start, command 1: install what is missing, build, and run the main job.
#
# Makes development certificates and a decision-signing key, starts the
# registry (mutual TLS, the shipped authorization policy) and the eligibility
# service (TLS) on localhost, loads the demo registry of fictional endorsed
# professionals from deploy/examples/demo_registry.csv into a fresh SQLite
# file, evaluates the example portfolios in deploy/examples/ through the
# services, then takes one applicant from decision to the Active Registry: the
# signed decision is submitted, two reviewers approve, the endorsement is
# granted and verifies HELD. Both services keep running until Ctrl-C.
#
#   tools/demo.sh          build (release), run, wait for Ctrl-C
#   tools/demo.sh --once   stop the services after the examples (for tests)
#
# Environment: IMH_ELIGIBILITY_PORT (50051), IMH_REGISTRY_PORT (50052) for gRPC,
# IMH_ELIGIBILITY_HTTP_PORT (8051), IMH_REGISTRY_HTTP_PORT (8052) for the HTTP
# ports (Connect JSON, /metrics, the public Active Registry page, the decision
# report), 0 for any free port; IMH_DEMO_DATA (data/demo): where the SQLite
# file, the decision log and the decision report go; IMH_BUILD_DIR: use
# binaries already built there; IMH_TODAY (2026-12-01): the day the services
# take for today, the day the demo data (grants, memberships, cycles) are
# written for.
set -euo pipefail
cd "$(dirname "$0")/.."

once=false
[ "${1:-}" = "--once" ] && once=true

if [ -z "${IMH_BUILD_DIR:-}" ]; then
  tools/install_deps.sh
  cmake --preset release >/dev/null
  cmake --build --preset release
  IMH_BUILD_DIR=build/release
fi
bin="$IMH_BUILD_DIR"
export IMH_TODAY="${IMH_TODAY:-2026-12-01}"
data="${IMH_DEMO_DATA:-data/demo}"
examples=deploy/examples
registry_port="${IMH_REGISTRY_PORT:-50052}"
eligibility_port="${IMH_ELIGIBILITY_PORT:-50051}"
registry_http_port="${IMH_REGISTRY_HTTP_PORT:-8052}"
eligibility_http_port="${IMH_ELIGIBILITY_HTTP_PORT:-8051}"

rm -rf "$data"
mkdir -p "$data"
certs="$data/certs"
# Development certificates (not for production): the registrar (staff), the
# eligibility service, and two reviewers, each a principal of the registry's
# policy; and the Ed25519 key that signs decisions.
tools/make_dev_certs.sh "$certs" registrar eligibility reviewer-a reviewer-b
pids=()
stop() {
  trap - EXIT INT TERM
  if [ "${#pids[@]}" -gt 0 ]; then
    echo
    echo "Stopping the services (they drain calls in flight first)..."
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
}
trap stop EXIT
trap 'stop; exit 0' INT TERM

# Waits for a server's port file; fails if the server exits first.
wait_for_port() {
  local file=$1 pid=$2 name=$3
  for _ in $(seq 1 200); do
    [ -s "$file" ] && { cat "$file"; return 0; }
    kill -0 "$pid" 2>/dev/null || { echo "demo: $name exited; see $data/$name.log" >&2; return 1; }
    sleep 0.05
  done
  echo "demo: $name did not start; see $data/$name.log" >&2
  return 1
}

"$bin/services/registry/imh-registry" --listen="127.0.0.1:$registry_port" \
  --db="$data/registry.sqlite" --port_file="$data/registry.port" \
  --tls_cert="$certs/server.pem" --tls_key="$certs/server.key" \
  --tls_client_ca="$certs/ca.pem" \
  --authz_policy=deploy/authz/registry_policy.json \
  --decision_keys="$certs/decision_signing.pub" \
  --http_listen="127.0.0.1:$registry_http_port" --http_port_file="$data/registry.http_port" \
  --http_require_client_cert=false \
  2>"$data/registry.log" &
pids+=($!)
registry_port=$(wait_for_port "$data/registry.port" "${pids[0]}" registry)
registry_http_port=$(wait_for_port "$data/registry.http_port" "${pids[0]}" registry)

"$bin/services/eligibility/imh-eligibility" --listen="127.0.0.1:$eligibility_port" \
  --registry="127.0.0.1:$registry_port" --decision_log="$data/decisions.jsonl" \
  --port_file="$data/eligibility.port" \
  --tls_cert="$certs/server.pem" --tls_key="$certs/server.key" \
  --registry_tls_ca="$certs/ca.pem" --registry_tls_cert="$certs/eligibility.pem" \
  --registry_tls_key="$certs/eligibility.key" \
  --signing_key="$certs/decision_signing.key" \
  --http_listen="127.0.0.1:$eligibility_http_port" --http_port_file="$data/eligibility.http_port" \
  2>"$data/eligibility.log" &
pids+=($!)
eligibility_port=$(wait_for_port "$data/eligibility.port" "${pids[1]}" eligibility)
eligibility_http_port=$(wait_for_port "$data/eligibility.http_port" "${pids[1]}" eligibility)

# imh as a principal of the registry's policy: `as reviewer-a review ...`.
as() {
  local who=$1; shift
  "$bin/tools/imh" --eligibility="127.0.0.1:$eligibility_port" \
    --registry="127.0.0.1:$registry_port" --tls_ca="$certs/ca.pem" \
    --tls_cert="$certs/$who.pem" --tls_key="$certs/$who.key" "$@"
}
# The association's staff: the registrar.
imh=("$bin/tools/imh" --eligibility="127.0.0.1:$eligibility_port"
     --registry="127.0.0.1:$registry_port" --tls_ca="$certs/ca.pem"
     --tls_cert="$certs/registrar.pem" --tls_key="$certs/registrar.key")
banner() { printf '\n######## %s\n' "$1"; }

banner "Registry at 127.0.0.1:$registry_port (mutual TLS), eligibility at 127.0.0.1:$eligibility_port (TLS); certificates in $certs; today is $IMH_TODAY for both (IMH_TODAY: the day the demo data are written for)"
"${imh[@]}" import-csv "$examples/demo_registry.csv"
"${imh[@]}" list

banner "Each applicant, for the category applied for (EvaluatePortfolio)"
"${imh[@]}" evaluate --category=IFS --save_decision="$data/morgan_ifs_decision.json" \
  "$examples/portfolios/ifs_applicant.json"
"${imh[@]}" evaluate --category=IFA "$examples/portfolios/ifa_applicant_with_cda.json"
"${imh[@]}" evaluate --category=IMHS "$examples/portfolios/imhs_applicant_lapsed_provider.json"
"${imh[@]}" evaluate --category=IMHM-C "$examples/portfolios/imhm_clinical_applicant.json"

banner "Every category for each applicant (RecommendCategories)"
"${imh[@]}" recommend "$examples"/portfolios/*.json

banner "An early renewal attestation for the 2027 cycle: 2027's hours are still to come (EvaluateRenewal)"
"${imh[@]}" renew "$examples/renewals/renewal_ifs_2027_early.json"

banner "Is the IMHS applicant's provider endorsed? (VerifyCredentials)"
"${imh[@]}" verify --endorsement=VA-IFRS-1003 --category=IFRS,IMHM-C

banner "From decision to the Active Registry: Morgan Ellis (P-2001) applies for IFS"
"${imh[@]}" person create --person=P-2001 --name="Morgan Ellis" --county=Fairfax \
  --membership_through=2026
"${imh[@]}" application submit "$data/morgan_ifs_decision.json" --category=IFS \
  | tee "$data/application.txt"
application=$(grep -o 'A-[0-9]*' "$data/application.txt" | head -1)
banner "Two reviewers approve $application (each with their own certificate)"
as reviewer-a review approve "$application" --comment="portfolio and references checked"
as reviewer-b review approve "$application" --comment="agree" | tee "$data/grant.txt"
number=$(grep -o 'VA-IFS-[0-9]*' "$data/grant.txt" | head -1)
banner "Morgan Ellis on the Active Registry, and a verification of $number"
"${imh[@]}" list --status=active --name=morgan
"${imh[@]}" verify --endorsement="$number" --category=IFS
banner "Whose membership for 2027 is still to be paid (reminders go out in December)"
"${imh[@]}" due memberships --year=2027

banner "The same services over HTTP/JSON (Connect protocol): VerifyCredentials with curl"
curl -sS --cacert "$certs/ca.pem" --cert "$certs/registrar.pem" --key "$certs/registrar.key" \
  -H 'Content-Type: application/json' \
  -d "{\"questions\":[{\"endorsementNumber\":\"$number\",\"categories\":[\"IFS\"]}]}" \
  "https://127.0.0.1:$registry_http_port/imh.registry.v1.RegistryService/VerifyCredentials"
echo

banner "Morgan Ellis's decision as a page, with its timeline (imh report)"
"${imh[@]}" report --category=IFS --html="$data/morgan_ifs_report.html" \
  "$examples/portfolios/ifs_applicant.json"

banner "Per-method calls and latencies of the eligibility service (AdminService)"
"${imh[@]}" metrics --server=eligibility

echo
echo "Decision log: $data/decisions.jsonl; service logs: $data/*.log"
echo "Decision report: $data/morgan_ifs_report.html"
echo "Active Registry page: https://127.0.0.1:$registry_http_port/registry (development certificate: $certs/ca.pem)"
echo "Metrics: https://127.0.0.1:$registry_http_port/metrics (with a client certificate) and https://127.0.0.1:$eligibility_http_port/metrics"
if $once; then exit 0; fi
echo "Both services keep running. Try, in another terminal:"
echo "  ${imh[*]} person show P-2001"
echo "  ${imh[*]} evaluate $examples/portfolios/ifs_applicant.json"
echo "Press Ctrl-C to stop."
wait

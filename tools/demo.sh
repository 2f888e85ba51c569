#!/usr/bin/env bash
# Quick start, command 1: install what is missing, build, and run the main job.
#
# Until the gRPC services exist (issues 3 and 4), the main job is the eligibility
# engine run offline by the imh-eval CLI: it evaluates the example portfolios in
# deploy/examples/ against the Virginia rulebook, verifying raters and RS/C
# providers against a demo registry snapshot, and prints readable decisions.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install_deps.sh
cmake --preset release >/dev/null
cmake --build --preset release

eval_cli=build/release/tools/imh-eval
registry=deploy/examples/demo_registry.json
examples=deploy/examples/portfolios

banner() { printf '\n######## %s\n' "$1"; }

banner "Each applicant, for the category applied for"
"$eval_cli" --registry "$registry" --category IFS "$examples/ifs_applicant.json"
"$eval_cli" --registry "$registry" --category IFA "$examples/ifa_applicant_with_cda.json"
"$eval_cli" --registry "$registry" --category IMHS "$examples/imhs_applicant_lapsed_provider.json"
"$eval_cli" --registry "$registry" --category IMHM-C "$examples/imhm_clinical_applicant.json"

banner "Every category for each applicant (RecommendCategories)"
"$eval_cli" --registry "$registry" --recommend "$examples"/*.json

banner "The IFS applicant without a registry: unverified facts are never approved"
"$eval_cli" --category IFS "$examples/ifs_applicant.json"

banner "A renewal attestation at the end of the 2027 cycle"
"$eval_cli" --renewal --as_of 2027-12-15 deploy/examples/renewals/renewal_ifs_2027.json

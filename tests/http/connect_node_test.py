#!/usr/bin/env python3
"""A Connect client from npm against both services' HTTP ports: code generated
from this repository's protos by protoc-gen-es (at test time, so it always
matches them), driven by @connectrpc/connect-node over mutual TLS
(connect_client.mjs): EvaluatePortfolio (good and bad) and VerifyCredentials,
and a write the policy refuses.

  connect_node_test.py REGISTRY_BIN ELIGIBILITY_BIN IMH_BIN
Exits 77 (skipped) when Node.js or the npm packages (tools/install_deps.sh
--dev) are missing.
"""

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

from http_support import (MODULES, REGISTRY, TOP, Curl, Failure, Servers, check,
                          next_cycle_year, run_node, virginia_today)


def generate(out):
    os.makedirs(out)
    protos = []
    for pattern in ("imh/eligibility/v1/*.proto", "imh/registry/v1/*.proto",
                    "imh/decision/v1/*.proto", "imh/rulebook/v1/*.proto",
                    "google/type/*.proto", "google/rpc/*.proto"):
        protos += sorted(glob.glob(os.path.join(TOP, "proto", pattern)))
    subprocess.run(["protoc", f"-I{TOP}/proto", "-I/usr/include",
                    f"--plugin=protoc-gen-es={MODULES}/.bin/protoc-gen-es",
                    f"--es_out={out}", "--es_opt=target=js,import_extension=js"] + protos,
                   check=True)


def main(registry_bin, eligibility_bin, imh_bin):
    if shutil.which("node") is None or not os.path.isdir(
            os.path.join(MODULES, "@connectrpc", "connect-node")):
        print("SKIP: Node.js or @connectrpc/connect-node missing (tools/install_deps.sh --dev)")
        sys.exit(77)
    work = tempfile.mkdtemp(prefix="imh-connect-node-")
    servers = Servers(work, registry_bin, eligibility_bin)
    try:
        servers.load_demo_registry(imh_bin)
        this_year = virginia_today()["year"]
        # A holder whose membership is paid ahead, so that it is HELD today.
        imported = Curl(servers).ok("registrar", REGISTRY, "ImportEndorsements", {"records": [{
            "person": {"personId": "P-3001", "displayName": "Dana Fox", "county": "Henrico",
                       "membershipPaidThroughYear": this_year + 1},
            "endorsement": {"endorsementNumber": "VA-IFRS-3001", "category": "IFRS",
                            "grantedOn": {"year": 2020, "month": 6, "day": 1},
                            "nextRenewalCycleYear": next_cycle_year(this_year)}}]})
        check(imported["importedCount"] == 1, f"import: {imported}")
        portfolio = json.load(open(f"{TOP}/deploy/examples/portfolios/ifs_applicant.json"))
        c = servers.certs
        config = {
            "eligibilityUrl": f"https://127.0.0.1:{servers.eligibility[1]}",
            "registryUrl": f"https://127.0.0.1:{servers.registry[1]}",
            "ca": f"{c}/ca.pem", "cert": f"{c}/portal.pem", "key": f"{c}/portal.key",
            "portfolio": portfolio,
            "expect": {"category": "IFS", "heldNumber": "VA-IFRS-3001", "heldCategory": "IFRS"},
        }
        run_node("connect_client.mjs", config, work,
                 extra=lambda folder: generate(os.path.join(folder, "gen")))
        log = open(os.path.join(work, "eligibility.log")).read()
        check('"request_id":"connect-node-evaluate"' in log,
              "the client's x-request-id is not in the eligibility service's log")
    finally:
        servers.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    try:
        main(*sys.argv[1:4])
    except Failure as failure:
        print(f"FAIL: {failure}")
        sys.exit(1)

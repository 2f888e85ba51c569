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

from http_support import REGISTRY, TOP, Curl, Failure, Servers, check, virginia_today

MODULES = os.path.join(TOP, ".tools", "node_modules")


def generate(out):
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
    client = os.path.join(work, "client")
    os.makedirs(client)
    os.makedirs(os.path.join(client, "gen"))
    generate(os.path.join(client, "gen"))
    shutil.copy(os.path.join(os.path.dirname(__file__), "connect_client.mjs"), client)
    # ES modules resolve packages from the importing file's folders upward.
    os.symlink(MODULES, os.path.join(client, "node_modules"))
    with open(os.path.join(client, "package.json"), "w") as package:
        json.dump({"type": "module", "private": True}, package)

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
                            "nextRenewalCycleYear": 2027}}]})
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
        with open(os.path.join(client, "config.json"), "w") as out:
            json.dump(config, out)
        done = subprocess.run(["node", "connect_client.mjs", "config.json"], cwd=client,
                              capture_output=True, text=True, timeout=120)
        sys.stdout.write(done.stdout)
        check(done.returncode == 0 and "PASS" in done.stdout,
              f"the Connect client failed (exit {done.returncode}): {done.stderr[-2000:]}")
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

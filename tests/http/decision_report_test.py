#!/usr/bin/env python3
"""The decision report: `imh report PORTFOLIO --html OUT` and POST /report on
the eligibility service's HTTP port (mutual TLS), both opened in headless
Chromium (decision_report_browser.mjs): the timeline present and drawn as
RULES.md says for a portfolio built to show every kind of mark, printable,
self-contained, accessible; screenshots written.

The portfolio is the example IFS applicant (RULES.md s.3: eligible for IFS;
13 monthly sessions 2024-03..2025-03 with Rosa Delgado, IFRS, 26 hours over
12 months) plus:
  - a peer session (R-RSC-PEER: peer supervision never counts);
  - a session with Naomi Brooks on 2024-09-20, whose IFRS lapsed on
    2024-07-01 (R-RSC-PROVIDER: the provider must hold IFRS or IMHM-C when
    the supervision is given);
  - a session on 2022-05-10 with Rosa: inside no window of at most 24 months
    that also holds the 26 hours, so outside the counted window (R-RSC-HOURS);
  - a job from 2015-06-01 to 2016-12-31, before and after the BSW of
    2016-05-14 (IFS work counts after the bachelor's: the part before is
    not counted).

  decision_report_test.py REGISTRY_BIN ELIGIBILITY_BIN IMH_BIN SCREENSHOT_DIR
Exits 77 (skipped) without Chromium or the npm packages.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

from http_support import MODULES, TOP, Failure, Servers, check, run_node


def portfolio():
    p = json.load(open(f"{TOP}/deploy/examples/portfolios/ifs_applicant.json"))
    rosa = p["rscSessions"][0]["provider"]
    p["rscSessions"] += [
        {"heldOn": {"year": 2024, "month": 6, "day": 20}, "hours": 1.5,
         "format": "RSC_FORMAT_PEER", "provider": rosa},
        {"heldOn": {"year": 2024, "month": 9, "day": 20}, "hours": 2,
         "format": "RSC_FORMAT_INDIVIDUAL",
         "provider": {"displayName": "Naomi Brooks", "personId": "P-1003",
                      "endorsementNumber": "VA-IFRS-1003"}},
        {"heldOn": {"year": 2022, "month": 5, "day": 10}, "hours": 2,
         "format": "RSC_FORMAT_INDIVIDUAL", "provider": rosa},
    ]
    earlier = dict(p["work"][0], employer="Early Start Roanoke", current=False,
                   startedOn={"year": 2015, "month": 6, "day": 1},
                   endedOn={"year": 2016, "month": 12, "day": 31})
    p["work"].insert(0, earlier)
    return p


def main(registry_bin, eligibility_bin, imh_bin, screenshots):
    if not os.path.exists("/usr/bin/chromium") or not os.path.isdir(
            os.path.join(MODULES, "playwright-core")):
        print("SKIP: Chromium or playwright-core missing (tools/install_deps.sh --dev)")
        sys.exit(77)
    os.makedirs(screenshots, exist_ok=True)
    work = tempfile.mkdtemp(prefix="imh-report-")
    servers = Servers(work, registry_bin, eligibility_bin)
    try:
        servers.load_demo_registry(imh_bin)
        run(servers, imh_bin, work, screenshots)
    finally:
        servers.stop()
        shutil.rmtree(work, ignore_errors=True)
    print("PASS")


def run(servers, imh_bin, work, screenshots):
    c = servers.certs
    with open(os.path.join(work, "portfolio.json"), "w") as out:
        json.dump(portfolio(), out)
    from_cli = os.path.join(work, "report_cli.html")
    done = subprocess.run(
        [imh_bin, f"--eligibility=127.0.0.1:{servers.eligibility[0]}",
         f"--registry=127.0.0.1:{servers.registry[0]}", f"--tls_ca={c}/ca.pem",
         f"--tls_cert={c}/portal.pem", f"--tls_key={c}/portal.key", "report",
         os.path.join(work, "portfolio.json"), f"--html={from_cli}"],
        capture_output=True, text=True)
    check(done.returncode == 0 and "written to" in done.stderr, f"imh report: {done.stderr}")

    from_service = os.path.join(work, "report_service.html")
    posted = subprocess.run(
        ["curl", "-sS", "--fail-with-body", "--cacert", f"{c}/ca.pem", "--cert", f"{c}/portal.pem",
         "--key", f"{c}/portal.key", "-H", "Content-Type: application/json",
         "--data-binary", "@-", "-o", from_service, "-w", "%{content_type}",
         f"https://127.0.0.1:{servers.eligibility[1]}/report"],
        input=json.dumps({"portfolio": portfolio()}), capture_output=True, text=True)
    check(posted.returncode == 0 and posted.stdout.startswith("text/html"),
          f"POST /report: {posted.returncode} {posted.stdout} {posted.stderr}")
    # A bad portfolio is a Connect error with its field violations.
    bad = portfolio()
    bad["trainings"][0]["clockHours"] = -2
    refused = subprocess.run(
        ["curl", "-sS", "--cacert", f"{c}/ca.pem", "--cert", f"{c}/portal.pem",
         "--key", f"{c}/portal.key", "-H", "Content-Type: application/json",
         "--data-binary", "@-", "-w", "\n%{http_code}",
         f"https://127.0.0.1:{servers.eligibility[1]}/report"],
        input=json.dumps({"portfolio": bad}), capture_output=True, text=True)
    body, _, code = refused.stdout.rpartition("\n")
    check(code == "400" and "portfolio.trainings[0].clock_hours" in body,
          f"POST /report with a bad portfolio: {code} {body[:300]}")
    print("ok: imh report and POST /report wrote their pages; a bad portfolio is refused")

    config = {
        "reports": [{"name": "cli", "path": from_cli}, {"name": "service", "path": from_service}],
        "screenshots": screenshots,
        "axePath": os.path.join(MODULES, "axe-core", "axe.min.js"),
        "expect": {
            "ifsOutcome": "Eligible",
            "sessions": 16,
            "marks": {".rsc-counted": 13, ".rsc-excluded": 2, ".rsc-outside": 1,
                      ".rsc-window": 1, ".degree": 1, ".work-before-degree": 1,
                      # 2016-05-14..2016-12-31 and 2017-01-09 on: a gap of a
                      # week, so two merged spans.
                      ".work-counted": 2, ".work-merged": 2, ".provider-not-held": 1,
                      ".work-not-counted": 0},
            "excludedBy": ["R-RSC-PEER", "R-RSC-PROVIDER"],
            "windowText": "26 hours in 13 sessions",
            "notCountedRows": 3,
        },
    }
    run_node("decision_report_browser.mjs", config, work)

if __name__ == "__main__":
    try:
        main(*sys.argv[1:5])
    except Failure as failure:
        print(f"FAIL: {failure}")
        sys.exit(1)

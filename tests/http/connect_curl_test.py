#!/usr/bin/env python3
"""Every unary method of both services over their HTTP ports, called with curl
in the Connect protocol's unary form (JSON), as a PHP portal or a shell script
would call them: both servers run with mutual TLS and the registry with the
deployed authorization policy, so the HTTP port must apply the same
certificates and the same policy as the gRPC port.

For each method: a well-formed call and its answer; a malformed call answered
400 invalid_argument with the google.rpc.BadRequest field paths in the
details; for every write, the same call with a certificate the policy does not
allow to write, answered 403 permission_denied, with nothing written.

Expected results come from RULES.md and the demo registry (the same facts the
operator CLI's staff test pins), never from a previous run.

  connect_curl_test.py REGISTRY_BIN ELIGIBILITY_BIN IMH_BIN
"""

import json
import os
import sys
import tempfile

from http_support import (ELIGIBILITY, REGISTRY, TOP, Curl, Failure, Servers, check,
                          next_cycle_year, virginia_today)


def main(registry_bin, eligibility_bin, imh_bin):
    work = tempfile.mkdtemp(prefix="imh-http-")
    servers = Servers(work, registry_bin, eligibility_bin)
    try:
        run(servers, Curl(servers), imh_bin)
    finally:
        servers.stop()
    print("PASS")


def run(servers, curl, imh_bin):
    servers.load_demo_registry(imh_bin)
    today = virginia_today()
    this_year = today["year"]
    people_before = curl.ok("portal", REGISTRY, "GetPerson", {"personId": "P-1004"})

    # --- a client without a certificate is refused at the handshake (mutual TLS) ---
    code, _, _ = curl.call(None, REGISTRY, "GetPerson", {"personId": "P-1001"})
    check(code != 200 and code >= 35, f"no client certificate: curl exit {code}, not a TLS failure")
    print("ok: mutual TLS on the HTTP port")

    # --- eligibility: EvaluatePortfolio, RecommendCategories, EvaluateRenewal, GetRulebook ---
    portfolio = json.load(open(f"{TOP}/deploy/examples/portfolios/ifs_applicant.json"))
    portfolio["applicant"]["person"] = {"displayName": "Morgan Ellis", "personId": "P-2001"}
    evaluated = curl.ok("portal", ELIGIBILITY, "EvaluatePortfolio",
                        {"portfolio": portfolio, "categories": ["IFS"]},
                        headers=["x-request-id: http-test-evaluate"])
    outcomes = {d["category"]: d["outcome"] for d in evaluated["decision"]["categories"]}
    # The example IFS applicant meets every IFS rule (RULES.md s.3, IFS) with
    # raters and supervisors the demo registry holds.
    check(outcomes == {"IFS": "OUTCOME_ELIGIBLE"}, f"EvaluatePortfolio: {outcomes}")
    check(evaluated["verification"]["state"] == "VERIFICATION_STATE_COMPLETE",
          f"EvaluatePortfolio verification: {evaluated['verification']}")
    check(evaluated["signedDecision"]["signature"], "EvaluatePortfolio: no signature")
    for finding in evaluated["decision"]["categories"][0]["findings"]:
        check(finding["ruleId"].startswith("R-"), f"finding without a rule id: {finding}")
        check(finding.get("message"), f"FULL view, finding without a sentence: {finding}")
    # The BASIC view over JSON: the same findings without their sentences.
    basic = curl.ok("portal", ELIGIBILITY, "EvaluatePortfolio",
                    {"portfolio": portfolio, "categories": ["IFS"], "view": "DECISION_VIEW_BASIC"})
    full_findings = [{k: v for k, v in f.items() if k != "message"}
                     for f in evaluated["decision"]["categories"][0]["findings"]]
    check(basic["decision"]["categories"][0]["findings"] == full_findings,
          f"BASIC view: {basic['decision']['categories'][0]['findings']}")
    bad_portfolio = json.loads(json.dumps(portfolio))
    bad_portfolio["trainings"][0]["clockHours"] = -3
    curl.invalid("portal", ELIGIBILITY, "EvaluatePortfolio",
                 {"portfolio": bad_portfolio, "categories": ["NOPE"]},
                 ["portfolio.trainings[0].clock_hours", "categories[0]"])
    # A field the message does not have is refused, not ignored.
    answer = curl.error(400, "invalid_argument", "portal", ELIGIBILITY, "EvaluatePortfolio",
                        {"portfolio": portfolio, "categorys": ["IFS"]})
    check("categorys" in answer["message"], f"unknown field not named: {answer}")
    code, answer, _ = curl.call("portal", ELIGIBILITY, "EvaluatePortfolio", "{not json")
    check(code == 400 and answer["code"] == "invalid_argument" and
          answer["details"][0]["type"] == "google.rpc.BadRequest" and
          "is not a JSON EvaluatePortfolioRequest" in answer["message"],
          f"malformed JSON: {code} {answer}")
    print("ok: EvaluatePortfolio")

    recommended = curl.ok("portal", ELIGIBILITY, "RecommendCategories", {"portfolio": portfolio})
    check("IFS" in recommended["recommendation"]["eligibleCategories"],
          f"RecommendCategories: {recommended['recommendation']}")
    curl.invalid("portal", ELIGIBILITY, "RecommendCategories",
                 {"portfolio": bad_portfolio}, ["portfolio.trainings[0].clock_hours"])
    print("ok: RecommendCategories")

    attestation = json.load(open(f"{TOP}/deploy/examples/renewals/renewal_ifs_2027_early.json"))
    renewal = curl.ok("portal", ELIGIBILITY, "EvaluateRenewal", {"attestation": attestation})
    check(renewal["signedDecision"]["signature"], "EvaluateRenewal: no signature")
    bad_attestation = dict(attestation, cycleYear=1800)
    curl.invalid("portal", ELIGIBILITY, "EvaluateRenewal", {"attestation": bad_attestation},
                 ["attestation.cycle_year"])
    print("ok: EvaluateRenewal")

    rulebook = curl.ok("portal", ELIGIBILITY, "GetRulebook", {})
    check(rulebook["version"].startswith("va-imh-e/"), f"GetRulebook: {rulebook.get('version')}")
    curl.error(400, "invalid_argument", "portal", ELIGIBILITY, "GetRulebook", {"version": "x"})
    print("ok: GetRulebook")

    # --- registry writes: refused to a caller the policy does not allow ---
    person = {"personId": "P-2001", "displayName": "Morgan Ellis", "county": "Fairfax",
              "membershipPaidThroughYear": this_year}
    curl.denied("portal", "CreatePerson", {"person": person})
    curl.invalid("registrar", REGISTRY, "CreatePerson",
                 {"person": dict(person, personId="bad id", county="")},
                 ["person.person_id", "person.county"])
    created = curl.ok("registrar", REGISTRY, "CreatePerson", {"person": person})
    check(created["person"]["personId"] == "P-2001", f"CreatePerson: {created}")
    print("ok: CreatePerson")

    got = curl.ok("portal", REGISTRY, "GetPerson", {"personId": "P-2001"})
    check(got["person"]["displayName"] == "Morgan Ellis", f"GetPerson: {got}")
    curl.invalid("portal", REGISTRY, "GetPerson", {"personId": "bad id"}, ["person_id"])
    curl.error(404, "not_found", "portal", REGISTRY, "GetPerson", {"personId": "P-9999"})
    print("ok: GetPerson")

    submit = {"personId": "P-2001", "category": "IFS",
              "signedDecision": evaluated["signedDecision"]}
    curl.denied("portal", "SubmitApplication", submit)
    curl.invalid("registrar", REGISTRY, "SubmitApplication",
                 {"personId": "bad id", "category": "IFS"}, ["person_id", "signed_decision"])
    submitted = curl.ok("registrar", REGISTRY, "SubmitApplication", submit)
    application = submitted["application"]
    check(application["state"] == "APPLICATION_STATE_PENDING", f"SubmitApplication: {application}")
    # RULES.md s.6: two approvals grant.
    check(application["requiredApprovals"] == 2, f"required approvals: {application}")
    application_id = application["applicationId"]
    print("ok: SubmitApplication")

    approve = {"applicationId": application_id, "verdict": "REVIEW_VERDICT_APPROVE",
               "acknowledgedAdvisories": application.get("advisoryRuleIds", [])}
    curl.denied("portal", "ReviewApplication", approve)
    curl.invalid("reviewer-a", REGISTRY, "ReviewApplication",
                 {"applicationId": application_id, "verdict": "REVIEW_VERDICT_DECLINE"},
                 ["comment"])
    first = curl.ok("reviewer-a", REGISTRY, "ReviewApplication", approve)
    check(first["application"]["reviews"][0]["reviewer"] == "spiffe://imh.local/reviewer-a",
          f"the reviewer is not the certificate's principal: {first['application']['reviews']}")
    check("endorsement" not in first, "one approval granted")
    second = curl.ok("reviewer-b", REGISTRY, "ReviewApplication", approve)
    endorsement = second["endorsement"]
    check(second["application"]["state"] == "APPLICATION_STATE_GRANTED", f"grant: {second}")
    check(endorsement["status"] == "ENDORSEMENT_STATUS_ACTIVE", f"grant: {endorsement}")
    number = endorsement["endorsementNumber"]
    print("ok: ReviewApplication (two reviewers over HTTP grant)")

    got = curl.ok("portal", REGISTRY, "GetApplication", {"applicationId": application_id})
    check(got["application"]["endorsementNumber"] == number, f"GetApplication: {got}")
    curl.invalid("portal", REGISTRY, "GetApplication", {"applicationId": "bad id"},
                 ["application_id"])
    print("ok: GetApplication")

    listed = curl.ok("portal", REGISTRY, "ListApplications", {"personId": "P-2001"})
    check([a["applicationId"] for a in listed["applications"]] == [application_id],
          f"ListApplications: {listed}")
    curl.invalid("portal", REGISTRY, "ListApplications", {"pageSize": -1}, ["page_size"])
    print("ok: ListApplications")

    got = curl.ok("portal", REGISTRY, "GetEndorsement", {"endorsementNumber": number})
    check(got["endorsement"]["personId"] == "P-2001", f"GetEndorsement: {got}")
    curl.invalid("portal", REGISTRY, "GetEndorsement", {"endorsementNumber": "bad number"},
                 ["endorsement_number"])
    print("ok: GetEndorsement")

    listed = curl.ok("portal", REGISTRY, "ListEndorsements", {"name": "morgan"})
    check([e["endorsementNumber"] for e in listed["endorsements"]] == [number],
          f"ListEndorsements: {listed}")
    curl.invalid("portal", REGISTRY, "ListEndorsements", {"pageSize": -1, "category": "NOPE"},
                 ["page_size", "category"])
    print("ok: ListEndorsements")

    verified = curl.ok("portal", REGISTRY, "VerifyCredentials", {"questions": [
        {"endorsementNumber": number, "categories": ["IFS"]},
        {"personId": "P-2001", "categories": ["IFRS"]}]})
    check([a["status"] for a in verified["answers"]] ==
          ["CREDENTIAL_STATUS_HELD", "CREDENTIAL_STATUS_NOT_HELD"], f"VerifyCredentials: {verified}")
    curl.invalid("portal", REGISTRY, "VerifyCredentials",
                 {"questions": [{"personId": "P-2001"}]}, ["questions[0].categories"])
    print("ok: VerifyCredentials")

    current = curl.ok("portal", REGISTRY, "GetEndorsement", {"endorsementNumber": number})
    suspend = {"endorsementNumber": number, "status": "ENDORSEMENT_STATUS_SUSPENDED",
               "effectiveOn": today, "reason": "complaint under review",
               "etag": current["endorsement"]["etag"]}
    curl.denied("portal", "UpdateEndorsementStatus", suspend)
    curl.denied("reviewer-a", "UpdateEndorsementStatus", suspend)
    curl.invalid("registrar", REGISTRY, "UpdateEndorsementStatus",
                 dict(suspend, reason=""), ["reason"])
    curl.error(409, "aborted", "registrar", REGISTRY, "UpdateEndorsementStatus",
               dict(suspend, etag="stale"))
    suspended = curl.ok("registrar", REGISTRY, "UpdateEndorsementStatus", suspend)
    check(suspended["endorsement"]["status"] == "ENDORSEMENT_STATUS_SUSPENDED",
          f"UpdateEndorsementStatus: {suspended}")
    print("ok: UpdateEndorsementStatus")

    membership = {"personId": "P-2001", "year": this_year + 1}
    curl.denied("portal", "RecordMembership", membership)
    curl.invalid("registrar", REGISTRY, "RecordMembership",
                 {"personId": "P-2001", "year": this_year + 2}, ["year"])
    recorded = curl.ok("registrar", REGISTRY, "RecordMembership", membership)
    check(recorded["person"]["membershipPaidThroughYear"] == this_year + 1,
          f"RecordMembership: {recorded}")
    print("ok: RecordMembership")

    # R-RNW-TRN: 2027's hours cannot be complete before 2027 is over, so a
    # well-formed renewal of 2026's attestation is refused and writes nothing.
    record_renewal = {"endorsementNumber": "VA-IFS-1004",
                      "signedDecision": renewal["signedDecision"]}
    curl.denied("portal", "RecordRenewal", record_renewal)
    curl.invalid("registrar", REGISTRY, "RecordRenewal", {"endorsementNumber": "VA-IFS-1004"},
                 ["signed_decision"])
    if this_year <= 2027:
        curl.error(400, "failed_precondition", "registrar", REGISTRY, "RecordRenewal",
                   record_renewal)
    print("ok: RecordRenewal")

    lapses = {"asOf": {"year": this_year, "month": 1, "day": 1}}
    curl.denied("portal", "ProcessLapses", lapses)
    curl.invalid("registrar", REGISTRY, "ProcessLapses",
                 {"asOf": {"year": 2099, "month": 1, "day": 1}}, ["as_of"])
    # The registry ran the day's lapses when it started (R-RNW-MEM), so a
    # second run for 1 January finds nothing more to lapse.
    lapsed = curl.ok("registrar", REGISTRY, "ProcessLapses", lapses)
    check(not lapsed.get("lapsed"), f"ProcessLapses: {lapsed}")
    print("ok: ProcessLapses")

    due = curl.ok("portal", REGISTRY, "ListRenewalsDue", {"cycleYear": 2027})
    check("VA-IFRS-1001" in [e["endorsementNumber"] for e in due.get("endorsements", [])],
          f"ListRenewalsDue 2027: {due}")
    curl.invalid("portal", REGISTRY, "ListRenewalsDue", {"pageSize": -1, "pageToken": "forged"},
                 ["cycle_year", "page_size", "page_token"])
    print("ok: ListRenewalsDue")

    due = curl.ok("portal", REGISTRY, "ListMembershipsDue", {"year": this_year + 1})
    due_ids = [p["personId"] for p in due.get("people", [])]
    check("P-2001" not in due_ids, f"P-2001 paid {this_year + 1} and is listed: {due_ids}")
    curl.invalid("portal", REGISTRY, "ListMembershipsDue", {"year": 99999}, ["year"])
    print("ok: ListMembershipsDue")

    record = {"person": {"personId": "P-3001", "displayName": "Dana Fox", "county": "Henrico",
                         "membershipPaidThroughYear": this_year + 1},
              "endorsement": {"endorsementNumber": "VA-IFS-3001", "category": "IFS",
                              "grantedOn": {"year": 2020, "month": 6, "day": 1},
                              "nextRenewalCycleYear": next_cycle_year(this_year)}}
    curl.denied("portal", "ImportEndorsements", {"records": [record]})
    curl.denied("reviewer-a", "ImportEndorsements", {"records": [record]})
    curl.invalid("registrar", REGISTRY, "ImportEndorsements", {"records": []}, ["records"])
    imported = curl.ok("registrar", REGISTRY, "ImportEndorsements", {"records": [record]})
    check(imported["importedCount"] == 1 and not imported.get("rejections"),
          f"ImportEndorsements: {imported}")
    print("ok: ImportEndorsements")

    curl.denied("portal", "BackupRegistry", {"fileName": "nightly-1"})
    curl.denied("reviewer-a", "BackupRegistry", {"fileName": "nightly-1"})
    curl.invalid("registrar", REGISTRY, "BackupRegistry", {"fileName": "../escape"},
                 ["file_name"])
    backup = curl.ok("registrar", REGISTRY, "BackupRegistry", {"fileName": "nightly-1"})
    check(os.path.getsize(backup["path"]) == int(backup["bytes"]), f"BackupRegistry: {backup}")
    print("ok: BackupRegistry")

    # Streams stay on gRPC.
    curl.error(501, "unimplemented", "portal", REGISTRY, "WatchChanges", {})
    # Nothing the refused writes asked for happened.
    check(curl.ok("portal", REGISTRY, "GetPerson", {"personId": "P-1004"}) == people_before,
          "a refused RecordRenewal changed P-1004")
    check(not os.path.exists(os.path.join(servers.work, "backups", "nightly-2")), "stray backup")

    # Both transports reach the same metrics and access log: the HTTP calls
    # are in the registry's log with the caller's principal.
    log = open(servers.registry_log).read()
    check('"transport":"http"' in log and '"caller":"spiffe://imh.local/reviewer-b"' in log,
          "the registry's access log does not show the HTTP calls and their callers")
    eligibility_log = open(os.path.join(servers.work, "eligibility.log")).read()
    check('"request_id":"http-test-evaluate"' in eligibility_log,
          "the x-request-id header did not reach the eligibility service's log")
    print("ok: streams refused, refusals wrote nothing, access log")


if __name__ == "__main__":
    try:
        main(*sys.argv[1:4])
    except Failure as failure:
        print(f"FAIL: {failure}")
        sys.exit(1)

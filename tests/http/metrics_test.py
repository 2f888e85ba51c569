#!/usr/bin/env python3
"""/metrics on both services' HTTP ports, read by real Prometheus parsers:
promtool (Debian's prometheus) checks the exposition, and
prometheus_client's parser (Debian's python3-prometheus-client) reads the
values, which must move as calls are made over both transports. The alert
rules in deploy/monitoring pass `promtool check rules` and their unit tests
(`promtool test rules`), and every metric the rules and the Grafana dashboard
query is one the services export.

  metrics_test.py REGISTRY_BIN ELIGIBILITY_BIN IMH_BIN   (Debian's python3)
"""

import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

import grpc
from prometheus_client.parser import text_string_to_metric_families

from http_support import ELIGIBILITY, REGISTRY, TOP, Curl, Failure, Servers, check

MONITORING = os.path.join(TOP, "deploy", "monitoring")


def scrape(servers, which):
    port = (servers.registry if which == "registry" else servers.eligibility)[1]
    c = servers.certs
    done = subprocess.run(["curl", "-sS", "--fail", "--cacert", f"{c}/ca.pem",
                           "--cert", f"{c}/portal.pem", "--key", f"{c}/portal.key",
                           "-D", os.path.join(servers.work, "headers"),
                           f"https://127.0.0.1:{port}/metrics"],
                          capture_output=True, text=True)
    check(done.returncode == 0, f"GET /metrics on {which}: {done.stderr}")
    headers = open(os.path.join(servers.work, "headers")).read().lower()
    check("content-type: text/plain; version=0.0.4" in headers, f"content type: {headers}")
    lint = subprocess.run(["promtool", "check", "metrics"], input=done.stdout,
                          capture_output=True, text=True)
    check(lint.returncode == 0, f"promtool check metrics ({which}): {lint.stdout}{lint.stderr}")
    return done.stdout


def samples(text):
    """{(sample name, frozenset of labels): value} and the family names."""
    values, families = {}, set()
    for family in text_string_to_metric_families(text):
        families.add(family.name)
        for sample in family.samples:
            values[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return values, families


def value(values, name, **labels):
    return values.get((name, frozenset(labels.items())), 0.0)


def grpc_channel(servers, port):
    c = servers.certs
    credentials = grpc.ssl_channel_credentials(
        open(f"{c}/ca.pem", "rb").read(), open(f"{c}/portal.key", "rb").read(),
        open(f"{c}/portal.pem", "rb").read())
    return grpc.secure_channel(f"127.0.0.1:{port}", credentials,
                               options=[("grpc.ssl_target_name_override", "localhost")])


def main(registry_bin, eligibility_bin, imh_bin):
    work = tempfile.mkdtemp(prefix="imh-metrics-")
    servers = Servers(work, registry_bin, eligibility_bin)
    try:
        servers.load_demo_registry(imh_bin)
        run(servers, Curl(servers))
        check_monitoring_files(servers)
    finally:
        servers.stop()
    print("PASS")


def run(servers, curl):
    evaluate = "/imh.eligibility.v1.EligibilityService/EvaluatePortfolio"
    before, _ = samples(scrape(servers, "eligibility"))
    portfolio = json.load(open(f"{TOP}/deploy/examples/portfolios/ifs_applicant.json"))
    curl.ok("portal", ELIGIBILITY, "EvaluatePortfolio", {"portfolio": portfolio})
    curl.ok("portal", ELIGIBILITY, "EvaluatePortfolio", {"portfolio": portfolio})
    bad = json.loads(json.dumps(portfolio))
    bad["trainings"][0]["clockHours"] = -1
    curl.error(400, "invalid_argument", "portal", ELIGIBILITY, "EvaluatePortfolio",
               {"portfolio": bad})
    after, _ = samples(scrape(servers, "eligibility"))
    labels = {"server": "eligibility", "method": evaluate}
    ok_delta = (value(after, "imh_rpc_calls_total", code="OK", **labels) -
                value(before, "imh_rpc_calls_total", code="OK", **labels))
    bad_delta = (value(after, "imh_rpc_calls_total", code="INVALID_ARGUMENT", **labels) -
                 value(before, "imh_rpc_calls_total", code="INVALID_ARGUMENT", **labels))
    count_delta = (value(after, "imh_rpc_latency_seconds_count", **labels) -
                   value(before, "imh_rpc_latency_seconds_count", **labels))
    check((ok_delta, bad_delta, count_delta) == (2, 1, 3),
          f"EvaluatePortfolio counters moved by {(ok_delta, bad_delta, count_delta)}, not (2, 1, 3)")
    check(value(after, "imh_rpc_latency_seconds_bucket", le="+Inf", **labels) ==
          value(after, "imh_rpc_latency_seconds_count", **labels), "+Inf bucket != count")
    check(value(after, "imh_rpc_latency_seconds_sum", **labels) > 0, "latency sum is 0")
    print("ok: eligibility counters and histogram move with calls (HTTP)")

    # The registry: its own metrics, and calls over gRPC counted as calls over
    # HTTP are.
    before, families = samples(scrape(servers, "registry"))
    for family in ("imh_registry_database_bytes", "imh_registry_wal_bytes",
                   "imh_registry_feed_sequence", "imh_registry_watch_streams",
                   "imh_registry_exports", "imh_registry_lapse_runs",
                   "imh_registry_lapsed_endorsements", "imh_rpc_in_flight",
                   "imh_process_start_time_seconds"):
        check(family in families, f"registry /metrics lacks {family}: {sorted(families)}")
    check(value(before, "imh_registry_database_bytes", server="registry") > 0, "database 0 bytes")
    check(value(before, "imh_registry_lapse_runs_total", server="registry", result="done") == 1,
          "the start-up lapse run is not counted")
    sequence = value(before, "imh_registry_feed_sequence", server="registry")
    check(sequence > 0, "the demo import left the feed sequence at 0")

    channel = grpc_channel(servers, servers.registry[0])
    verify = channel.unary_unary("/imh.registry.v1.RegistryService/VerifyCredentials",
                                 request_serializer=lambda b: b,
                                 response_deserializer=lambda b: b)
    # VerifyCredentials{questions: [{endorsement_number: "VA-IFRS-1001",
    # categories: ["IFRS"]}]}, encoded by hand: the test needs no stubs.
    question = b"\x12\x0cVA-IFRS-1001\x1a\x04IFRS"
    verify(b"\x0a" + bytes([len(question)]) + question, timeout=10)
    curl.ok("portal", REGISTRY, "VerifyCredentials", {"questions": [
        {"endorsementNumber": "VA-IFRS-1001", "categories": ["IFRS"]}]})
    curl.ok("registrar", REGISTRY, "CreatePerson", {"person": {
        "personId": "P-7001", "displayName": "Avery Stone", "county": "Arlington"}})

    # A change feed held open: the stream gauge counts it.
    watch = channel.unary_stream("/imh.registry.v1.RegistryService/WatchChanges",
                                 request_serializer=lambda b: b,
                                 response_deserializer=lambda b: b)
    stream = watch(b"", timeout=60)
    reader = threading.Thread(target=lambda: [None for _ in stream], daemon=True)
    reader.start()
    for _ in range(100):
        during, _ = samples(scrape(servers, "registry"))
        if value(during, "imh_registry_watch_streams", server="registry") == 1:
            break
        time.sleep(0.05)
    check(value(during, "imh_registry_watch_streams", server="registry") == 1,
          "an open WatchChanges stream is not counted")
    stream.cancel()
    reader.join(timeout=10)

    after, _ = samples(scrape(servers, "registry"))
    verify_labels = {"server": "registry",
                     "method": "/imh.registry.v1.RegistryService/VerifyCredentials"}
    delta = (value(after, "imh_rpc_calls_total", code="OK", **verify_labels) -
             value(before, "imh_rpc_calls_total", code="OK", **verify_labels))
    check(delta == 2, f"VerifyCredentials over gRPC and HTTP counted {delta}, not 2")
    check(value(after, "imh_registry_feed_sequence", server="registry") == sequence + 1,
          "CreatePerson did not advance the feed sequence by one")
    for _ in range(100):
        if value(after, "imh_registry_watch_streams", server="registry") == 0:
            break
        time.sleep(0.05)
        after, _ = samples(scrape(servers, "registry"))
    check(value(after, "imh_registry_watch_streams", server="registry") == 0,
          "a cancelled stream is still counted")
    print("ok: registry metrics: database, feed sequence, lapse runs, streams; "
          "both transports counted")
    servers.exported_families = samples(scrape(servers, "registry"))[1] | \
        samples(scrape(servers, "eligibility"))[1]


def check_monitoring_files(servers):
    rules = os.path.join(MONITORING, "alerts.yml")
    for argv in (["promtool", "check", "rules", rules],
                 ["promtool", "test", "rules", os.path.join(MONITORING, "alerts_test.yml")]):
        done = subprocess.run(argv, capture_output=True, text=True)
        check(done.returncode == 0, f"{' '.join(argv[:3])}: {done.stdout}{done.stderr}")
    print("ok: promtool check rules, promtool test rules")
    exported = set()
    for family in servers.exported_families:
        exported |= {family, family + "_total", family + "_bucket", family + "_sum",
                     family + "_count"}
    queried = set(re.findall(r"\bimh_[a-z_]+", open(rules).read()))
    dashboards = glob.glob(os.path.join(MONITORING, "*.json"))
    check(dashboards, "no Grafana dashboard in deploy/monitoring")
    for path in dashboards:
        dashboard = json.load(open(path))
        exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
        check(exprs, f"{path}: no queries")
        for expr in exprs:
            queried |= set(re.findall(r"\bimh_[a-z_]+", expr))
    unknown = sorted(queried - exported)
    check(not unknown, f"the rules and dashboard query metrics nobody exports: {unknown}")
    print(f"ok: the alert rules and the dashboard query {len(queried)} exported metrics")


if __name__ == "__main__":
    try:
        main(*sys.argv[1:4])
    except Failure as failure:
        print(f"FAIL: {failure}")
        sys.exit(1)

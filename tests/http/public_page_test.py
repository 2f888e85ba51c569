#!/usr/bin/env python3
"""The public Active Registry page on the registry's HTTP port.

1. In Debian's Chromium (public_page_browser.mjs, playwright-core): a search,
   paging, the validity box, keyboard use, all without JavaScript; axe-core
   finds no serious violation; screenshots are written.
2. A flood of page requests from one address is limited (429 with
   Retry-After) while VerifyCredentials over gRPC keeps answering.
   More idle connections than the port has threads are closed after two
   seconds without a request, and the port answers again.
3. With mutual TLS and --http_require_client_cert=false, the page is open to
   a browser without a certificate while the authorization policy still
   refuses that caller every method.
4. Nothing on the page writes: every method but GET is refused.

  public_page_test.py REGISTRY_BIN IMH_BIN SCREENSHOT_DIR   (Debian's python3)
Exits 77 (skipped) without Chromium or the npm packages.
"""

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

import grpc

from http_support import (MODULES, TOP, Failure, check, next_cycle_year, run_node,
                          virginia_today)
COUNTY = "Loudoun"
PEOPLE = 60


def start_registry(registry_bin, work, name, extra):
    log = open(os.path.join(work, f"{name}.log"), "w")
    proc = subprocess.Popen(
        [registry_bin, "--listen=127.0.0.1:0", "--http_listen=127.0.0.1:0",
         f"--db={work}/{name}.sqlite", f"--port_file={work}/{name}.port",
         f"--http_port_file={work}/{name}.http_port", "--access_log=false"] + extra,
        stdout=log, stderr=log)
    for _ in range(400):
        paths = [f"{work}/{name}.port", f"{work}/{name}.http_port"]
        if all(os.path.exists(p) and os.path.getsize(p) > 0 for p in paths):
            return proc, [int(open(p).read()) for p in paths]
        time.sleep(0.05)
    raise Failure(f"{name} did not start: " + open(f"{work}/{name}.log").read())


def http_call(port, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, dict(response.getheaders()), data


def load(imh_bin, port, http_port):
    subprocess.run([imh_bin, f"--registry=127.0.0.1:{port}", "import-csv",
                    f"{TOP}/deploy/examples/demo_registry.csv"],
                   check=True, stdout=subprocess.DEVNULL)
    this_year = virginia_today()["year"]
    records = [{
        "person": {"personId": f"P-5{i:03d}", "displayName": f"Avery Example {i:02d}",
                   "county": COUNTY, "membershipPaidThroughYear": this_year + 1},
        "endorsement": {"endorsementNumber": f"VA-IFS-5{i:03d}", "category": "IFS",
                        "grantedOn": {"year": 2020, "month": 6, "day": 1},
                        "nextRenewalCycleYear": next_cycle_year(this_year)}}
        for i in range(1, PEOPLE + 1)]
    status, _, body = http_call(
        http_port, "POST", "/imh.registry.v1.RegistryService/ImportEndorsements",
        json.dumps({"records": records}), {"Content-Type": "application/json"})
    check(status == 200 and json.loads(body)["importedCount"] == PEOPLE, f"import: {status} {body[:300]}")


def browser(http_port, screenshots, work):
    config = {
        "baseUrl": f"http://127.0.0.1:{http_port}", "screenshots": screenshots,
        "axePath": os.path.join(MODULES, "axe-core", "axe.min.js"),
        "county": COUNTY, "expectedInCounty": PEOPLE, "pageSize": 25,
        "validNumber": "VA-IFS-5007", "validHolder": "Avery Example 07",
        # The demo registry's lapsed endorsement (lapsed since 2024-07-01).
        "lapsedNumber": "VA-IFRS-1003", "unknownNumber": "VA-IFS-9999",
    }
    run_node("public_page_browser.mjs", config, work)
    for name in ("public_registry.png", "public_registry_valid.png"):
        path = os.path.join(screenshots, name)
        check(os.path.exists(path) and os.path.getsize(path) > 10000, f"no screenshot {path}")


def flood(port, http_port):
    """Pages from one address as fast as 16 connections go for 3 seconds,
    while a gRPC client verifies every 20 ms."""
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    verify = channel.unary_unary("/imh.registry.v1.RegistryService/VerifyCredentials",
                                 request_serializer=lambda b: b,
                                 response_deserializer=lambda b: b)
    # {questions: [{endorsement_number: "VA-IFS-5001", categories: ["IFS"]}]}
    question = b"\x12\x0bVA-IFS-5001\x1a\x03IFS"
    request = b"\x0a" + bytes([len(question)]) + question
    stop = threading.Event()
    verifications = {"ok": 0, "failed": 0, "slowest": 0.0}

    def verifier():
        while not stop.is_set():
            started = time.monotonic()
            try:
                verify(request, timeout=5)
                verifications["ok"] += 1
            except grpc.RpcError:
                verifications["failed"] += 1
            verifications["slowest"] = max(verifications["slowest"], time.monotonic() - started)
            time.sleep(0.02)

    codes = {}
    retry_after = set()
    lock = threading.Lock()

    deadline = time.monotonic() + 3

    def pager():
        while time.monotonic() < deadline:
            status, headers, _ = http_call(http_port, "GET", f"/registry?county={COUNTY}&status=any")
            with lock:
                codes[status] = codes.get(status, 0) + 1
                if status == 429:
                    retry_after.add(headers.get("Retry-After"))

    checker = threading.Thread(target=verifier)
    checker.start()
    started = time.monotonic()
    pagers = [threading.Thread(target=pager) for _ in range(16)]
    for thread in pagers:
        thread.start()
    for thread in pagers:
        thread.join()
    elapsed = time.monotonic() - started
    time.sleep(0.3)
    stop.set()
    checker.join()
    # A burst of 20, then 5 a second (the defaults), with a little slack for
    # pages refused 503 because four were rendering already.
    allowed = codes.get(200, 0)
    check(codes.get(429, 0) > 0, f"a flood of pages was not limited: {codes}")
    check(allowed <= 20 + 5 * elapsed + 2, f"{allowed} pages served in {elapsed:.1f} s: {codes}")
    check(set(codes) <= {200, 429, 503}, f"unexpected answers: {codes}")
    check(retry_after and all(r and int(r) >= 1 for r in retry_after), f"Retry-After: {retry_after}")
    check(verifications["failed"] == 0 and verifications["ok"] >= 10,
          f"verification during the flood: {verifications}")
    check(verifications["slowest"] < 1.0, f"verification slowed to {verifications['slowest']:.2f} s")
    print(f"ok: flood of {sum(codes.values())} pages in {elapsed:.1f} s: {codes}; "
          f"{verifications['ok']} verifications over gRPC meanwhile, none failed, "
          f"slowest {verifications['slowest'] * 1000:.0f} ms")


def idle_connections(http_port):
    """More idle connections than the HTTP port has threads (32): each is
    closed after two seconds without a request, and the port answers again."""
    idle = [socket.create_connection(("127.0.0.1", http_port)) for _ in range(40)]
    try:
        started = time.monotonic()
        status, _, body = http_call(
            http_port, "POST", "/imh.registry.v1.RegistryService/VerifyCredentials",
            json.dumps({"questions": [{"endorsementNumber": "VA-IFS-5001",
                                       "categories": ["IFS"]}]}),
            {"Content-Type": "application/json"})
        waited = time.monotonic() - started
        check(status == 200 and b"CREDENTIAL_STATUS_HELD" in body,
              f"VerifyCredentials behind 40 idle connections: {status} {body[:200]}")
        check(waited < 10, f"the port took {waited:.1f} s to answer behind idle connections")
    finally:
        for connection in idle:
            connection.close()
    print(f"ok: 40 idle connections held the HTTP port {waited:.1f} s at most")


def read_only(http_port):
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        status, headers, _ = http_call(http_port, method, "/registry", body=b"name=x",
                                       headers={"Content-Type": "application/x-www-form-urlencoded"})
        check(status == 405 and "GET" in headers.get("Allow", ""), f"{method} /registry: {status}")
    status, headers, _ = http_call(http_port, "GET", "/")
    check(status == 302 and headers.get("Location") == "/registry", f"GET /: {status} {headers}")
    print("ok: the page's paths refuse every method but GET")


def optional_client_certificates(registry_bin, work):
    certs = os.path.join(work, "certs")
    subprocess.run([os.path.join(TOP, "tools", "make_dev_certs.sh"), certs, "registrar", "portal"],
                   check=True, stdout=subprocess.DEVNULL)
    proc, (port, http_port) = start_registry(registry_bin, work, "tls", [
        f"--tls_cert={certs}/server.pem", f"--tls_key={certs}/server.key",
        f"--tls_client_ca={certs}/ca.pem", "--http_require_client_cert=false",
        f"--authz_policy={TOP}/deploy/authz/registry_policy.json"])
    try:
        base = ["curl", "-sS", "--cacert", f"{certs}/ca.pem", "-o", "/dev/null", "-w", "%{http_code}"]
        url = f"https://127.0.0.1:{http_port}"
        page = subprocess.run(base + [f"{url}/registry"], capture_output=True, text=True).stdout
        check(page == "200", f"the page without a client certificate: {page}")
        call = base + ["-X", "POST", "-H", "Content-Type: application/json", "-d",
                       '{"personId":"P-1001"}', f"{url}/imh.registry.v1.RegistryService/GetPerson"]
        anonymous = subprocess.run(call, capture_output=True, text=True).stdout
        check(anonymous == "403", f"GetPerson without a certificate: {anonymous}")
        with_cert = subprocess.run(call + ["--cert", f"{certs}/portal.pem", "--key", f"{certs}/portal.key"],
                                   capture_output=True, text=True).stdout
        check(with_cert == "404", f"GetPerson with the portal's certificate: {with_cert}")
        metrics = subprocess.run(base + [f"{url}/metrics"], capture_output=True, text=True).stdout
        check(metrics == "403", f"/metrics without a certificate: {metrics}")
        metrics = subprocess.run(base + [f"{url}/metrics", "--cert", f"{certs}/portal.pem",
                                         "--key", f"{certs}/portal.key"],
                                 capture_output=True, text=True).stdout
        check(metrics == "200", f"/metrics with a certificate: {metrics}")
        print("ok: optional client certificates: the page is public, the methods "
              "and /metrics are not")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main(registry_bin, imh_bin, screenshots):
    if not os.path.exists("/usr/bin/chromium") or not os.path.isdir(
            os.path.join(MODULES, "playwright-core")):
        print("SKIP: Chromium or playwright-core missing (tools/install_deps.sh --dev)")
        sys.exit(77)
    os.makedirs(screenshots, exist_ok=True)
    work = tempfile.mkdtemp(prefix="imh-public-page-")
    proc, (port, http_port) = start_registry(registry_bin, work, "registry", [])
    try:
        load(imh_bin, port, http_port)
        browser(http_port, screenshots, work)
        read_only(http_port)
        flood(port, http_port)
        idle_connections(http_port)
        optional_client_certificates(registry_bin, work)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    print("PASS")


if __name__ == "__main__":
    try:
        main(*sys.argv[1:4])
    except Failure as failure:
        print(f"FAIL: {failure}")
        sys.exit(1)

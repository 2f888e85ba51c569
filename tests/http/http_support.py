"""What the HTTP tests share: both services started for real on loopback with
mutual TLS, the registry with the deployed authorization policy and the demo
registry loaded; curl as a client of their HTTP ports."""

import base64
import json
import os
import shutil
import subprocess
import sys
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODULES = os.path.join(TOP, ".tools", "node_modules")
REGISTRY = "imh.registry.v1.RegistryService"
ELIGIBILITY = "imh.eligibility.v1.EligibilityService"


class Failure(Exception):
    pass


def check(condition, what):
    if not condition:
        raise Failure(what)


class Servers:
    def __init__(self, work, registry_bin, eligibility_bin):
        self.work = work
        self.certs = os.path.join(work, "certs")
        subprocess.run([os.path.join(TOP, "tools", "make_dev_certs.sh"), self.certs,
                        "registrar", "eligibility", "reviewer-a", "reviewer-b", "portal"],
                       check=True, stdout=subprocess.DEVNULL)
        self.procs = []
        os.makedirs(os.path.join(work, "backups"))
        c = self.certs
        self.registry_log = os.path.join(work, "registry.log")
        self.start("registry", [
            registry_bin, "--listen=127.0.0.1:0", "--http_listen=127.0.0.1:0",
            f"--db={work}/registry.sqlite", f"--tls_cert={c}/server.pem",
            f"--tls_key={c}/server.key", f"--tls_client_ca={c}/ca.pem",
            f"--authz_policy={TOP}/deploy/authz/registry_policy.json",
            f"--decision_keys={c}/decision_signing.pub",
            f"--backup_dir={work}/backups"])
        self.registry = self.wait("registry")
        self.start("eligibility", [
            eligibility_bin, "--listen=127.0.0.1:0", "--http_listen=127.0.0.1:0",
            f"--registry=127.0.0.1:{self.registry[0]}", f"--tls_cert={c}/server.pem",
            f"--tls_key={c}/server.key", f"--registry_tls_ca={c}/ca.pem",
            f"--registry_tls_cert={c}/eligibility.pem",
            f"--registry_tls_key={c}/eligibility.key",
            f"--signing_key={c}/decision_signing.key",
            f"--decision_log={work}/decisions.jsonl"])
        self.eligibility = self.wait("eligibility")

    def start(self, name, argv):
        argv = argv + [f"--port_file={self.work}/{name}.port",
                       f"--http_port_file={self.work}/{name}.http_port"]
        log = open(os.path.join(self.work, f"{name}.log"), "w")
        self.procs.append(subprocess.Popen(argv, stderr=log, stdout=log))

    def wait(self, name):
        for _ in range(400):
            paths = [f"{self.work}/{name}.port", f"{self.work}/{name}.http_port"]
            if all(os.path.exists(p) and os.path.getsize(p) > 0 for p in paths):
                return [int(open(p).read()) for p in paths]
            time.sleep(0.05)
        raise Failure(f"{name} did not start: " + open(f"{self.work}/{name}.log").read())

    def load_demo_registry(self, imh_bin):
        """The demo registry, loaded as the association loads it (over gRPC,
        with the operator CLI)."""
        c = self.certs
        subprocess.run([imh_bin, f"--registry=127.0.0.1:{self.registry[0]}",
                        f"--tls_ca={c}/ca.pem", f"--tls_cert={c}/registrar.pem",
                        f"--tls_key={c}/registrar.key", "import-csv",
                        f"{TOP}/deploy/examples/demo_registry.csv"],
                       check=True, stdout=subprocess.DEVNULL)

    def stop(self):
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            proc.wait(timeout=30)


class Curl:
    """curl against an HTTP port, as one certificate holder."""

    def __init__(self, servers):
        self.servers = servers

    def call(self, who, service, method, body, headers=()):
        port = (self.servers.registry if service == REGISTRY else self.servers.eligibility)[1]
        c = self.servers.certs
        argv = ["curl", "-sS", "--max-time", "60", "--cacert", f"{c}/ca.pem",
                "-X", "POST", f"https://127.0.0.1:{port}/{service}/{method}",
                "-H", "Content-Type: application/json", "--data-binary", "@-",
                "-D", "-", "-o", "-", "-w", "\n%{http_code}"]
        if who is not None:
            argv[1:1] = ["--cert", f"{c}/{who}.pem", "--key", f"{c}/{who}.key"]
        for header in headers:
            argv += ["-H", header]
        text = body if isinstance(body, str) else json.dumps(body)
        done = subprocess.run(argv, input=text.encode(), capture_output=True)
        if done.returncode != 0:
            return done.returncode, None, {}
        out = done.stdout.decode()
        head, _, rest = out.partition("\r\n\r\n")
        payload, _, code = rest.rpartition("\n")
        response_headers = {}
        for line in head.split("\r\n")[1:]:
            key, _, value = line.partition(":")
            response_headers[key.strip().lower()] = value.strip()
        return int(code), (json.loads(payload) if payload else None), response_headers

    def ok(self, who, service, method, body, headers=()):
        code, answer, response_headers = self.call(who, service, method, body, headers)
        check(code == 200, f"{method} as {who}: HTTP {code}: {answer}")
        check(response_headers.get("content-type") == "application/json",
              f"{method}: content-type {response_headers.get('content-type')}")
        return answer

    def error(self, http_status, connect_code, who, service, method, body):
        code, answer, response_headers = self.call(who, service, method, body)
        check(code == http_status and answer and answer.get("code") == connect_code,
              f"{method} as {who}: want {http_status} {connect_code}, got {code} {answer}")
        check(response_headers.get("content-type") == "application/json",
              f"{method}: error content-type {response_headers.get('content-type')}")
        return answer

    def invalid(self, who, service, method, body, fields):
        answer = self.error(400, "invalid_argument", who, service, method, body)
        details = [d for d in answer.get("details", []) if d["type"] == "google.rpc.BadRequest"]
        check(details, f"{method}: no google.rpc.BadRequest in {answer}")
        # The value is the detail's protobuf bytes (unpadded base64); debug is
        # its JSON form. Both must name the fields.
        raw = base64.b64decode(details[0]["value"] + "=" * (-len(details[0]["value"]) % 4))
        got = {v.get("field") for v in details[0]["debug"]["fieldViolations"]}
        for field in fields:
            check(field in got, f"{method}: violation of {field} not in {sorted(got)}")
            check(field.encode() in raw, f"{method}: {field} not in the detail's bytes")
        return answer

    def denied(self, who, method, body):
        answer = self.error(403, "permission_denied", who, REGISTRY, method, body)
        check("may not call /imh.registry.v1.RegistryService/" + method in answer["message"],
              f"{method}: denial does not name the method: {answer}")


def virginia_today():
    """The services' today: IMH_TODAY when the suite pins it, else the day in
    Virginia."""
    pinned = os.environ.get("IMH_TODAY")
    if pinned:
        year, month, day = (int(part) for part in pinned.split("-"))
        return {"year": year, "month": month, "day": day}
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    now = time.localtime()
    return {"year": now.tm_year, "month": now.tm_mon, "day": now.tm_mday}


def next_cycle_year(year):
    """R-RNW-CYCLE: renewal cycles are every three years from 2024; the first
    one in `year` or after."""
    return year + (-(year - 2024)) % 3


def run_node(script, config, work, timeout=240, extra=None):
    """Runs tests/http/SCRIPT with Node.js in a folder of its own under `work`
    (ES modules resolve packages from their own folder upward, so .tools'
    node_modules is linked in), given CONFIG.json; prints its output and
    fails unless it exits 0 having printed PASS. `extra(folder)` may add
    files first."""
    folder = os.path.join(work, os.path.splitext(script)[0])
    os.makedirs(folder)
    shutil.copy(os.path.join(os.path.dirname(__file__), script), folder)
    # What the scripts share.
    shutil.copy(os.path.join(os.path.dirname(__file__), "browser.mjs"), folder)
    os.symlink(MODULES, os.path.join(folder, "node_modules"))
    with open(os.path.join(folder, "package.json"), "w") as package:
        json.dump({"type": "module", "private": True}, package)
    if extra:
        extra(folder)
    with open(os.path.join(folder, "config.json"), "w") as out:
        json.dump(config, out)
    done = subprocess.run(["node", script, "config.json"], cwd=folder,
                          capture_output=True, text=True, timeout=timeout)
    sys.stdout.write(done.stdout)
    check(done.returncode == 0 and "PASS" in done.stdout,
          f"{script} failed (exit {done.returncode}): {done.stderr[-3000:]}")

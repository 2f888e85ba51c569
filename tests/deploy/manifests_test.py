#!/usr/bin/env python3
"""The deployment files say what the binaries accept.

Parses deploy/docker-compose*.yml and deploy/k8s/*.yaml, reads the flag
examples in deploy/systemd/*.service, and checks: every flag given to
imh-registry, imh-eligibility or imh is one that binary defines (from its
--helpfull); the registry is given --decision_keys and the eligibility service
--signing_key everywhere; every compose secret and every Kubernetes volume
used is declared; the Dockerfile's runtime image installs the package of
every shared library the binaries link.

    manifests_test.py SOURCE_DIR REGISTRY_BIN ELIGIBILITY_BIN IMH_BIN
"""

import pathlib
import re
import subprocess
import sys

import yaml

source, registry_bin, eligibility_bin, imh_bin = sys.argv[1:5]
deploy = pathlib.Path(source) / "deploy"
failures = []


def flags_of(binary):
    text = subprocess.run([binary, "--helpfull"], capture_output=True,
                          text=True).stdout
    return set(re.findall(r"^\s+--(\w+) ", text, re.MULTILINE))


known = {
    "imh-registry": flags_of(registry_bin),
    "imh-eligibility": flags_of(eligibility_bin),
    "imh": flags_of(imh_bin),
}
for name, flags in known.items():
    if "listen" not in flags and name != "imh":
        failures.append(f"could not read the flags of {name}")


def check_command(where, argv):
    """Checks one command line; returns the binary's name and its flags."""
    if not argv or argv[0] not in known:
        return None, set()
    used = set()
    for arg in argv[1:]:
        match = re.match(r"--(\w+)", str(arg))
        if not match:
            continue
        used.add(match.group(1))
        if match.group(1) not in known[argv[0]]:
            failures.append(f"{where}: {argv[0]} has no flag --{match.group(1)}")
    return argv[0], used


def require(where, binary, used):
    wanted = {"imh-registry": "decision_keys",
              "imh-eligibility": "signing_key"}.get(binary)
    if wanted and wanted not in used:
        failures.append(f"{where}: {binary} is not given --{wanted}")


# docker compose (SQLite, and PostgreSQL with registry replicas)
for compose_file in sorted(deploy.glob("docker-compose*.yml")):
    compose = yaml.safe_load(compose_file.read_text())
    declared_secrets = set(compose.get("secrets", {}))
    for name, service in compose["services"].items():
        where = f"{compose_file.name}: {name}"
        binary, used = check_command(where, service.get("command", []))
        require(where, binary, used)
        check_command(where + " healthcheck",
                      service.get("healthcheck", {}).get("test", [])[1:])
        for secret in service.get("secrets", []):
            if secret not in declared_secrets:
                failures.append(f"{where}: secret {secret} is not declared")
        for arg in service.get("command", []):
            for path in re.findall(r"/run/secrets/(\w+)", str(arg)):
                if path not in service.get("secrets", []):
                    failures.append(f"{where}: {path} is not mounted")

# Kubernetes
for manifest in sorted((deploy / "k8s").glob("*.yaml")):
    for doc in yaml.safe_load_all(manifest.read_text()):
        if not doc or doc.get("kind") not in ("Deployment", "StatefulSet"):
            continue
        pod = doc["spec"]["template"]["spec"]
        volumes = {v["name"] for v in pod.get("volumes", [])}
        volumes |= {t["metadata"]["name"]
                    for t in doc["spec"].get("volumeClaimTemplates", [])}
        for container in pod["containers"]:
            where = f"{manifest.name}: {container['name']}"
            binary, used = check_command(where, container.get("args", []))
            require(where, binary, used)
            for mount in container.get("volumeMounts", []):
                if mount["name"] not in volumes:
                    failures.append(f"{where}: volume {mount['name']} is not declared")

# The Dockerfile's runtime image installs the Debian package of every shared
# library the binaries link directly (the rest come as their dependencies).
def libraries_needed(binary):
    """The resolved paths of the libraries `binary` links directly."""
    needed = re.findall(r"NEEDED\s+(\S+)", subprocess.run(
        ["objdump", "-p", binary], capture_output=True, text=True).stdout)
    resolved = dict(re.findall(r"^\s*(\S+) => (\S+)", subprocess.run(
        ["ldd", binary], capture_output=True, text=True).stdout, re.MULTILINE))
    paths = set()
    for library in needed:
        if library not in resolved:
            failures.append(f"{binary}: {library} is not found")
            continue
        paths.add(resolved[library])
        paths.add(str(pathlib.Path(resolved[library]).resolve()))
    return paths


def owners(paths):
    """Package of each path, from one dpkg query (each one reads its whole
    database)."""
    listing = subprocess.run(["dpkg", "-S"] + sorted(paths),
                             capture_output=True, text=True).stdout
    owned = {}
    for line in listing.splitlines():
        package, _, path = line.partition(": ")
        owned[path] = package.split(":")[0]
    return owned


dockerfile = (deploy / "Dockerfile").read_text()
runtime_stage = dockerfile[dockerfile.rindex("FROM "):]
installed = set(re.findall(r"[a-z0-9][a-z0-9.+-]+", runtime_stage))
essential = {"libc6", "libgcc-s1", "libstdc++6"}
linked = {b: libraries_needed(b) for b in (registry_bin, eligibility_bin, imh_bin)}
owned = owners(set().union(*linked.values()))
for binary, paths in linked.items():
    # A sanitizer build's runtimes are not the image's business.
    needed = {owned[p] for p in paths if p in owned
              and not re.match(r"lib(a|ub|t|l)san\d", owned[p])}
    for package in sorted(needed - essential - installed):
        failures.append(f"Dockerfile: the runtime image lacks {package}, "
                        f"needed by {pathlib.Path(binary).name}")

# systemd: the flag examples in each unit's header
for unit in sorted((deploy / "systemd").glob("*.service")):
    binary = unit.stem
    argv = [binary] + re.findall(r"^#\s+(--\w+)", unit.read_text(), re.MULTILINE)
    where = unit.name
    _, used = check_command(where, argv)
    require(where, binary, used)

if failures:
    print("\n".join("FAIL: " + f for f in failures))
    sys.exit(1)
print("deploy manifests: every flag known, keys given, secrets and volumes declared")

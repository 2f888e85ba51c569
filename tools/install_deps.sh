#!/usr/bin/env bash
# Installs, from Debian 12's packages, whatever this project needs and the machine
# lacks. Does nothing (and needs no network) when everything is already present.
# Usage: tools/install_deps.sh [--dev]   (--dev adds what only the tests use: curl,
# Chromium and a Prometheus parser from Debian; buf, the Connect client, Playwright's
# driver and axe-core from npm)
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config clang-format
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto
  libabsl-dev libsqlitecpp-dev libsqlite3-dev libicu-dev sqlite3
  libpqxx-dev libpq-dev postgresql
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev
  libssl-dev openssl libcpp-httplib-dev prometheus-cpp-dev
  python3-grpcio python3-grpc-tools python3-protobuf python3-yaml
)

if [ "${1:-}" = "--dev" ]; then
  packages+=(curl chromium prometheus python3-prometheus-client)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install_deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ "${1:-}" = "--dev" ]; then
  # The versions pinned in tools/node/package-lock.json, installed into .tools/
  # again whenever that lock changes.
  top="$(cd "$(dirname "$0")/.." && pwd)"
  if ! cmp -s "$top/tools/node/package-lock.json" "$top/.tools/package-lock.json" ||
     [ ! -d "$top/.tools/node_modules" ]; then
    if command -v npm >/dev/null 2>&1; then
      echo "install_deps: installing tools/node/package.json into .tools/"
      mkdir -p "$top/.tools"
      cp "$top/tools/node/package.json" "$top/tools/node/package-lock.json" "$top/.tools/"
      # The tests that need these skip themselves without them.
      npm ci --silent --no-audit --no-fund --prefix "$top/.tools" >/dev/null ||
        echo "install_deps: npm ci failed; the proto, Connect and page tests will be skipped" >&2
    else
      echo "install_deps: npm not found; the proto, Connect and page tests will be skipped" >&2
    fi
  fi
fi

#!/usr/bin/env bash
# Installs, from Debian 12's packages, whatever this project needs and the machine
# lacks. Does nothing (and needs no network) when everything is already present.
# Usage: tools/install_deps.sh [--dev]   (--dev adds the proto linter, buf, from npm)
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config clang-format
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto
  libabsl-dev libsqlitecpp-dev libsqlite3-dev libicu-dev sqlite3
  libpqxx-dev libpq-dev postgresql
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev
  libssl-dev openssl
  python3-grpcio python3-grpc-tools python3-protobuf python3-yaml
)

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
  top="$(cd "$(dirname "$0")/.." && pwd)"
  if [ ! -x "$top/.tools/node_modules/.bin/buf" ]; then
    if command -v npm >/dev/null 2>&1; then
      echo "install_deps: installing buf (proto linter) into .tools/"
      # Only the proto lint test needs buf, and it skips itself without it.
      npm install --silent --no-audit --no-fund --prefix "$top/.tools" \
        @bufbuild/buf >/dev/null ||
        echo "install_deps: could not install buf; the proto lint test will be skipped" >&2
    else
      echo "install_deps: npm not found; the proto lint test will be skipped" >&2
    fi
  fi
fi

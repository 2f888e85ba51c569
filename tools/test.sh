#!/usr/bin/env bash
# Quick start, command 2: install what is missing, build, and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install_deps.sh --dev
cmake --preset debug >/dev/null
cmake --build --preset debug
ctest --preset debug --parallel 2

#!/usr/bin/env bash
# Lints proto/ with buf (STANDARD, see buf.yaml). tools/install_deps.sh --dev
# installs buf into .tools/; exit 77 (skipped) when it is not there.
set -euo pipefail
cd "$1"
buf=.tools/node_modules/.bin/buf
if [ ! -x "$buf" ]; then
  echo "buf not installed (run tools/install_deps.sh --dev); skipping"
  exit 77
fi
"$buf" lint
echo "buf lint: clean"

#!/usr/bin/env bash
# The contracts do not break their clients: `buf breaking` (WIRE_JSON: the
# wire format and the JSON mapping, see buf.yaml) against the protos of the
# previous commit. First it shows, on a scratch repository, that a renamed
# field (a JSON break) is caught. tools/install_deps.sh --dev installs buf
# into .tools/; exit 77 (skipped) when it is not there.
set -euo pipefail
cd "$1"
top=$PWD
buf=$top/.tools/node_modules/.bin/buf
if [ ! -x "$buf" ]; then
  echo "buf not installed (run tools/install_deps.sh --dev); skipping"
  exit 77
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# The check bites: a field renamed in a copy of the contracts.
cp -r buf.yaml proto "$scratch/"
(
  cd "$scratch"
  git init -q . && git add -A
  git -c user.name=t -c user.email=t@t commit -qm before
  sed -i 's/string display_name = /string shown_name = /' \
    proto/imh/registry/v1/endorsement.proto
  grep -q "shown_name" proto/imh/registry/v1/endorsement.proto
  git -c user.name=t -c user.email=t@t commit -qam after
  if "$buf" breaking --against '.git#ref=HEAD~1' >"$scratch/out" 2>&1; then
    echo "buf breaking missed a renamed field"
    exit 1
  fi
  grep -q "display_name" "$scratch/out"
)

if ! git rev-parse -q --verify HEAD~1 >/dev/null; then
  echo "no previous commit to compare with"
  exit 77
fi
"$buf" breaking --against '.git#ref=HEAD~1'
echo "buf breaking (WIRE_JSON) against the previous commit: no client broken"

#!/usr/bin/env bash
# The registry binary: serves on a port it picks, writes it to --port_file,
# and on SIGTERM drains and exits 0 within the drain time.
set -euo pipefail
binary="$1"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
"$binary" --listen=127.0.0.1:0 --db="$dir/data/registry.sqlite" \
  --port_file="$dir/port" --drain_seconds=3 2>"$dir/log" &
pid=$!
for _ in $(seq 100); do [ -s "$dir/port" ] && break; sleep 0.1; done
[ -s "$dir/port" ] || { echo "no port file"; cat "$dir/log"; exit 1; }
[ -f "$dir/data/registry.sqlite" ] || { echo "no database file"; exit 1; }
kill -TERM "$pid"
status=0
timeout 10 tail --pid="$pid" -f /dev/null || { echo "did not exit"; exit 1; }
wait "$pid" || status=$?
cat "$dir/log"
[ "$status" -eq 0 ] || { echo "exit status $status"; exit 1; }
grep -q '"event":"stopped"' "$dir/log"
echo "drained and exited 0"

#!/usr/bin/env bash
# Interoperability: a Python client, with stubs generated from proto/ by
# Debian's python3-grpc-tools and run on Debian's python3-grpcio, calls both
# C++ services (health, reflection, the services themselves).
#   python_client_test.sh REGISTRY_BIN ELIGIBILITY_BIN
set -euo pipefail
registry_bin=$1
eligibility_bin=$2
top="$(cd "$(dirname "$0")/../.." && pwd)"
python=/usr/bin/python3
if ! "$python" -c "import grpc, grpc_tools" 2>/dev/null; then
  echo "FAIL: python3-grpcio or python3-grpc-tools is missing; tools/install_deps.sh installs them"
  exit 1
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# grpc.health.v1 and grpc.reflection.v1alpha compile as top-level modules
# (health_pb2, reflection_pb2): a "grpc" package of generated code would
# shadow the grpc runtime. Their proto package, and so the wire, is unchanged.
mkdir -p "$work/stubs" "$work/flat"
cp "$top/proto/grpc/health/v1/health.proto" "$work/flat/health.proto"
cp /usr/share/grpc-proto/grpc/reflection/v1alpha/reflection.proto "$work/flat/reflection.proto"
"$python" -m grpc_tools.protoc -I"$work/flat" --python_out="$work/stubs" \
  --grpc_python_out="$work/stubs" "$work/flat/health.proto" "$work/flat/reflection.proto"
(cd "$top/proto" && "$python" -m grpc_tools.protoc -I. -I/usr/include \
  --python_out="$work/stubs" --grpc_python_out="$work/stubs" \
  google/type/date.proto google/rpc/status.proto google/rpc/error_details.proto \
  imh/eligibility/v1/portfolio.proto imh/eligibility/v1/decision.proto \
  imh/eligibility/v1/renewal.proto imh/eligibility/v1/eligibility_service.proto \
  imh/rulebook/v1/rulebook.proto imh/registry/v1/endorsement.proto \
  imh/registry/v1/registry_service.proto imh/admin/v1/admin_service.proto \
  imh/decision/v1/decision_record.proto)

start() {
  local name=$1; shift
  "$@" --listen=127.0.0.1:0 --port_file="$work/$name.port" 2>"$work/$name.log" &
  pids+=($!)
  for _ in $(seq 1 200); do
    [ -s "$work/$name.port" ] && return 0
    sleep 0.05
  done
  echo "FAIL: $name did not start"; cat "$work/$name.log"; exit 1
}
start registry "$registry_bin" --db="$work/registry.sqlite"
start eligibility "$eligibility_bin" --registry="127.0.0.1:$(cat "$work/registry.port")" \
  --decision_log="$work/decisions.jsonl"

PYTHONPATH="$work/stubs" "$python" "$top/tests/interop/python_client.py" \
  "127.0.0.1:$(cat "$work/registry.port")" "127.0.0.1:$(cat "$work/eligibility.port")" \
  "$top/deploy/examples/portfolios/ifs_applicant.json"

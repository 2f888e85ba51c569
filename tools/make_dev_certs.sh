#!/usr/bin/env bash
# Makes a private CA and certificates for trying TLS and mutual TLS locally
# (and for the tests). Not for production: keys are unencrypted.
#
#   tools/make_dev_certs.sh DIR [CLIENT...]
#
# DIR/ca.pem            the CA (give it to --tls_client_ca and --tls_ca)
# DIR/server.pem, .key  a server certificate for localhost and 127.0.0.1
#                       (and the names in $IMH_CERT_DNS, comma-separated)
# DIR/NAME.pem, .key    a client certificate per CLIENT, whose identity
#                       (URI SAN) is spiffe://imh.local/NAME: the principal
#                       an authorization policy names
# DIR/decision_signing.key, .pub
#                       an Ed25519 key pair that signs decisions: the
#                       eligibility service's --signing_key and the
#                       registry's --decision_keys
set -euo pipefail
dir=${1:?usage: make_dev_certs.sh DIR [CLIENT...]}
shift
mkdir -p "$dir"
cd "$dir"

quiet() { "$@" >/dev/null 2>&1 || { echo "make_dev_certs: $* failed" >&2; "$@"; exit 1; }; }

quiet openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=imh-dev-ca" \
  -keyout ca.key -out ca.pem

sans="DNS:localhost,IP:127.0.0.1"
for name in ${IMH_CERT_DNS:+${IMH_CERT_DNS//,/ }}; do sans="$sans,DNS:$name"; done

issue() {
  local name=$1 san=$2 usage=$3
  quiet openssl req -newkey rsa:2048 -nodes -subj "/CN=$name" \
    -keyout "$name.key" -out "$name.csr"
  printf 'subjectAltName=%s\nextendedKeyUsage=%s\nbasicConstraints=CA:FALSE\n' \
    "$san" "$usage" >"$name.ext"
  quiet openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key \
    -CAcreateserial -days 825 -extfile "$name.ext" -out "$name.pem"
  rm -f "$name.csr" "$name.ext"
}

issue server "$sans" serverAuth
for client in "$@"; do
  issue "$client" "URI:spiffe://imh.local/$client" clientAuth
done
quiet openssl genpkey -algorithm ed25519 -out decision_signing.key
quiet openssl pkey -in decision_signing.key -pubout -out decision_signing.pub
rm -f ca.srl
chmod 600 ./*.key

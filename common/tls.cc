#include "common/tls.h"

#include "absl/strings/str_cat.h"
#include "common/proto_files.h"

namespace imh {
namespace {

absl::StatusOr<std::string> ReadPem(const std::string& path, const char* what) {
  absl::StatusOr<std::string> text = ReadFileToString(path);
  if (!text.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read the ", what, " file ", path));
  }
  if (text->find("-----BEGIN") == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("the ", what, " file ", path, " holds no PEM block"));
  }
  return text;
}

}  // namespace

bool UsesTls(const ServerTlsFiles& files) {
  return !files.cert.empty() || !files.key.empty() || !files.client_ca.empty();
}

bool UsesTls(const ClientTlsFiles& files) {
  return !files.ca.empty() || !files.cert.empty() || !files.key.empty();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsFiles& files) {
  if (!UsesTls(files)) return grpc::InsecureServerCredentials();
  if (files.cert.empty() || files.key.empty()) {
    return absl::InvalidArgumentError(
        "TLS needs both the server certificate and its key");
  }
  absl::StatusOr<std::string> cert = ReadPem(files.cert, "certificate");
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadPem(files.key, "private key");
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  options.pem_key_cert_pairs.push_back({*key, *cert});
  if (!files.client_ca.empty()) {
    absl::StatusOr<std::string> ca = ReadPem(files.client_ca, "client CA");
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *ca;
    options.client_certificate_request =
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
MakeChannelCredentials(const ClientTlsFiles& files) {
  if (!UsesTls(files)) return grpc::InsecureChannelCredentials();
  if (files.cert.empty() != files.key.empty()) {
    return absl::InvalidArgumentError(
        "a client certificate needs its key, and a key its certificate");
  }
  grpc::SslCredentialsOptions options;
  if (!files.ca.empty()) {
    absl::StatusOr<std::string> ca = ReadPem(files.ca, "CA");
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *ca;
  }
  if (!files.cert.empty()) {
    absl::StatusOr<std::string> cert = ReadPem(files.cert, "certificate");
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = ReadPem(files.key, "private key");
    if (!key.ok()) return key.status();
    options.pem_cert_chain = *cert;
    options.pem_private_key = *key;
  }
  return grpc::SslCredentials(options);
}

void ApplyServerName(const ClientTlsFiles& files,
                     grpc::ChannelArguments& args) {
  if (UsesTls(files) && !files.server_name.empty()) {
    args.SetSslTargetNameOverride(files.server_name);
  }
}

std::string DescribeTransport(const ClientTlsFiles& files) {
  if (!UsesTls(files)) return "insecure (plaintext): local use only";
  return files.cert.empty() ? "TLS" : "mutual TLS";
}

std::string DescribeTransport(const ServerTlsFiles& files) {
  if (!UsesTls(files)) return "insecure (plaintext): local use only";
  return files.client_ca.empty() ? "TLS" : "mutual TLS";
}

}  // namespace imh

#ifndef IMH_COMMON_TLS_H_
#define IMH_COMMON_TLS_H_

// Transport security from certificate files, for both servers and for their
// clients. Every field empty means insecure plaintext: the local default.

#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace imh {

struct ServerTlsFiles {
  // PEM certificate chain and private key of the server. Both or neither.
  std::string cert;
  std::string key;
  // PEM bundle of the CAs whose client certificates are accepted. When set,
  // every client must present a certificate signed by one of them (mutual
  // TLS); calls without one are refused during the handshake.
  std::string client_ca;
};

struct ClientTlsFiles {
  // PEM bundle of the CAs that may sign the server's certificate. Setting it
  // (or cert and key) turns TLS on.
  std::string ca;
  // The client's own certificate and key, for mutual TLS. Both or neither.
  std::string cert;
  std::string key;
  // The name to check the server's certificate against when it differs from
  // the target's host (an IP address, say). Empty: the target's host.
  std::string server_name;
};

bool UsesTls(const ServerTlsFiles& files);
bool UsesTls(const ClientTlsFiles& files);

// Insecure credentials when `files` is empty; TLS (mutual when client_ca is
// set) otherwise. InvalidArgument when only one of cert and key is given,
// client_ca is given without them, or a file cannot be read.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsFiles& files);

// Insecure credentials when `files` is empty; TLS (with a client certificate
// when cert and key are set) otherwise. InvalidArgument as above.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
MakeChannelCredentials(const ClientTlsFiles& files);

// Makes the channel check the server's certificate against
// files.server_name, when set.
void ApplyServerName(const ClientTlsFiles& files, grpc::ChannelArguments& args);

// "insecure (plaintext): local use only", "TLS" or "mutual TLS", for the
// start-up log line.
std::string DescribeTransport(const ServerTlsFiles& files);
std::string DescribeTransport(const ClientTlsFiles& files);

}  // namespace imh

#endif  // IMH_COMMON_TLS_H_

#ifndef IMH_SERVICES_ELIGIBILITY_SERVER_H_
#define IMH_SERVICES_ELIGIBILITY_SERVER_H_

// A running eligibility service: the service, its registry client and
// decision log, health, admin and reflection, on one listening address. Used
// by the eligibility binary and by tests alike.

#include <grpcpp/server.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/decision_signing.h"
#include "common/rulebook/rulebook.h"
#include "common/server_frame.h"
#include "services/eligibility/decision_log.h"
#include "services/eligibility/eligibility_service.h"
#include "services/eligibility/registry_client.h"

namespace imh::eligibility {

struct EligibilityServerOptions {
  // "127.0.0.1:0" picks a free port (see EligibilityServer::port()).
  std::string listen_address = "127.0.0.1:50051";
  ServerTlsFiles tls;
  // The HTTP port: the service's unary methods as Connect JSON
  // (http_gateway.h), with the same TLS; empty: none.
  std::string http_listen_address;
  // With client CAs: whether the HTTP port requires a client certificate
  // (HttpGatewayOptions::require_client_certificate).
  bool http_require_client_certificate = true;
  RegistryClientOptions registry;
  // JSON lines, appended; empty: no decision log.
  std::string decision_log_path = "data/decisions.jsonl";
  bool access_log = true;
  // PEM Ed25519 private key that signs every decision; empty: a new key made
  // at start (decisions no registry trusts until given its public key).
  std::string signing_key_path;
  int max_receive_message_bytes = 4 * 1024 * 1024;
};

class EligibilityServer {
 public:
  // Starts serving. `rulebook` must outlive the server. Fails when a
  // certificate, the decision log or the address cannot be used.
  static absl::StatusOr<std::unique_ptr<EligibilityServer>> Start(
      const EligibilityServerOptions& options, const Rulebook* rulebook);
  ~EligibilityServer();

  int port() const { return port_; }
  // The bound HTTP port; 0 without one.
  int http_port() const { return frame_.http_port(); }
  CallMetrics& metrics() { return frame_.metrics(); }
  // The id of the key that signs this server's decisions.
  const std::string& signing_key_id() const { return signer_->key_id(); }

  // Drains: health turns NOT_SERVING, new calls are refused, calls in flight
  // get until `grace` to finish. Returns when stopped. Idempotent.
  void Shutdown(absl::Duration grace);

 private:
  EligibilityServer() = default;
  std::unique_ptr<RegistryClient> registry_;
  std::unique_ptr<DecisionLog> decision_log_;
  std::unique_ptr<DecisionSigner> signer_;
  std::unique_ptr<EligibilityServiceImpl> service_;
  ServerFrame frame_{"eligibility"};
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool stopped_ = false;
};

}  // namespace imh::eligibility

#endif  // IMH_SERVICES_ELIGIBILITY_SERVER_H_

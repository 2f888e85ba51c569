#ifndef IMH_SERVICES_REGISTRY_SERVER_H_
#define IMH_SERVICES_REGISTRY_SERVER_H_

// A running registry: the store, the service, health and reflection, on one
// listening address. Used by the registry binary and by tests alike.

#include <grpcpp/server.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/authz_policy.h"
#include "common/decision_signing.h"
#include "common/rulebook/rulebook.h"
#include "common/server_frame.h"
#include "services/registry/lapse_runner.h"
#include "services/registry/public_page.h"
#include "services/registry/registry_service.h"
#include "services/registry/store.h"

namespace imh::registry {

struct RegistryServerOptions {
  // "127.0.0.1:0" picks a free port (see RegistryServer::port()).
  std::string listen_address = "127.0.0.1:50052";
  StoreOptions store;
  RegistryLimits limits;
  int max_receive_message_bytes = 16 * 1024 * 1024;
  // Certificates; all empty: insecure plaintext.
  ServerTlsFiles tls;
  // The HTTP port: the service's unary methods as Connect JSON
  // (http_gateway.h), with the same TLS; empty: none.
  std::string http_listen_address;
  // With client CAs: whether the HTTP port requires a client certificate
  // (HttpGatewayOptions::require_client_certificate).
  bool http_require_client_certificate = true;
  // A gRPC authorization policy file (JSON) governing every RegistryService
  // method; empty: every caller may call every method.
  std::string authz_policy_path;
  // One JSON line per call on stderr.
  bool access_log = true;
  // PEM Ed25519 public keys of the eligibility services whose signed
  // decisions are accepted (several while a key is rotated); none: no
  // application or renewal is accepted.
  std::vector<std::string> decision_key_paths;
  // Lapse what is due at start and at the start of each day in Virginia.
  bool run_lapses = true;
  // The public Active Registry pages on the HTTP port (public_page.h).
  bool public_pages = true;
  PublicPageOptions public_page;
  // Where BackupRegistry writes (made at start if missing); empty: no
  // backups.
  std::string backup_dir;
};

class RegistryServer {
 public:
  // Opens the store and starts serving. `rulebook` must outlive the server.
  // Fails when the store cannot be opened, a certificate or the policy cannot
  // be read, or the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<RegistryServer>> Start(
      const RegistryServerOptions& options, const imh::Rulebook* rulebook);
  ~RegistryServer();

  int port() const { return port_; }
  // The bound HTTP port; 0 without one.
  int http_port() const { return frame_.http_port(); }
  RegistryStore& store() { return *store_; }
  // The ids of the decision keys it trusts.
  std::vector<std::string> decision_key_ids() const {
    return keyring_.key_ids();
  }
  CallMetrics& metrics() { return frame_.metrics(); }

  // Drains: health turns NOT_SERVING, change streams end, new calls are
  // refused, calls in flight get until `grace` to finish (then cancelled).
  // Returns when the server has stopped. Idempotent.
  void Shutdown(absl::Duration grace);

 private:
  RegistryServer() = default;

  DecisionKeyring keyring_;
  std::unique_ptr<RegistryStore> store_;
  std::unique_ptr<LapseRunner> lapse_runner_;
  std::optional<AuthorizationPolicy> policy_;
  std::unique_ptr<RegistryServiceImpl> service_;
  ServerFrame frame_{"registry"};
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool stopped_ = false;
};

}  // namespace imh::registry

#endif  // IMH_SERVICES_REGISTRY_SERVER_H_

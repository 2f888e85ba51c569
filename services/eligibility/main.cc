// imh-eligibility: decides endorsement categories and renewals, checking
// raters and providers against the registry.
//
//   imh-eligibility --listen=127.0.0.1:50051 --registry=127.0.0.1:50052
//
// Insecure plaintext unless --tls_cert/--tls_key are given; mutual TLS with
// --tls_client_ca. The registry channel has its own --registry_tls_* files.
// SIGTERM or SIGINT drains (health NOT_SERVING, calls in flight finish within
// --drain_seconds) and exits 0.

#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/rulebook/rulebook.h"
#include "common/server_support.h"
#include "common/tls.h"
#include "services/eligibility/server.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "address to serve on; port 0 picks a free one");
ABSL_FLAG(std::string, registry, "127.0.0.1:50052",
          "the registry's gRPC target (host:port, dns:///host:port)");
ABSL_FLAG(int, registry_timeout_ms, 1500,
          "longest wait for the registry per request, retries included; a "
          "shorter caller deadline wins");
ABSL_FLAG(int, registry_attempts, 3,
          "attempts per registry call when it is UNAVAILABLE (2-5)");
ABSL_FLAG(int, registry_batch_limit, 2048,
          "the most questions per VerifyCredentials call (the registry's "
          "--max_verify_questions); larger batches are split");
ABSL_FLAG(std::string, rulebook, "",
          "rulebook textproto; default: $IMH_RULEBOOK or the Virginia "
          "rulebook of the source tree");
ABSL_FLAG(std::string, decision_log, "data/decisions.jsonl",
          "decision log (JSON lines, appended); empty: none");
ABSL_FLAG(std::string, signing_key, "",
          "PEM Ed25519 private key that signs every decision (see "
          "tools/make_dev_certs.sh); empty: a key made at start, whose "
          "decisions no registry trusts");
ABSL_FLAG(std::string, port_file, "",
          "if set, the bound port is written there once serving");
ABSL_FLAG(std::string, http_listen, "",
          "HTTP port: the unary methods as Connect JSON (POST "
          "/package.Service/Method), with the same TLS; empty: none");
ABSL_FLAG(bool, http_require_client_cert, true,
          "with --tls_client_ca: the HTTP port requires a client certificate "
          "(false: one may come without, unauthenticated)");
ABSL_FLAG(std::string, http_port_file, "",
          "if set, the bound HTTP port is written there once serving");
ABSL_FLAG(int, drain_seconds, 10,
          "on SIGTERM, how long calls in flight may take to finish");
ABSL_FLAG(bool, access_log, true, "one JSON line per call on stderr");
ABSL_FLAG(std::string, tls_cert, "", "PEM certificate chain: serve TLS");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA bundle: require client certificates it signed (mutual TLS)");
ABSL_FLAG(std::string, registry_tls_ca, "",
          "PEM CA bundle for the registry's certificate: TLS to the registry");
ABSL_FLAG(std::string, registry_tls_cert, "",
          "PEM client certificate presented to the registry (mutual TLS)");
ABSL_FLAG(std::string, registry_tls_key, "",
          "PEM private key of --registry_tls_cert");
ABSL_FLAG(std::string, registry_tls_server_name, "",
          "name to check the registry's certificate against, when not the "
          "target's host");

int main(int argc, char** argv) {
  imh::DisableMutexDeadlockDetection();
  imh::BlockTerminationSignals();
  absl::SetProgramUsageMessage(
      "Decides Virginia Infant Mental Health Endorsement categories");
  absl::ParseCommandLine(argc, argv);
  if (!imh::CheckPinnedTodayAtStart("eligibility")) return 2;

  absl::StatusOr<imh::Rulebook> rulebook =
      imh::LoadRulebookOrDefault(absl::GetFlag(FLAGS_rulebook));
  if (!rulebook.ok()) {
    std::fprintf(stderr, "imh-eligibility: %s\n",
                 std::string(rulebook.status().message()).c_str());
    return 2;
  }

  imh::eligibility::EligibilityServerOptions options;
  options.listen_address = absl::GetFlag(FLAGS_listen);
  options.http_listen_address = absl::GetFlag(FLAGS_http_listen);
  options.http_require_client_certificate =
      absl::GetFlag(FLAGS_http_require_client_cert);
  options.tls = {absl::GetFlag(FLAGS_tls_cert), absl::GetFlag(FLAGS_tls_key),
                 absl::GetFlag(FLAGS_tls_client_ca)};
  options.registry.target = absl::GetFlag(FLAGS_registry);
  options.registry.timeout =
      absl::Milliseconds(absl::GetFlag(FLAGS_registry_timeout_ms));
  options.registry.max_attempts = absl::GetFlag(FLAGS_registry_attempts);
  options.registry.max_questions_per_call =
      absl::GetFlag(FLAGS_registry_batch_limit);
  options.registry.tls = {absl::GetFlag(FLAGS_registry_tls_ca),
                          absl::GetFlag(FLAGS_registry_tls_cert),
                          absl::GetFlag(FLAGS_registry_tls_key),
                          absl::GetFlag(FLAGS_registry_tls_server_name)};
  options.decision_log_path = absl::GetFlag(FLAGS_decision_log);
  options.access_log = absl::GetFlag(FLAGS_access_log);
  options.signing_key_path = absl::GetFlag(FLAGS_signing_key);

  absl::StatusOr<std::unique_ptr<imh::eligibility::EligibilityServer>> server =
      imh::eligibility::EligibilityServer::Start(options, &*rulebook);
  if (!server.ok()) {
    std::fprintf(stderr, "imh-eligibility: %s\n",
                 std::string(server.status().message()).c_str());
    return 1;
  }
  const int port = (*server)->port();
  imh::LogJson(
      "eligibility",
      {{"event", "serving"},
       {"address", options.listen_address},
       {"port", absl::StrCat(port)},
       {"http_port", absl::StrCat((*server)->http_port())},
       {"registry", options.registry.target},
       {"registry_transport", imh::DescribeTransport(options.registry.tls)},
       {"rulebook", rulebook->version()},
       {"decision_log", options.decision_log_path.empty()
                            ? std::string("none")
                            : options.decision_log_path},
       {"signing_key_id", (*server)->signing_key_id()},
       {"signing_key", options.signing_key_path.empty()
                           ? std::string("made at start: no registry trusts it")
                           : options.signing_key_path},
       {"transport", imh::DescribeTransport(options.tls)}});
  if (!absl::GetFlag(FLAGS_port_file).empty()) {
    imh::WritePortFile(absl::GetFlag(FLAGS_port_file), port);
  }
  if (!absl::GetFlag(FLAGS_http_port_file).empty()) {
    imh::WritePortFile(absl::GetFlag(FLAGS_http_port_file),
                       (*server)->http_port());
  }

  const int signal_number = imh::WaitForTerminationSignal();
  imh::LogJson("eligibility", {{"event", "draining"},
                               {"signal", absl::StrCat(signal_number)}});
  (*server)->Shutdown(absl::Seconds(absl::GetFlag(FLAGS_drain_seconds)));
  imh::LogJson("eligibility", {{"event", "stopped"}});
  return 0;
}

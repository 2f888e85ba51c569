// imh-registry: the Active Registry service.
//
//   imh-registry --listen=127.0.0.1:50052 --db=data/registry.sqlite
//
// Insecure plaintext unless --tls_cert/--tls_key are given; mutual TLS with
// --tls_client_ca; --authz_policy names who may call what.
//
// SIGTERM or SIGINT drains (health NOT_SERVING, calls in flight finish within
// --drain_seconds) and exits 0.

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/rulebook/rulebook.h"
#include "common/server_support.h"
#include "common/tls.h"
#include "services/registry/server.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50052",
          "address to serve on; port 0 picks a free one");
ABSL_FLAG(std::string, db, "data/registry.sqlite",
          "the SQLite file (created, with its folder, if missing), or a "
          "PostgreSQL database: postgresql://user@host:port/dbname "
          "(postgresql:// alone: the PG* environment)");
ABSL_FLAG(std::string, rulebook, "",
          "rulebook textproto (categories, renewal cycle); default: "
          "$IMH_RULEBOOK or the Virginia rulebook of the source tree");
ABSL_FLAG(std::string, port_file, "",
          "if set, the bound port is written there once serving");
ABSL_FLAG(std::string, http_listen, "",
          "HTTP port: the unary methods as Connect JSON (POST "
          "/package.Service/Method), with the same TLS; empty: none");
ABSL_FLAG(
    bool, http_require_client_cert, true,
    "with --tls_client_ca: the HTTP port requires a client certificate "
    "(false: one may come without, unauthenticated, to the public pages)");
ABSL_FLAG(bool, public_pages, true,
          "serve the public Active Registry pages (/registry) on the HTTP "
          "port");
ABSL_FLAG(double, public_pages_per_second, 5,
          "public pages a second per client address (after a burst of 20)");
ABSL_FLAG(std::string, http_port_file, "",
          "if set, the bound HTTP port is written there once serving");
ABSL_FLAG(int, drain_seconds, 10,
          "on SIGTERM, how long calls in flight may take to finish");
ABSL_FLAG(std::string, tls_cert, "", "PEM certificate chain: serve TLS");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA bundle: require client certificates it signed (mutual TLS)");
ABSL_FLAG(std::string, authz_policy, "",
          "gRPC authorization policy file (JSON) for RegistryService methods; "
          "empty: no restriction");
ABSL_FLAG(bool, access_log, true, "one JSON line per call on stderr");
ABSL_FLAG(std::vector<std::string>, decision_keys, {},
          "PEM Ed25519 public keys (comma-separated files) of the eligibility "
          "services whose signed decisions grant and renew; several while a "
          "key is rotated; none: no application or renewal is accepted");
ABSL_FLAG(std::string, backup_dir, "",
          "folder BackupRegistry writes backups into (empty: no backups)");
ABSL_FLAG(bool, run_lapses, true,
          "lapse what is due at start and at the start of each day in "
          "Virginia");
ABSL_FLAG(int, readers, 8, "read connections to the SQLite file");
ABSL_FLAG(int, stream_stall_seconds, 60,
          "end a change feed or export whose client takes no message for "
          "this long");
ABSL_FLAG(int, max_verify_questions, 2048,
          "the most questions one VerifyCredentials call may ask (1-2048)");
ABSL_FLAG(int, reader_cache_mb, 4, "page cache of each read connection");
ABSL_FLAG(int, reader_mmap_mb, 0,
          "bytes of the file each read connection maps (0: none); no read "
          "system calls, but mapped pages count towards RSS");

int main(int argc, char** argv) {
  imh::DisableMutexDeadlockDetection();
  imh::BlockTerminationSignals();
  absl::SetProgramUsageMessage("The Active Registry of endorsed professionals");
  absl::ParseCommandLine(argc, argv);
  if (!imh::CheckPinnedTodayAtStart("registry")) return 2;

  absl::StatusOr<imh::Rulebook> rulebook =
      imh::LoadRulebookOrDefault(absl::GetFlag(FLAGS_rulebook));
  if (!rulebook.ok()) {
    std::fprintf(stderr, "imh-registry: %s\n",
                 std::string(rulebook.status().message()).c_str());
    return 2;
  }

  imh::registry::RegistryServerOptions options;
  options.listen_address = absl::GetFlag(FLAGS_listen);
  options.http_listen_address = absl::GetFlag(FLAGS_http_listen);
  options.http_require_client_certificate =
      absl::GetFlag(FLAGS_http_require_client_cert);
  options.public_pages = absl::GetFlag(FLAGS_public_pages);
  options.public_page.pages_per_second =
      std::max(0.1, absl::GetFlag(FLAGS_public_pages_per_second));
  options.store.path = absl::GetFlag(FLAGS_db);
  options.tls = {absl::GetFlag(FLAGS_tls_cert), absl::GetFlag(FLAGS_tls_key),
                 absl::GetFlag(FLAGS_tls_client_ca)};
  options.authz_policy_path = absl::GetFlag(FLAGS_authz_policy);
  options.access_log = absl::GetFlag(FLAGS_access_log);
  options.decision_key_paths = absl::GetFlag(FLAGS_decision_keys);
  options.run_lapses = absl::GetFlag(FLAGS_run_lapses);
  options.backup_dir = absl::GetFlag(FLAGS_backup_dir);
  options.store.max_readers = absl::GetFlag(FLAGS_readers);
  options.limits.max_verify_questions =
      std::clamp(absl::GetFlag(FLAGS_max_verify_questions), 1, 2048);
  options.limits.stream_stall_seconds =
      std::max(1, absl::GetFlag(FLAGS_stream_stall_seconds));
  options.store.reader_cache_kib = absl::GetFlag(FLAGS_reader_cache_mb) * 1024;
  options.store.reader_mmap_bytes = int64_t{absl::GetFlag(FLAGS_reader_mmap_mb)}
                                    << 20;
  const bool postgres = imh::registry::IsPostgresUrl(options.store.path);
  const std::filesystem::path folder =
      std::filesystem::path(options.store.path).parent_path();
  std::error_code ignored;
  if (!postgres && !folder.empty()) {
    std::filesystem::create_directories(folder, ignored);
  }

  absl::StatusOr<std::unique_ptr<imh::registry::RegistryServer>> server =
      imh::registry::RegistryServer::Start(options, &*rulebook);
  if (!server.ok()) {
    std::fprintf(stderr, "imh-registry: %s\n",
                 std::string(server.status().message()).c_str());
    return 1;
  }
  const int port = (*server)->port();
  imh::LogJson(
      "registry",
      {{"event", "serving"},
       {"address", options.listen_address},
       {"port", absl::StrCat(port)},
       {"http_port", absl::StrCat((*server)->http_port())},
       // A URL's password is not logged.
       {"db", postgres ? std::string("postgresql") : options.store.path},
       {"rulebook_version", rulebook->version()},
       {"schema_version", absl::StrCat((*server)->store().schema_version())},
       {"rulebook", rulebook->version()},
       {"transport", imh::DescribeTransport(options.tls)},
       {"decision_keys",
        (*server)->decision_key_ids().empty()
            ? std::string("none: no grant or renewal")
            : absl::StrJoin((*server)->decision_key_ids(), ",")},
       {"authz_policy", options.authz_policy_path.empty()
                            ? std::string("none: every caller may write")
                            : options.authz_policy_path}});
  if (!absl::GetFlag(FLAGS_port_file).empty()) {
    imh::WritePortFile(absl::GetFlag(FLAGS_port_file), port);
  }
  if (!absl::GetFlag(FLAGS_http_port_file).empty()) {
    imh::WritePortFile(absl::GetFlag(FLAGS_http_port_file),
                       (*server)->http_port());
  }

  const int signal_number = imh::WaitForTerminationSignal();
  imh::LogJson("registry", {{"event", "draining"},
                            {"signal", absl::StrCat(signal_number)}});
  (*server)->Shutdown(absl::Seconds(absl::GetFlag(FLAGS_drain_seconds)));
  imh::LogJson("registry", {{"event", "stopped"}});
  return 0;
}

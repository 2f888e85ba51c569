#ifndef IMH_TESTS_REGISTRY_REGISTRY_TEST_SUPPORT_H_
#define IMH_TESTS_REGISTRY_REGISTRY_TEST_SUPPORT_H_

// A real registry server on 127.0.0.1:0 over a real SQLite file in a fresh
// temporary folder, and a client stub to it.

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "common/decision_signing.h"
#include "common/rulebook/rulebook.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "imh/admin/v1/admin_service.pb.h"
#include "imh/registry/v1/registry_service.grpc.pb.h"
#include "services/registry/server.h"
#include "services/registry/sql/sql.h"

namespace imh::registry::testing {

// A folder removed with everything in it when the object goes.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

const imh::Rulebook& VirginiaRulebook();

// A decision signing key of its own and the keyring that trusts it, for
// stores that take signed decisions.
class TestDecisionKeys {
 public:
  TestDecisionKeys();
  const DecisionKeyring& keyring() const { return keyring_; }
  const DecisionKeyring* keyring_ptr() const { return &keyring_; }
  decision::v1::SignedDecision Sign(
      const decision::v1::DecisionRecord& record) const;
  // A portfolio decision issued now: `person_id` ELIGIBLE for `category` as
  // of `today`.
  decision::v1::SignedDecision Eligible(
      const std::string& person_id, const std::string& decision_id,
      absl::CivilDay today, const std::string& category = "IFS") const;

 private:
  std::unique_ptr<DecisionSigner> signer_;
  DecisionKeyring keyring_;
};

class RegistryTest : public ::testing::Test {
 public:
  // A record for ImportEndorsements: person P-<n>, endorsement VA-<cat>-<n>.
  static v1::RegistryRecord Record(int n, const std::string& category = "IFS",
                                   const std::string& granted = "2025-03-01");

 protected:
  void SetUp() override;
  void TearDown() override;

  // Starts (or restarts, on the same file) the server and a new stub.
  void StartServer();
  void StopServer();

  RowCounts Counts();

  // The engine the registry runs on; parameterized suites run both.
  virtual sql::Engine engine() const { return sql::Engine::kSqlite; }
  // Options beyond the defaults (an HTTP port, say), set before each start.
  virtual void CustomizeServer(RegistryServerOptions&) {}
  // The registry's database opened directly (not through the server), to
  // look at what was stored.
  std::unique_ptr<sql::Database> OpenDirect();

  // Writes through the API; each ASSERTs success.
  v1::Person AddPerson(const std::string& person_id,
                       const std::string& name = "Test Person",
                       const std::string& county = "Fairfax",
                       int membership_paid_through = 2026);
  // An endorsement granted on `day` (a historical record, by import).
  v1::Endorsement Grant(const std::string& person_id,
                        const std::string& category, const std::string& day);
  v1::Endorsement ChangeStatus(const std::string& number,
                               v1::EndorsementStatus status,
                               const std::string& day);

  TempDir dir_;
  std::string db_path_;
  std::unique_ptr<RegistryServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::RegistryService::Stub> stub_;
};

google::type::Date DateOf(const std::string& iso);

// The BadRequest field paths of an INVALID_ARGUMENT status; empty if it has
// none.
std::vector<std::string> ViolationPaths(const grpc::Status& status);

// How often the registry was asked VerifyCredentials, by its metrics.
int64_t RegistryVerifications(const admin::v1::GetMetricsResponse& metrics);

MATCHER_P(HasCode, code, "") { return arg.error_code() == code; }

}  // namespace imh::registry::testing

#endif  // IMH_TESTS_REGISTRY_REGISTRY_TEST_SUPPORT_H_

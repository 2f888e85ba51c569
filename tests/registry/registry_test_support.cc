#include "tests/registry/registry_test_support.h"

#include <stdlib.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/dates.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/registry/sql/postgres_engine.h"
#include "tests/registry/postgres_cluster.h"

namespace imh::registry::testing {

TempDir::TempDir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "imh-registry-test-XXXXXX")
          .string();
  const char* made = mkdtemp(pattern.data());
  if (made == nullptr) std::abort();
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

const imh::Rulebook& VirginiaRulebook() {
  static const imh::Rulebook* rulebook = [] {
    absl::StatusOr<imh::Rulebook> loaded =
        imh::Rulebook::Load(IMH_TEST_RULEBOOK_PATH);
    if (!loaded.ok()) std::abort();
    return new imh::Rulebook(std::move(*loaded));
  }();
  return *rulebook;
}

void RegistryTest::SetUp() {
  db_path_ = DatabaseFor(engine(), dir_);
  ASSERT_FALSE(db_path_.empty());
  StartServer();
}

TestDecisionKeys::TestDecisionKeys() {
  absl::StatusOr<DecisionSigner> signer = DecisionSigner::Generate();
  EXPECT_TRUE(signer.ok()) << signer.status();
  if (!signer.ok()) return;
  signer_ = std::make_unique<DecisionSigner>(std::move(*signer));
  EXPECT_TRUE(keyring_.AddPem(signer_->PublicKeyPem()).ok());
}

decision::v1::SignedDecision TestDecisionKeys::Sign(
    const decision::v1::DecisionRecord& record) const {
  absl::StatusOr<decision::v1::SignedDecision> signed_decision =
      signer_->Sign(record);
  EXPECT_TRUE(signed_decision.ok()) << signed_decision.status();
  return signed_decision.ok() ? *signed_decision
                              : decision::v1::SignedDecision();
}

decision::v1::SignedDecision TestDecisionKeys::Eligible(
    const std::string& person_id, const std::string& decision_id,
    absl::CivilDay today, const std::string& category) const {
  decision::v1::DecisionRecord record;
  record.set_decision_id(decision_id);
  record.set_kind(decision::v1::DECISION_KIND_PORTFOLIO);
  record.mutable_subject()->set_person_id(person_id);
  decision::v1::CategoryOutcome& outcome = *record.add_categories();
  outcome.set_category(category);
  outcome.set_outcome(decision::v1::DECISION_OUTCOME_ELIGIBLE);
  *record.mutable_as_of() = ToProtoDate(today);
  record.mutable_issued_at()->set_seconds(absl::ToUnixSeconds(absl::Now()));
  return Sign(record);
}

std::unique_ptr<sql::Database> RegistryTest::OpenDirect() {
  if (engine() == sql::Engine::kPostgres) {
    return std::make_unique<sql::Database>(sql::OpenPostgres(db_path_));
  }
  return std::make_unique<sql::Database>(db_path_, sql::OPEN_READWRITE);
}

void RegistryTest::TearDown() { StopServer(); }

void RegistryTest::StartServer() {
  StopServer();
  RegistryServerOptions options;
  options.listen_address = "127.0.0.1:0";
  options.store.path = db_path_;
  CustomizeServer(options);
  absl::StatusOr<std::unique_ptr<RegistryServer>> server =
      RegistryServer::Start(options, &VirginiaRulebook());
  ASSERT_TRUE(server.ok()) << server.status();
  server_ = std::move(*server);
  channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                 grpc::InsecureChannelCredentials());
  stub_ = v1::RegistryService::NewStub(channel_);
}

void RegistryTest::StopServer() {
  stub_.reset();
  channel_.reset();
  if (server_) server_->Shutdown(absl::Seconds(5));
  server_.reset();
}

RowCounts RegistryTest::Counts() {
  absl::StatusOr<RowCounts> counts = server_->store().CountRows();
  EXPECT_TRUE(counts.ok()) << counts.status();
  return counts.value_or(RowCounts{});
}

google::type::Date DateOf(const std::string& iso) {
  return ToProtoDate(ParseDay(iso).value());
}

v1::Person RegistryTest::AddPerson(const std::string& person_id,
                                   const std::string& name,
                                   const std::string& county,
                                   int membership_paid_through) {
  v1::CreatePersonRequest request;
  request.mutable_person()->set_person_id(person_id);
  request.mutable_person()->set_display_name(name);
  request.mutable_person()->set_county(county);
  request.mutable_person()->set_membership_paid_through_year(
      membership_paid_through);
  v1::CreatePersonResponse response;
  grpc::ClientContext context;
  const grpc::Status status = stub_->CreatePerson(&context, request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response.person();
}

v1::Endorsement RegistryTest::Grant(const std::string& person_id,
                                    const std::string& category,
                                    const std::string& day) {
  // A grant needs a reviewed decision; a historical one enters by import.
  static int serial = 0;
  v1::GetPersonRequest get_person;
  get_person.set_person_id(person_id);
  v1::GetPersonResponse person;
  grpc::ClientContext person_context;
  EXPECT_TRUE(stub_->GetPerson(&person_context, get_person, &person).ok());
  v1::ImportEndorsementsRequest request;
  v1::RegistryRecord& record = *request.add_records();
  *record.mutable_person() = person.person();
  const std::string number = absl::StrFormat("VA-%s-T%05d", category, ++serial);
  record.mutable_endorsement()->set_endorsement_number(number);
  record.mutable_endorsement()->set_category(category);
  *record.mutable_endorsement()->mutable_granted_on() = DateOf(day);
  v1::ImportEndorsementsResponse imported;
  grpc::ClientContext context;
  const grpc::Status status =
      stub_->ImportEndorsements(&context, request, &imported);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(imported.imported_count(), 1) << imported.DebugString();
  v1::GetEndorsementRequest get;
  get.set_endorsement_number(number);
  v1::GetEndorsementResponse response;
  grpc::ClientContext get_context;
  EXPECT_TRUE(stub_->GetEndorsement(&get_context, get, &response).ok());
  return response.endorsement();
}

v1::Endorsement RegistryTest::ChangeStatus(const std::string& number,
                                           v1::EndorsementStatus status,
                                           const std::string& day) {
  v1::UpdateEndorsementStatusRequest request;
  request.set_endorsement_number(number);
  request.set_status(status);
  *request.mutable_effective_on() = DateOf(day);
  request.set_reason("test");
  v1::UpdateEndorsementStatusResponse response;
  grpc::ClientContext context;
  const grpc::Status result =
      stub_->UpdateEndorsementStatus(&context, request, &response);
  EXPECT_TRUE(result.ok()) << result.error_message();
  return response.endorsement();
}

v1::RegistryRecord RegistryTest::Record(int n, const std::string& category,
                                        const std::string& granted) {
  v1::RegistryRecord record;
  record.mutable_person()->set_person_id(absl::StrFormat("P-%07d", n));
  record.mutable_person()->set_display_name(absl::StrCat("Person ", n));
  record.mutable_person()->set_county(n % 2 ? "Fairfax" : "Henrico");
  record.mutable_person()->set_membership_paid_through_year(2026);
  record.mutable_endorsement()->set_endorsement_number(
      absl::StrFormat("VA-%s-%07d", category, n));
  record.mutable_endorsement()->set_category(category);
  *record.mutable_endorsement()->mutable_granted_on() = DateOf(granted);
  return record;
}

int64_t RegistryVerifications(const admin::v1::GetMetricsResponse& metrics) {
  for (const auto& method : metrics.methods()) {
    if (method.method() ==
        "/imh.registry.v1.RegistryService/VerifyCredentials") {
      return method.calls();
    }
  }
  return 0;
}

std::vector<std::string> ViolationPaths(const grpc::Status& status) {
  std::vector<std::string> paths;
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return paths;
  for (const auto& any : details.details()) {
    google::rpc::BadRequest bad_request;
    if (!any.UnpackTo(&bad_request)) continue;
    for (const auto& violation : bad_request.field_violations()) {
      paths.push_back(violation.field());
    }
  }
  return paths;
}

}  // namespace imh::registry::testing

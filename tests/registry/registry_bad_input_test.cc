// Every kind of bad input to the registry: INVALID_ARGUMENT with a
// google.rpc.BadRequest naming the field paths, and nothing written.

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/registry/registry_test_support.h"

namespace imh::registry::testing {
namespace {

using ::testing::Contains;
using ::testing::IsSupersetOf;

struct BadCase {
  std::string name;
  std::function<grpc::Status(v1::RegistryService::Stub&)> call;
  std::vector<std::string> paths;
};

template <typename Request, typename Response>
std::function<grpc::Status(v1::RegistryService::Stub&)> Call(
    grpc::Status (v1::RegistryService::Stub::*method)(grpc::ClientContext*,
                                                      const Request&,
                                                      Response*),
    std::function<void(Request&)> fill) {
  return [method, fill](v1::RegistryService::Stub& stub) {
    Request request;
    fill(request);
    Response response;
    grpc::ClientContext context;
    return (stub.*method)(&context, request, &response);
  };
}

using Stub = v1::RegistryService::Stub;

v1::Person GoodPerson() {
  v1::Person person;
  person.set_person_id("P-new");
  person.set_display_name("New Person");
  person.set_county("Fairfax");
  return person;
}

std::vector<BadCase> BadCases() {
  std::vector<BadCase> cases;
  auto add = [&](std::string name, auto call, std::vector<std::string> paths) {
    cases.push_back({std::move(name), std::move(call), std::move(paths)});
  };
  using CP = v1::CreatePersonRequest;
  add("CreatePerson empty",
      Call<CP, v1::CreatePersonResponse>(&Stub::CreatePerson, [](CP&) {}),
      {"person"});
  add("CreatePerson blank fields",
      Call<CP, v1::CreatePersonResponse>(
          &Stub::CreatePerson,
          [](CP& r) {
            r.mutable_person()->set_person_id("P 1; DROP");
            r.mutable_person()->set_display_name("   ");
            r.mutable_person()->set_membership_paid_through_year(-4);
            r.set_request_id(std::string(65, 'x'));
          }),
      {"person.person_id", "person.display_name", "person.county",
       "person.membership_paid_through_year", "request_id"});
  add("CreatePerson control characters in the name",
      Call<CP, v1::CreatePersonResponse>(&Stub::CreatePerson,
                                         [](CP& r) {
                                           *r.mutable_person() = GoodPerson();
                                           r.mutable_person()->set_display_name(
                                               "Bell\aName");
                                         }),
      {"person.display_name"});
  add("CreatePerson oversized name",
      Call<CP, v1::CreatePersonResponse>(&Stub::CreatePerson,
                                         [](CP& r) {
                                           *r.mutable_person() = GoodPerson();
                                           r.mutable_person()->set_display_name(
                                               std::string(201, 'a'));
                                         }),
      {"person.display_name"});
  using GP = v1::GetPersonRequest;
  add("GetPerson empty",
      Call<GP, v1::GetPersonResponse>(&Stub::GetPerson, [](GP&) {}),
      {"person_id"});
  using CE = v1::CreateEndorsementRequest;
  add("CreateEndorsement empty",
      Call<CE, v1::CreateEndorsementResponse>(&Stub::CreateEndorsement,
                                              [](CE&) {}),
      {"person_id", "category", "granted_on"});
  add("CreateEndorsement bad values",
      Call<CE, v1::CreateEndorsementResponse>(
          &Stub::CreateEndorsement,
          [](CE& r) {
            r.set_person_id("P-1");
            r.set_category("IFX");
            r.mutable_granted_on()->set_year(2025);
            r.mutable_granted_on()->set_month(2);
            r.mutable_granted_on()->set_day(30);
            r.set_endorsement_number("va-lower'--");
          }),
      {"category", "granted_on", "endorsement_number"});
  add("CreateEndorsement granted in the future",
      Call<CE, v1::CreateEndorsementResponse>(&Stub::CreateEndorsement,
                                              [](CE& r) {
                                                r.set_person_id("P-1");
                                                r.set_category("IFS");
                                                *r.mutable_granted_on() =
                                                    DateOf("2999-01-01");
                                              }),
      {"granted_on"});
  using GE = v1::GetEndorsementRequest;
  add("GetEndorsement empty",
      Call<GE, v1::GetEndorsementResponse>(&Stub::GetEndorsement, [](GE&) {}),
      {"endorsement_number"});
  using LE = v1::ListEndorsementsRequest;
  add("ListEndorsements bad filters",
      Call<LE, v1::ListEndorsementsResponse>(
          &Stub::ListEndorsements,
          [](LE& r) {
            r.set_page_size(-1);
            r.set_category("NOPE");
            r.set_status(static_cast<v1::EndorsementStatus>(42));
          }),
      {"page_size", "category", "status"});
  add("ListEndorsements garbage page token",
      Call<LE, v1::ListEndorsementsResponse>(
          &Stub::ListEndorsements,
          [](LE& r) { r.set_page_token("' OR 1=1 --"); }),
      {"page_token"});
  add("ListEndorsements forged page token",
      Call<LE, v1::ListEndorsementsResponse>(
          &Stub::ListEndorsements,
          [](LE& r) { r.set_page_token("cDE6LTU6MDAwMDAwMDAwMDAwMDAwMA"); }),
      {"page_token"});
  using US = v1::UpdateEndorsementStatusRequest;
  add("UpdateEndorsementStatus empty",
      Call<US, v1::UpdateEndorsementStatusResponse>(
          &Stub::UpdateEndorsementStatus, [](US&) {}),
      {"endorsement_number", "status", "effective_on", "reason"});
  add("UpdateEndorsementStatus unknown enum",
      Call<US, v1::UpdateEndorsementStatusResponse>(
          &Stub::UpdateEndorsementStatus,
          [](US& r) {
            r.set_endorsement_number("VA-IFS-000001");
            r.set_status(static_cast<v1::EndorsementStatus>(99));
            *r.mutable_effective_on() = DateOf("2025-01-01");
            r.set_reason("x");
          }),
      {"status"});
  using RM = v1::RecordMembershipRequest;
  add("RecordMembership bad year",
      Call<RM, v1::RecordMembershipResponse>(&Stub::RecordMembership,
                                             [](RM& r) {
                                               r.set_person_id("P-1");
                                               r.set_year(3000);
                                             }),
      {"year"});
  using RR = v1::RecordRenewalRequest;
  add("RecordRenewal negative hours",
      Call<RR, v1::RecordRenewalResponse>(
          &Stub::RecordRenewal,
          [](RR& r) {
            r.set_endorsement_number("VA-IFS-000001");
            r.set_cycle_year(2027);
            *r.mutable_attested_on() = DateOf("2026-01-01");
            r.set_training_hours(-1);
            r.set_reflective_supervision_hours(1.0 / 0.0);
          }),
      {"training_hours", "reflective_supervision_hours"});
  using PL = v1::ProcessLapsesRequest;
  add("ProcessLapses missing date",
      Call<PL, v1::ProcessLapsesResponse>(&Stub::ProcessLapses, [](PL&) {}),
      {"as_of"});
  using VC = v1::VerifyCredentialsRequest;
  add("VerifyCredentials empty",
      Call<VC, v1::VerifyCredentialsResponse>(&Stub::VerifyCredentials,
                                              [](VC&) {}),
      {"questions"});
  add("VerifyCredentials bad questions",
      Call<VC, v1::VerifyCredentialsResponse>(
          &Stub::VerifyCredentials,
          [](VC& r) {
            r.add_questions()->add_categories("IFS");
            auto* q = r.add_questions();
            q->set_person_id("P-1");
            q->add_categories("IFS");
            q->add_categories("BOGUS");
            q->mutable_as_of()->set_year(2025);
            q->mutable_as_of()->set_month(13);
            q->mutable_as_of()->set_day(1);
            r.add_questions()->set_endorsement_number("VA-IFS-1");
          }),
      {"questions[0].person_id", "questions[1].categories[1]",
       "questions[1].as_of", "questions[2].categories"});
  add("VerifyCredentials too many questions",
      Call<VC, v1::VerifyCredentialsResponse>(
          &Stub::VerifyCredentials,
          [](VC& r) {
            for (int i = 0; i <= RegistryLimits{}.max_verify_questions; ++i) {
              auto* q = r.add_questions();
              q->set_person_id("P-1");
              q->add_categories("IFS");
            }
          }),
      {"questions"});
  using IE = v1::ImportEndorsementsRequest;
  add("ImportEndorsements empty",
      Call<IE, v1::ImportEndorsementsResponse>(&Stub::ImportEndorsements,
                                               [](IE&) {}),
      {"records"});
  add("ImportEndorsements too many records",
      Call<IE, v1::ImportEndorsementsResponse>(
          &Stub::ImportEndorsements,
          [](IE& r) {
            for (int i = 0; i < 10001; ++i) {
              *r.add_records() = RegistryTest::Record(i);
            }
          }),
      {"records"});
  return cases;
}

class RegistryBadInputTest : public RegistryTest {};

TEST_F(RegistryBadInputTest,
       EveryRpc_BadInputIsInvalidArgumentAndWritesNothing) {
  AddPerson("P-1");
  Grant("P-1", "IFS", "2025-01-01");
  const RowCounts before = Counts();
  for (const BadCase& bad : BadCases()) {
    SCOPED_TRACE(bad.name);
    const grpc::Status status = bad.call(*stub_);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << status.error_message();
    EXPECT_THAT(ViolationPaths(status), IsSupersetOf(bad.paths));
    EXPECT_EQ(Counts(), before);
  }
}

TEST_F(RegistryBadInputTest, WatchChanges_NegativeSequenceIsInvalid) {
  v1::WatchChangesRequest request;
  request.set_after_sequence(-1);
  grpc::ClientContext context;
  auto reader = stub_->WatchChanges(&context, request);
  v1::WatchChangesResponse event;
  EXPECT_FALSE(reader->Read(&event));
  const grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolationPaths(status), Contains("after_sequence"));
}

TEST_F(RegistryBadInputTest, Import_BadHistoryRejectsTheRecordOnly) {
  const RowCounts before = Counts();
  v1::ImportEndorsementsRequest request;
  v1::RegistryRecord record = RegistryTest::Record(1);
  auto* first = record.mutable_endorsement()->add_history();
  first->set_status(v1::ENDORSEMENT_STATUS_REVOKED);
  *first->mutable_effective_on() = DateOf("2025-03-01");
  auto* second = record.mutable_endorsement()->add_history();
  second->set_status(v1::ENDORSEMENT_STATUS_ACTIVE);
  *second->mutable_effective_on() = DateOf("2025-02-01");
  *request.add_records() = record;
  *request.add_records() = RegistryTest::Record(2);
  v1::ImportEndorsementsResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->ImportEndorsements(&context, request, &response).ok());
  EXPECT_EQ(response.imported_count(), 1);
  ASSERT_EQ(response.rejections_size(), 1);
  std::vector<std::string> paths;
  for (const auto& v : response.rejections(0).violations()) {
    paths.push_back(v.field());
  }
  EXPECT_THAT(paths,
              IsSupersetOf({"records[0].endorsement.history[0].status",
                            "records[0].endorsement.history[1].effective_on",
                            "records[0].endorsement.history[1].status"}));
  EXPECT_EQ(Counts().endorsements, before.endorsements + 1);
}

TEST_F(RegistryBadInputTest, Oversized_MessageBeyondServerLimitIsRefused) {
  const RowCounts before = Counts();
  v1::CreatePersonRequest request;
  *request.mutable_person() = GoodPerson();
  request.mutable_person()->set_display_name(std::string(17 << 20, 'a'));
  v1::CreatePersonResponse response;
  grpc::ClientContext context;
  const grpc::Status status = stub_->CreatePerson(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(Counts(), before);
}

}  // namespace
}  // namespace imh::registry::testing

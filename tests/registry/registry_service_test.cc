// The registry service end to end: a real server on 127.0.0.1:0 over a
// SQLite file or a PostgreSQL database, called through its gRPC stub.

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/registry/postgres_cluster.h"
#include "tests/registry/registry_test_support.h"

namespace imh::registry::testing {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class RegistryServiceTest : public RegistryTest,
                            public ::testing::WithParamInterface<sql::Engine> {
 protected:
  sql::Engine engine() const override { return GetParam(); }

 protected:
  void Import(int first, int count, const std::string& category = "IFS") {
    v1::ImportEndorsementsRequest request;
    for (int n = first; n < first + count; ++n) {
      *request.add_records() = Record(n, category);
    }
    v1::ImportEndorsementsResponse response;
    grpc::ClientContext context;
    const grpc::Status status =
        stub_->ImportEndorsements(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_EQ(response.imported_count(), count);
  }

  v1::CredentialAnswer Verify(const std::string& person_id,
                              std::vector<std::string> categories,
                              const std::string& as_of) {
    v1::VerifyCredentialsRequest request;
    v1::CredentialQuestion* question = request.add_questions();
    question->set_person_id(person_id);
    for (const auto& c : categories) question->add_categories(c);
    if (!as_of.empty()) *question->mutable_as_of() = DateOf(as_of);
    v1::VerifyCredentialsResponse response;
    grpc::ClientContext context;
    const grpc::Status status =
        stub_->VerifyCredentials(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.answers_size() == 1 ? response.answers(0)
                                        : v1::CredentialAnswer();
  }

  std::vector<std::string> ListAll(v1::ListEndorsementsRequest request,
                                   int* pages) {
    std::vector<std::string> numbers;
    *pages = 0;
    do {
      v1::ListEndorsementsResponse response;
      grpc::ClientContext context;
      const grpc::Status status =
          stub_->ListEndorsements(&context, request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      ++*pages;
      EXPECT_LE(response.endorsements_size(), request.page_size());
      for (const auto& e : response.endorsements()) {
        numbers.push_back(e.endorsement_number());
      }
      request.set_page_token(response.next_page_token());
    } while (!request.page_token().empty());
    return numbers;
  }
};

// RULES.md s.6: a verification answers each question as it would alone,
// however many a call asks and however they name their subjects (on
// PostgreSQL they are read in one statement, on SQLite one each): by person
// and by number, the same subject twice, a past day that needs the history,
// subjects the registry does not have, and categories not held.
TEST_P(RegistryServiceTest, Verify_ManyQuestionsInOneCallEachAnsweredAsAlone) {
  Import(1, 3);  // IFS from 2025-03-01 for P-0000001..3.
  ChangeStatus("VA-IFS-0000003", v1::ENDORSEMENT_STATUS_LAPSED, "2026-01-01");
  v1::VerifyCredentialsRequest request;
  auto ask = [&](bool by_person, const std::string& subject,
                 std::vector<std::string> categories,
                 const std::string& as_of) {
    v1::CredentialQuestion* question = request.add_questions();
    if (by_person) {
      question->set_person_id(subject);
    } else {
      question->set_endorsement_number(subject);
    }
    for (const std::string& c : categories) question->add_categories(c);
    if (!as_of.empty()) *question->mutable_as_of() = DateOf(as_of);
  };
  ask(true, "P-0000001", {"IFS"}, "2026-06-01");
  ask(false, "VA-IFS-0000001", {"IFS"}, "2026-06-01");
  ask(true, "P-0000003", {"IFS"}, "2026-06-01");
  ask(true, "P-0000003", {"IFS"}, "2025-06-01");
  ask(true, "P-0000009", {"IFS"}, "");
  ask(false, "VA-IFS-0000999", {"IFS"}, "");
  ask(true, "P-0000002", {"IFRS", "IMHS"}, "");
  ask(true, "P-0000001", {"IFS"}, "2026-06-01");
  v1::VerifyCredentialsResponse together;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->VerifyCredentials(&context, request, &together).ok());
  }
  ASSERT_EQ(together.answers_size(), request.questions_size());
  using v1::CREDENTIAL_STATUS_HELD;
  using v1::CREDENTIAL_STATUS_NOT_HELD;
  const std::vector<v1::CredentialStatus> expected = {
      CREDENTIAL_STATUS_HELD,     CREDENTIAL_STATUS_HELD,
      CREDENTIAL_STATUS_NOT_HELD, CREDENTIAL_STATUS_HELD,
      CREDENTIAL_STATUS_NOT_HELD, CREDENTIAL_STATUS_NOT_HELD,
      CREDENTIAL_STATUS_NOT_HELD, CREDENTIAL_STATUS_HELD};
  for (int i = 0; i < request.questions_size(); ++i) {
    EXPECT_EQ(together.answers(i).status(), expected[i]) << "question " << i;
    v1::VerifyCredentialsRequest one;
    *one.add_questions() = request.questions(i);
    v1::VerifyCredentialsResponse alone;
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->VerifyCredentials(&context, one, &alone).ok());
    ASSERT_EQ(alone.answers_size(), 1);
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
        together.answers(i), alone.answers(0)))
        << "question " << i << ": " << together.answers(i).ShortDebugString()
        << " vs " << alone.answers(0).ShortDebugString();
  }
  EXPECT_EQ(together.answers(1).person_id(), "P-0000001");
  EXPECT_EQ(together.answers(2).detail(), "IFS lapsed since 2026-01-01");
  EXPECT_EQ(together.answers(4).detail(), "not in the registry");
  EXPECT_EQ(together.answers(5).person_id(), "");
  EXPECT_EQ(together.answers(6).detail(), "holds none of these categories");
}

// RULES.md s.6, over a span: a span question (as_of through `through`) is
// answered as the answer on as_of and each later day the answer changes:
// here not yet granted, then held from the grant, then lapsed.
TEST_P(RegistryServiceTest, Verify_SpanQuestionAnswersEachChangeOnItsDay) {
  Import(3, 1);  // IFS granted 2025-03-01 to P-0000003.
  ChangeStatus("VA-IFS-0000003", v1::ENDORSEMENT_STATUS_LAPSED, "2026-01-01");
  v1::VerifyCredentialsRequest request;
  v1::CredentialQuestion* question = request.add_questions();
  question->set_person_id("P-0000003");
  question->add_categories("IFS");
  *question->mutable_as_of() = DateOf("2025-02-01");
  *question->mutable_through() = DateOf("2026-06-01");
  v1::VerifyCredentialsResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->VerifyCredentials(&context, request, &response).ok());
  ASSERT_EQ(response.answers_size(), 1);
  const v1::CredentialAnswer& answer = response.answers(0);
  EXPECT_EQ(answer.status(), v1::CREDENTIAL_STATUS_NOT_HELD);
  EXPECT_EQ(answer.detail(), "IFS not granted until 2025-03-01");
  EXPECT_EQ(answer.person_id(), "P-0000003");
  EXPECT_EQ(FormatDay(ToCivilDayUnchecked(answer.through())), "2026-06-01");
  ASSERT_EQ(answer.changes_size(), 2) << answer.ShortDebugString();
  EXPECT_EQ(FormatDay(ToCivilDayUnchecked(answer.changes(0).from())),
            "2025-03-01");
  EXPECT_EQ(answer.changes(0).answer().status(), v1::CREDENTIAL_STATUS_HELD);
  EXPECT_EQ(answer.changes(0).answer().endorsement_number(), "VA-IFS-0000003");
  EXPECT_EQ(answer.changes(0).answer().status_on_date(),
            v1::ENDORSEMENT_STATUS_ACTIVE);
  EXPECT_EQ(FormatDay(ToCivilDayUnchecked(answer.changes(1).from())),
            "2026-01-01");
  EXPECT_EQ(answer.changes(1).answer().status(),
            v1::CREDENTIAL_STATUS_NOT_HELD);
  EXPECT_EQ(answer.changes(1).answer().detail(), "IFS lapsed since 2026-01-01");

  // A one-day question is answered as before: no changes, no span.
  EXPECT_EQ(Verify("P-0000003", {"IFS"}, "2025-06-01").changes_size(), 0);
  EXPECT_FALSE(Verify("P-0000003", {"IFS"}, "2025-06-01").has_through());
}

TEST_P(RegistryServiceTest, List_Paging1000WithPageSize7VisitsEachOnce) {
  Import(1, 1000);
  v1::ListEndorsementsRequest request;
  request.set_page_size(7);
  int pages = 0;
  const std::vector<std::string> numbers = ListAll(request, &pages);
  EXPECT_EQ(numbers.size(), 1000u);
  EXPECT_EQ(std::set<std::string>(numbers.begin(), numbers.end()).size(),
            1000u);
  EXPECT_EQ(pages, 143);  // ceil(1000 / 7)
}

TEST_P(RegistryServiceTest, List_ActiveRegistryFilterAndRowsAddedWhilePaging) {
  Import(1, 30);
  ChangeStatus("VA-IFS-0000003", v1::ENDORSEMENT_STATUS_LAPSED, "2026-01-01");
  v1::ListEndorsementsRequest request;
  request.set_page_size(4);
  request.set_status(v1::ENDORSEMENT_STATUS_ACTIVE);
  request.set_county("fairfax");  // case-insensitive
  v1::ListEndorsementsResponse first;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->ListEndorsements(&context, request, &first).ok());
  }
  // Rows added mid-way come after the cursor: seen once, none skipped.
  Import(31, 4);
  std::vector<std::string> numbers;
  for (const auto& e : first.endorsements()) {
    numbers.push_back(e.endorsement_number());
  }
  request.set_page_token(first.next_page_token());
  int pages = 0;
  for (const std::string& n : ListAll(request, &pages)) numbers.push_back(n);
  // Odd persons are in Fairfax: 1..33 odd = 17, minus the lapsed #3.
  EXPECT_EQ(numbers.size(), 16u);
  EXPECT_EQ(std::set<std::string>(numbers.begin(), numbers.end()).size(), 16u);
  EXPECT_EQ(std::count(numbers.begin(), numbers.end(), "VA-IFS-0000003"), 0);
}

TEST_P(RegistryServiceTest, List_PageTokenForOtherFiltersIsInvalid) {
  Import(1, 10);
  v1::ListEndorsementsRequest request;
  request.set_page_size(3);
  v1::ListEndorsementsResponse response;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->ListEndorsements(&context, request, &response).ok());
  }
  request.set_page_token(response.next_page_token());
  request.set_category("IFRS");
  grpc::ClientContext context;
  const grpc::Status status =
      stub_->ListEndorsements(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolationPaths(status), ElementsAre("page_token"));
}

TEST_P(RegistryServiceTest, Import_SameRequestIdTwiceStoresOneRowSameResponse) {
  v1::ImportEndorsementsRequest request;
  *request.add_records() = Record(1, "FS");  // alias, stored canonical
  request.set_request_id("5b7f6a1e-0d7c-4a8e-9d65-3f1c1f0f2a11");
  v1::ImportEndorsementsResponse first, second;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->ImportEndorsements(&context, request, &first).ok());
  }
  const RowCounts after_first = Counts();
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->ImportEndorsements(&context, request, &second).ok());
  }
  EXPECT_TRUE(MessageDifferencer::Equals(first, second));
  EXPECT_EQ(Counts(), after_first);
  EXPECT_EQ(after_first.endorsements, 1);

  // The same id for another request is refused, and writes nothing.
  *request.add_records() = Record(2, "IFRS");
  grpc::ClientContext context;
  const grpc::Status status =
      stub_->ImportEndorsements(&context, request, &second);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(Counts(), after_first);
}

TEST_P(RegistryServiceTest, UpdateStatus_StaleEtagIsAbortedAndWritesNothing) {
  AddPerson("P-1");
  const v1::Endorsement granted = Grant("P-1", "IFRS", "2024-06-01");
  ChangeStatus(granted.endorsement_number(), v1::ENDORSEMENT_STATUS_SUSPENDED,
               "2025-01-01");
  const RowCounts before = Counts();
  v1::UpdateEndorsementStatusRequest request;
  request.set_endorsement_number(granted.endorsement_number());
  request.set_status(v1::ENDORSEMENT_STATUS_ACTIVE);
  *request.mutable_effective_on() = DateOf("2025-02-01");
  request.set_reason("reinstated");
  request.set_etag(granted.etag());  // read before the suspension
  v1::UpdateEndorsementStatusResponse response;
  grpc::ClientContext context;
  const grpc::Status status =
      stub_->UpdateEndorsementStatus(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(Counts(), before);
}

TEST_P(RegistryServiceTest, UpdateStatus_CurrentEtagSucceedsAndAppendsHistory) {
  AddPerson("P-1");
  const v1::Endorsement granted = Grant("P-1", "IFRS", "2024-06-01");
  v1::UpdateEndorsementStatusRequest request;
  request.set_endorsement_number(granted.endorsement_number());
  request.set_status(v1::ENDORSEMENT_STATUS_RETIRED);
  *request.mutable_effective_on() = DateOf("2025-12-31");
  request.set_reason("retired from practice");
  request.set_etag(granted.etag());
  v1::UpdateEndorsementStatusResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(
      stub_->UpdateEndorsementStatus(&context, request, &response).ok());
  const v1::Endorsement& now = response.endorsement();
  EXPECT_EQ(now.status(), v1::ENDORSEMENT_STATUS_RETIRED);
  ASSERT_EQ(now.history_size(), 2);
  EXPECT_EQ(now.history(0).status(), v1::ENDORSEMENT_STATUS_ACTIVE);
  EXPECT_EQ(now.history(1).reason(), "retired from practice");
  EXPECT_NE(now.etag(), granted.etag());
}

TEST_P(RegistryServiceTest, UpdateStatus_LeavingRevokedIsFailedPrecondition) {
  AddPerson("P-1");
  const v1::Endorsement granted = Grant("P-1", "IMHS", "2024-06-01");
  ChangeStatus(granted.endorsement_number(), v1::ENDORSEMENT_STATUS_REVOKED,
               "2025-03-01");
  const RowCounts before = Counts();
  v1::UpdateEndorsementStatusRequest request;
  request.set_endorsement_number(granted.endorsement_number());
  request.set_status(v1::ENDORSEMENT_STATUS_ACTIVE);
  *request.mutable_effective_on() = DateOf("2025-04-01");
  request.set_reason("appeal");
  v1::UpdateEndorsementStatusResponse response;
  grpc::ClientContext context;
  const grpc::Status status =
      stub_->UpdateEndorsementStatus(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("revoked"));
  EXPECT_EQ(Counts(), before);
}

TEST_P(RegistryServiceTest, UpdateStatus_EffectiveBeforeCurrentStatusRefused) {
  AddPerson("P-1");
  const v1::Endorsement granted = Grant("P-1", "IFS", "2024-06-01");
  v1::UpdateEndorsementStatusRequest request;
  request.set_endorsement_number(granted.endorsement_number());
  request.set_status(v1::ENDORSEMENT_STATUS_LAPSED);
  *request.mutable_effective_on() = DateOf("2024-05-31");
  request.set_reason("backdated");
  v1::UpdateEndorsementStatusResponse response;
  grpc::ClientContext context;
  EXPECT_EQ(
      stub_->UpdateEndorsementStatus(&context, request, &response).error_code(),
      grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_P(RegistryServiceTest, Verify_AsOfGrantAndLapseDays) {
  AddPerson("P-RATER");
  const v1::Endorsement granted = Grant("P-RATER", "IFRS", "2024-06-01");
  ChangeStatus(granted.endorsement_number(), v1::ENDORSEMENT_STATUS_LAPSED,
               "2025-01-01");
  const std::vector<std::string> providers = {"IFRS", "IMHM-C"};

  const v1::CredentialAnswer before =
      Verify("P-RATER", providers, "2024-05-01");
  EXPECT_EQ(before.status(), v1::CREDENTIAL_STATUS_NOT_HELD);
  EXPECT_EQ(before.detail(), "IFRS not granted until 2024-06-01");

  const v1::CredentialAnswer during =
      Verify("P-RATER", providers, "2024-07-01");
  EXPECT_EQ(during.status(), v1::CREDENTIAL_STATUS_HELD);
  EXPECT_EQ(during.endorsement_number(), granted.endorsement_number());
  EXPECT_EQ(during.status_on_date(), v1::ENDORSEMENT_STATUS_ACTIVE);

  const v1::CredentialAnswer last_day =
      Verify("P-RATER", providers, "2024-12-31");
  EXPECT_EQ(last_day.status(), v1::CREDENTIAL_STATUS_HELD);

  const v1::CredentialAnswer after = Verify("P-RATER", providers, "2025-02-01");
  EXPECT_EQ(after.status(), v1::CREDENTIAL_STATUS_NOT_HELD);
  EXPECT_EQ(after.status_on_date(), v1::ENDORSEMENT_STATUS_LAPSED);
  EXPECT_EQ(after.detail(), "IFRS lapsed since 2025-01-01");

  // Today (no as_of): lapsed.
  EXPECT_EQ(Verify("P-RATER", providers, "").status(),
            v1::CREDENTIAL_STATUS_NOT_HELD);
}

TEST_P(RegistryServiceTest, Verify_BatchBySubjectCategorySetsAndAliases) {
  AddPerson("P-1");
  AddPerson("P-2");
  const v1::Endorsement ifs = Grant("P-1", "IFS", "2025-02-01");
  Grant("P-2", "IMHM-C", "2025-03-01");
  v1::VerifyCredentialsRequest request;
  auto ask = [&](const std::string& person, const std::string& number,
                 std::vector<std::string> categories) {
    v1::CredentialQuestion* q = request.add_questions();
    if (!person.empty()) q->set_person_id(person);
    if (!number.empty()) q->set_endorsement_number(number);
    for (const auto& c : categories) q->add_categories(c);
  };
  ask("P-1", "", {"IFS", "IFRS", "IMHS", "IMHM-C"});  // a rater
  ask("P-1", "", {"IFRS", "IMHM-C"});                 // an RS provider
  ask("", ifs.endorsement_number(), {"FS"});          // alias, by number
  ask("P-2", "", {"MHM-C"});
  ask("P-404", "", {"IFS"});
  v1::VerifyCredentialsResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->VerifyCredentials(&context, request, &response).ok());
  ASSERT_EQ(response.answers_size(), 5);
  EXPECT_EQ(response.answers(0).status(), v1::CREDENTIAL_STATUS_HELD);
  EXPECT_EQ(response.answers(1).status(), v1::CREDENTIAL_STATUS_NOT_HELD);
  EXPECT_EQ(response.answers(1).detail(), "holds none of these categories");
  EXPECT_EQ(response.answers(2).status(), v1::CREDENTIAL_STATUS_HELD);
  EXPECT_EQ(response.answers(3).status(), v1::CREDENTIAL_STATUS_HELD);
  EXPECT_EQ(response.answers(4).status(), v1::CREDENTIAL_STATUS_NOT_HELD);
  EXPECT_EQ(response.answers(4).detail(), "not in the registry");
  // Every answer names the person its subject resolved to, whatever it was
  // asked by, held or not; nobody for a subject the registry does not know.
  EXPECT_EQ(response.answers(0).person_id(), "P-1");
  EXPECT_EQ(response.answers(1).person_id(), "P-1");
  EXPECT_EQ(response.answers(2).person_id(), "P-1");
  EXPECT_EQ(response.answers(3).person_id(), "P-2");
  EXPECT_EQ(response.answers(4).person_id(), "");
  EXPECT_EQ(response.rulebook_version(), VirginiaRulebook().version());
}

TEST_P(RegistryServiceTest, Verify_SeesAWriteAcknowledgedJustBefore) {
  AddPerson("P-1");
  const v1::Endorsement granted = Grant("P-1", "IFRS", "2024-06-01");
  EXPECT_EQ(Verify("P-1", {"IFRS"}, "").status(), v1::CREDENTIAL_STATUS_HELD);
  ChangeStatus(granted.endorsement_number(), v1::ENDORSEMENT_STATUS_SUSPENDED,
               "2026-01-05");
  EXPECT_EQ(Verify("P-1", {"IFRS"}, "").status(),
            v1::CREDENTIAL_STATUS_NOT_HELD);
}

std::vector<int64_t> ReadChanges(v1::RegistryService::Stub& stub, int64_t after,
                                 size_t count) {
  grpc::ClientContext context;
  // A feed that stops short fails the test instead of hanging it.
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(20));
  v1::WatchChangesRequest request;
  request.set_after_sequence(after);
  auto reader = stub.WatchChanges(&context, request);
  std::vector<int64_t> sequences;
  v1::WatchChangesResponse event;
  while (sequences.size() < count && reader->Read(&event)) {
    sequences.push_back(event.sequence());
  }
  context.TryCancel();
  reader->Finish();
  return sequences;
}

TEST_P(RegistryServiceTest, ChangeFeed_ResumesWithoutGapsOrRepeats) {
  AddPerson("P-1");
  for (int i = 0; i < 5; ++i) {
    const v1::Endorsement e =
        Grant("P-1", "IFA", absl::StrCat("2025-01-0", i + 1));
    ChangeStatus(e.endorsement_number(), v1::ENDORSEMENT_STATUS_RETIRED,
                 "2026-01-01");
  }
  // Writes keep coming while the subscriber reads, drops and resumes: 11
  // changes so far, 60 more (one per imported record), 68 read.
  std::thread writer([&] {
    for (int n = 100; n < 160; ++n) {
      v1::ImportEndorsementsRequest request;
      *request.add_records() = Record(n);
      v1::ImportEndorsementsResponse response;
      grpc::ClientContext context;
      EXPECT_TRUE(stub_->ImportEndorsements(&context, request, &response).ok());
    }
  });
  std::vector<int64_t> seen = ReadChanges(*stub_, 0, 20);
  ASSERT_EQ(seen.size(), 20u);
  for (int round = 0; round < 4 && seen.size() == 20u + round * 12u; ++round) {
    const std::vector<int64_t> more = ReadChanges(*stub_, seen.back(), 12);
    EXPECT_EQ(more.size(), 12u);
    seen.insert(seen.end(), more.begin(), more.end());
  }
  writer.join();
  ASSERT_EQ(seen.size(), 68u);
  for (size_t i = 0; i < seen.size(); ++i) {
    ASSERT_EQ(seen[i], static_cast<int64_t>(i + 1)) << "at " << i;
  }
}

TEST_P(RegistryServiceTest, ChangeFeed_CarriesKindAndEndorsement) {
  AddPerson("P-1");
  const v1::Endorsement granted = Grant("P-1", "IFS", "2025-01-02");
  grpc::ClientContext context;
  v1::WatchChangesRequest request;
  auto reader = stub_->WatchChanges(&context, request);
  v1::WatchChangesResponse event;
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.kind(), v1::CHANGE_KIND_PERSON_CREATED);
  EXPECT_EQ(event.person_id(), "P-1");
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.kind(), v1::CHANGE_KIND_ENDORSEMENT_IMPORTED);
  EXPECT_EQ(event.endorsement().endorsement_number(),
            granted.endorsement_number());
  context.TryCancel();
  reader->Finish();
}

// Each event carries the endorsement exactly as that change left it (what a
// read right after the change returned), not as it is when the feed is read:
// a consumer catching up later still sees active, suspended, active.
TEST_P(RegistryServiceTest, ChangeFeed_EachEventCarriesTheStateItsChangeLeft) {
  AddPerson("P-1");
  std::vector<v1::Endorsement> after_each;
  after_each.push_back(Grant("P-1", "IFS", "2025-01-02"));
  v1::GetEndorsementRequest get;
  get.set_endorsement_number(after_each[0].endorsement_number());
  v1::GetEndorsementResponse read;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->GetEndorsement(&context, get, &read).ok());
  }
  // The import's event is built, not read back: it must equal a read.
  EXPECT_TRUE(MessageDifferencer::Equals(read.endorsement(), after_each[0]));
  after_each.push_back(ChangeStatus(after_each[0].endorsement_number(),
                                    v1::ENDORSEMENT_STATUS_SUSPENDED,
                                    "2026-02-01"));
  after_each.push_back(ChangeStatus(after_each[0].endorsement_number(),
                                    v1::ENDORSEMENT_STATUS_ACTIVE,
                                    "2026-03-01"));

  grpc::ClientContext context;
  auto reader = stub_->WatchChanges(&context, {});
  v1::WatchChangesResponse event;
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.kind(), v1::CHANGE_KIND_PERSON_CREATED);
  EXPECT_FALSE(event.has_endorsement());
  const v1::EndorsementStatus expected_status[] = {
      v1::ENDORSEMENT_STATUS_ACTIVE, v1::ENDORSEMENT_STATUS_SUSPENDED,
      v1::ENDORSEMENT_STATUS_ACTIVE};
  for (size_t i = 0; i < after_each.size(); ++i) {
    ASSERT_TRUE(reader->Read(&event));
    EXPECT_EQ(event.endorsement().status(), expected_status[i]) << i;
    EXPECT_EQ(event.endorsement().history_size(), static_cast<int>(i) + 1);
    EXPECT_TRUE(MessageDifferencer::Equals(event.endorsement(), after_each[i]))
        << "event " << i << ":\n"
        << event.endorsement().DebugString() << "\nread after the change:\n"
        << after_each[i].DebugString();
  }
  context.TryCancel();
  reader->Finish();
}

TEST_P(RegistryServiceTest, Restart_FindsEveryAcknowledgedWrite) {
  std::vector<std::string> numbers;
  for (int i = 0; i < 20; ++i) {
    const std::string person = absl::StrCat("P-", i);
    AddPerson(person, absl::StrCat("Name ", i));
    numbers.push_back(Grant(person, "IMHS", "2025-06-01").endorsement_number());
  }
  ChangeStatus(numbers[3], v1::ENDORSEMENT_STATUS_SUSPENDED, "2026-02-01");
  Import(500, 50);
  const RowCounts before = Counts();

  StartServer();  // a new server process state on the same file

  EXPECT_EQ(Counts(), before);
  for (const std::string& number : numbers) {
    v1::GetEndorsementRequest request;
    request.set_endorsement_number(number);
    v1::GetEndorsementResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->GetEndorsement(&context, request, &response).ok())
        << number;
  }
  EXPECT_EQ(Verify("P-3", {"IMHS"}, "").status(),
            v1::CREDENTIAL_STATUS_NOT_HELD);
  // Sequence numbers continue after the restart.
  AddPerson("P-after");
  const std::vector<int64_t> last = ReadChanges(*stub_, before.changes, 1);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0], before.changes + 1);
}

TEST_P(RegistryServiceTest,
       Names_WithQuotesAndSqlMetaCharactersStoredVerbatim) {
  const std::vector<std::string> names = {
      "Robert'); DROP TABLE people;--", "O'Brien \"Bobby\" Smith",
      "100% _real_ \\ name", "Zoë Ñúñez – ✓"};
  for (size_t i = 0; i < names.size(); ++i) {
    AddPerson(absl::StrCat("P-", i), names[i], "King & Queen");
  }
  for (size_t i = 0; i < names.size(); ++i) {
    v1::GetPersonRequest request;
    request.set_person_id(absl::StrCat("P-", i));
    v1::GetPersonResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->GetPerson(&context, request, &response).ok());
    EXPECT_EQ(response.person().display_name(), names[i]);
    EXPECT_EQ(response.person().county(), "King & Queen");
  }
  // Name search treats % and _ as themselves.
  for (size_t i = 0; i < names.size(); ++i)
    Grant(absl::StrCat("P-", i), "IFA", "2025-01-01");
  v1::ListEndorsementsRequest request;
  request.set_page_size(10);
  request.set_name("% _");
  int pages = 0;
  const std::vector<std::string> found = ListAll(request, &pages);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(Counts().people, 4);
}

// Search folds case and accents in every script, through the trigram index
// for 3+ characters and by looking in each folded name below that; county
// compares folded too. (Names a Virginia registry really holds.)
TEST_P(RegistryServiceTest, ListByName_FoldsCaseAndAccentsBeyondAscii) {
  AddPerson("P-1", "Zoë Ångström", "Fairfax");
  AddPerson("P-2", "ZOE SMITH", "Henrico");
  AddPerson("P-3", "Jürgen Straße", "Fairfax");
  AddPerson("P-4", "Łucja Nowak", "Arlington");
  AddPerson("P-5", "Ana Núñez", "Fairfax");
  const std::string n1 = Grant("P-1", "IFS", "2025-03-01").endorsement_number();
  const std::string n2 = Grant("P-2", "IFS", "2025-03-01").endorsement_number();
  const std::string n3 = Grant("P-3", "IFS", "2025-03-01").endorsement_number();
  const std::string n4 = Grant("P-4", "IFS", "2025-03-01").endorsement_number();
  const std::string n5 = Grant("P-5", "IFS", "2025-03-01").endorsement_number();
  auto by_name = [&](const std::string& name, const std::string& county = "") {
    v1::ListEndorsementsRequest request;
    request.set_page_size(2);
    request.set_name(name);
    request.set_county(county);
    int pages = 0;
    return ListAll(request, &pages);
  };
  EXPECT_THAT(by_name("zoë"), ElementsAre(n1, n2));
  EXPECT_THAT(by_name("ZOE"), ElementsAre(n1, n2));
  EXPECT_THAT(by_name("ångström"), ElementsAre(n1));
  EXPECT_THAT(by_name("ANGSTROM"), ElementsAre(n1));
  EXPECT_THAT(by_name("strasse"), ElementsAre(n3));
  EXPECT_THAT(by_name("STRAẞE"), ElementsAre(n3));
  EXPECT_THAT(by_name("łucja"), ElementsAre(n4));
  EXPECT_THAT(by_name("nunez"), ElementsAre(n5));
  // Short: no trigram, still folded.
  EXPECT_THAT(by_name("Zö"), ElementsAre(n1, n2));
  EXPECT_THAT(by_name("Ñe"), ElementsAre(n5));  // "ne": only Núñez
  EXPECT_THAT(by_name("zoe", "FAIRFAX"), ElementsAre(n1));
  EXPECT_THAT(by_name("xyz"), ElementsAre());
  EXPECT_THAT(by_name("%"), ElementsAre());
}

TEST_P(RegistryServiceTest, Import_RejectsBadRecordsWithReasonsCommitsTheRest) {
  AddPerson("P-0000002", "Someone Else");
  v1::ImportEndorsementsRequest request;
  *request.add_records() = Record(1);
  *request.add_records() = Record(2);  // person on file under another name
  v1::RegistryRecord bad_category = Record(3);
  bad_category.mutable_endorsement()->set_category("XYZ");
  *request.add_records() = bad_category;
  *request.add_records() = Record(1);  // same number again
  v1::RegistryRecord with_history = Record(5, "IFRS", "2023-03-01");
  auto* h0 = with_history.mutable_endorsement()->add_history();
  h0->set_status(v1::ENDORSEMENT_STATUS_ACTIVE);
  *h0->mutable_effective_on() = DateOf("2023-03-01");
  auto* h1 = with_history.mutable_endorsement()->add_history();
  h1->set_status(v1::ENDORSEMENT_STATUS_LAPSED);
  *h1->mutable_effective_on() = DateOf("2025-01-01");
  *request.add_records() = with_history;
  v1::ImportEndorsementsResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->ImportEndorsements(&context, request, &response).ok());
  EXPECT_EQ(response.imported_count(), 2);
  ASSERT_EQ(response.rejections_size(), 3);
  EXPECT_EQ(response.rejections(0).index(), 1);
  EXPECT_EQ(response.rejections(0).violations(0).field(),
            "records[1].person.display_name");
  EXPECT_EQ(response.rejections(1).index(), 2);
  EXPECT_EQ(response.rejections(1).violations(0).field(),
            "records[2].endorsement.category");
  EXPECT_EQ(response.rejections(2).index(), 3);
  EXPECT_EQ(response.rejections(2).violations(0).field(),
            "records[3].endorsement.endorsement_number");
  EXPECT_EQ(Verify("P-0000005", {"IFRS"}, "2024-06-01").status(),
            v1::CREDENTIAL_STATUS_HELD);
  EXPECT_EQ(Verify("P-0000005", {"IFRS"}, "2025-06-01").status(),
            v1::CREDENTIAL_STATUS_NOT_HELD);
}

// RULES.md s.6 and the grant path: one live (active, lapsed or suspended)
// endorsement per person and category. Import holds to it against the
// registry and within one request; historical (revoked, retired) records of
// the same category are not live and come in.
TEST_P(RegistryServiceTest, Import_OneLiveEndorsementPerPersonAndCategory) {
  Import(1, 1);  // P-0000001 holds IFS VA-IFS-0000001, active.
  v1::ImportEndorsementsRequest request;
  v1::RegistryRecord second_live = Record(1);
  second_live.mutable_endorsement()->set_endorsement_number("VA-IFS-0000901");
  *request.add_records() = second_live;
  v1::RegistryRecord retired = Record(1);
  retired.mutable_endorsement()->set_endorsement_number("VA-IFS-0000902");
  *retired.mutable_endorsement()->mutable_granted_on() = DateOf("2015-03-01");
  auto* r0 = retired.mutable_endorsement()->add_history();
  r0->set_status(v1::ENDORSEMENT_STATUS_ACTIVE);
  *r0->mutable_effective_on() = DateOf("2015-03-01");
  auto* r1 = retired.mutable_endorsement()->add_history();
  r1->set_status(v1::ENDORSEMENT_STATUS_RETIRED);
  *r1->mutable_effective_on() = DateOf("2019-06-30");
  *request.add_records() = retired;
  // Two live records of one person and category in the same request: the
  // first comes in, the second is refused.
  *request.add_records() = Record(7, "IFRS");
  v1::RegistryRecord twin = Record(7, "IFRS");
  twin.mutable_endorsement()->set_endorsement_number("VA-IFRS-0000903");
  *request.add_records() = twin;
  const RowCounts before = Counts();
  v1::ImportEndorsementsResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->ImportEndorsements(&context, request, &response).ok());
  EXPECT_EQ(response.imported_count(), 2);
  ASSERT_EQ(response.rejections_size(), 2);
  EXPECT_EQ(response.rejections(0).index(), 0);
  EXPECT_EQ(response.rejections(0).violations(0).field(),
            "records[0].endorsement.category");
  EXPECT_THAT(response.rejections(0).violations(0).description(),
              HasSubstr("P-0000001 already has IFS endorsement VA-IFS-0000001 "
                        "(active)"));
  EXPECT_EQ(response.rejections(1).index(), 3);
  EXPECT_THAT(response.rejections(1).violations(0).description(),
              HasSubstr("already has IFRS endorsement VA-IFRS-0000007"));
  EXPECT_EQ(Counts().endorsements, before.endorsements + 2);
}

// RULES.md s.6 (lapse dates): membership unrenewed lapses an endorsement on
// January 1 after the last year paid. A later record of the same request
// that raises the holder's paid-through year moves the lapse day of the
// earlier record's endorsement, as a later request would; the feed carries
// both records, in record order.
TEST_P(RegistryServiceTest,
       Import_LaterRecordRaisingMembershipMovesAnEarlierRecordsLapseDay) {
  Import(1, 1);
  const int64_t before = Counts().changes;
  v1::ImportEndorsementsRequest request;
  // Granted 2024-03-01, next cycle 2027, membership paid through 2024: lapses
  // on 2025-01-01 unless the membership is raised.
  v1::RegistryRecord first = Record(11, "IFS", "2024-03-01");
  first.mutable_person()->set_membership_paid_through_year(2024);
  first.mutable_endorsement()->set_next_renewal_cycle_year(2027);
  *request.add_records() = first;
  // The same person, paid through 2026: every endorsement of theirs now
  // lapses on 2027-01-01 at the earliest (membership), before the 2027
  // cycle's 2028-01-01.
  v1::RegistryRecord second = Record(11, "IFRS", "2024-03-01");
  second.mutable_endorsement()->set_next_renewal_cycle_year(2027);
  *request.add_records() = second;
  v1::ImportEndorsementsResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->ImportEndorsements(&context, request, &response).ok());
  EXPECT_EQ(response.imported_count(), 2);
  EXPECT_EQ(response.rejections_size(), 0);
  EXPECT_EQ(Verify("P-0000011", {"IFS"}, "2025-06-01").status(),
            v1::CREDENTIAL_STATUS_HELD);
  EXPECT_EQ(Verify("P-0000011", {"IFS"}, "2026-12-31").status(),
            v1::CREDENTIAL_STATUS_HELD);
  const v1::CredentialAnswer lapsed =
      Verify("P-0000011", {"IFS"}, "2027-01-01");
  EXPECT_EQ(lapsed.status(), v1::CREDENTIAL_STATUS_NOT_HELD);
  EXPECT_EQ(lapsed.status_on_date(), v1::ENDORSEMENT_STATUS_LAPSED);
  EXPECT_EQ(Verify("P-0000011", {"IFRS"}, "2026-06-01").status(),
            v1::CREDENTIAL_STATUS_HELD);

  ASSERT_EQ(Counts().changes, before + 2);
  grpc::ClientContext feed_context;
  feed_context.set_deadline(std::chrono::system_clock::now() +
                            std::chrono::seconds(20));
  v1::WatchChangesRequest feed_request;
  feed_request.set_after_sequence(ReadChanges(*stub_, 0, before).back());
  auto feed = stub_->WatchChanges(&feed_context, feed_request);
  std::vector<std::string> numbers;
  v1::WatchChangesResponse event;
  while (numbers.size() < 2 && feed->Read(&event)) {
    EXPECT_EQ(event.kind(), v1::CHANGE_KIND_ENDORSEMENT_IMPORTED);
    EXPECT_EQ(event.person_id(), "P-0000011");
    numbers.push_back(event.endorsement().endorsement_number());
  }
  feed_context.TryCancel();
  feed->Finish();
  EXPECT_THAT(numbers, ElementsAre("VA-IFS-0000011", "VA-IFRS-0000011"));
}

TEST_P(RegistryServiceTest, Export_StreamsEveryRecordAndReimportsIdentically) {
  Import(1, 1234);
  AddPerson("P-x", "Ann \"Quote\" O'Neil");
  const v1::Endorsement e = Grant("P-x", "IMHM-P", "2024-02-02");
  ChangeStatus(e.endorsement_number(), v1::ENDORSEMENT_STATUS_LAPSED,
               "2025-01-01");
  auto export_all = [&] {
    std::vector<v1::RegistryRecord> records;
    grpc::ClientContext context;
    auto reader = stub_->ExportEndorsements(&context, {});
    v1::ExportEndorsementsResponse batch;
    int64_t as_of = -1;
    while (reader->Read(&batch)) {
      // Every message is of the one point the export began at.
      if (as_of < 0) as_of = batch.as_of_sequence();
      EXPECT_EQ(batch.as_of_sequence(), as_of);
      EXPECT_GT(batch.as_of_sequence(), 0);
      for (auto& r : *batch.mutable_records()) {
        r.mutable_endorsement()->clear_etag();
        records.push_back(r);
      }
    }
    EXPECT_TRUE(reader->Finish().ok());
    return records;
  };
  const std::vector<v1::RegistryRecord> exported = export_all();
  ASSERT_EQ(exported.size(), 1235u);

  StopServer();
  TempDir other;
  db_path_ = DatabaseFor(engine(), other);
  StartServer();
  v1::ImportEndorsementsRequest request;
  for (const auto& r : exported) *request.add_records() = r;
  v1::ImportEndorsementsResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->ImportEndorsements(&context, request, &response).ok());
  EXPECT_EQ(response.imported_count(), 1235);
  const std::vector<v1::RegistryRecord> again = export_all();
  ASSERT_EQ(again.size(), exported.size());
  for (size_t i = 0; i < again.size(); ++i) {
    // The actor of imported entries is kept; only the grant's reason differs
    // for records that came without a history.
    EXPECT_EQ(again[i].endorsement().status(),
              exported[i].endorsement().status());
    EXPECT_EQ(again[i].endorsement().history_size(),
              exported[i].endorsement().history_size());
    EXPECT_TRUE(
        MessageDifferencer::Equals(again[i].person(), exported[i].person()));
  }
  StopServer();
}

TEST_P(RegistryServiceTest, ProcessLapses_MissedCycleAndUnpaidMembership) {
  AddPerson("P-renew", "Missed Renewal", "Fairfax", 2026);
  AddPerson("P-member", "Unpaid Member", "Fairfax", 2025);
  AddPerson("P-ok", "In Good Standing", "Fairfax", 2026);
  const v1::Endorsement missed = Grant("P-renew", "IFS", "2023-05-01");  // 2024
  const v1::Endorsement unpaid = Grant("P-member", "IFS", "2025-05-01");
  Grant("P-ok", "IFS", "2025-05-01");  // due 2027, paid through 2026
  v1::ProcessLapsesRequest request;
  *request.mutable_as_of() = DateOf("2026-03-01");
  v1::ProcessLapsesResponse response;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->ProcessLapses(&context, request, &response).ok());
  }
  ASSERT_EQ(response.lapsed_size(), 2);
  EXPECT_EQ(response.lapsed(0).endorsement_number(),
            missed.endorsement_number());
  EXPECT_EQ(response.lapsed(0).cause(), v1::LAPSE_CAUSE_RENEWAL_MISSED);
  EXPECT_EQ(FormatDay(ToCivilDayUnchecked(response.lapsed(0).effective_on())),
            "2025-01-01");
  EXPECT_EQ(response.lapsed(1).endorsement_number(),
            unpaid.endorsement_number());
  EXPECT_EQ(response.lapsed(1).cause(), v1::LAPSE_CAUSE_MEMBERSHIP_NOT_RENEWED);
  EXPECT_EQ(FormatDay(ToCivilDayUnchecked(response.lapsed(1).effective_on())),
            "2026-01-01");
  EXPECT_EQ(Verify("P-renew", {"IFS"}, "2024-12-31").status(),
            v1::CREDENTIAL_STATUS_HELD);
  EXPECT_EQ(Verify("P-renew", {"IFS"}, "2025-01-01").status(),
            v1::CREDENTIAL_STATUS_NOT_HELD);
  EXPECT_EQ(Verify("P-ok", {"IFS"}, "").status(), v1::CREDENTIAL_STATUS_HELD);
  // Running again lapses nothing more.
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->ProcessLapses(&context, request, &response).ok());
  EXPECT_EQ(response.lapsed_size(), 0);
}

TEST_P(RegistryServiceTest, Membership_ExtendsPaidThroughAndRefusesTwice) {
  AddPerson("P-1", "Member", "Fairfax", 2025);
  v1::RecordMembershipRequest request;
  request.set_person_id("P-1");
  request.set_year(2026);
  v1::RecordMembershipResponse response;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->RecordMembership(&context, request, &response).ok());
  }
  EXPECT_EQ(response.person().membership_paid_through_year(), 2026);
  grpc::ClientContext context;
  EXPECT_EQ(stub_->RecordMembership(&context, request, &response).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
}

TEST_P(RegistryServiceTest, Audit_EveryWriteRecordsActorAndRequestId) {
  const RowCounts before = Counts();
  v1::CreatePersonRequest request;
  request.mutable_person()->set_person_id("P-9");
  request.mutable_person()->set_display_name("Audited");
  request.mutable_person()->set_county("Arlington");
  request.set_request_id("req-1");
  grpc::ClientContext context;
  context.AddMetadata("x-actor", "reviewer@vaimh.org");
  context.AddMetadata("x-request-id", "corr-42");
  v1::CreatePersonResponse response;
  ASSERT_TRUE(stub_->CreatePerson(&context, request, &response).ok());
  EXPECT_EQ(Counts().audit_records, before.audit_records + 1);
  {
    // What was recorded, read straight from the file.
    std::unique_ptr<sql::Database> db = OpenDirect();
    sql::Statement last(*db,
                        "SELECT actor, method, request_id, correlation_id,"
                        " target FROM audit ORDER BY id DESC LIMIT 1");
    ASSERT_TRUE(last.executeStep());
    EXPECT_EQ(last.getColumn(0).getString(), "reviewer@vaimh.org");
    EXPECT_EQ(last.getColumn(1).getString(), "CreatePerson");
    EXPECT_EQ(last.getColumn(2).getString(), "req-1");
    EXPECT_EQ(last.getColumn(3).getString(), "corr-42");
    EXPECT_EQ(last.getColumn(4).getString(), "person:P-9");
  }
  Grant("P-9", "IFA", "2025-01-01");
  EXPECT_EQ(Counts().audit_records, before.audit_records + 2);
}

TEST_P(RegistryServiceTest, Health_ServingUntilShutdownThenStreamsEnd) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::health::v1::HealthCheckRequest check;
  check.set_service("imh.registry.v1.RegistryService");
  grpc::health::v1::HealthCheckResponse answer;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(health->Check(&context, check, &answer).ok());
    EXPECT_EQ(answer.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  }
  // A subscriber in flight is told where to resume when the server drains.
  grpc::ClientContext watch_context;
  auto reader = stub_->WatchChanges(&watch_context, {});
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    server_->Shutdown(absl::Seconds(5));
  });
  v1::WatchChangesResponse event;
  while (reader->Read(&event)) {
  }
  const grpc::Status ended = reader->Finish();
  stopper.join();
  EXPECT_EQ(ended.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(ended.error_message(), HasSubstr("resume after sequence 0"));
}

}  // namespace
}  // namespace imh::registry::testing

namespace imh::registry::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(BothEngines, RegistryServiceTest,
                         ::testing::Values(sql::Engine::kSqlite,
                                           sql::Engine::kPostgres),
                         EngineName);

class LapseOnTimeTest : public RegistryTest,
                        public ::testing::WithParamInterface<sql::Engine> {
 protected:
  sql::Engine engine() const override { return GetParam(); }

  int64_t ScheduledLapseRuns() {
    return OpenDirect()
        ->execAndGet("SELECT COUNT(*) FROM lapse_runs WHERE scheduled = 1")
        .getInt64();
  }

  std::string Held(const std::string& person, const std::string& on) {
    v1::VerifyCredentialsRequest request;
    v1::CredentialQuestion& question = *request.add_questions();
    question.set_person_id(person);
    question.add_categories("IFS");
    *question.mutable_as_of() = DateOf(on);
    v1::VerifyCredentialsResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(stub_->VerifyCredentials(&context, request, &response).ok());
    return absl::StrCat(v1::CredentialStatus_Name(response.answers(0).status()),
                        " ", response.answers(0).detail());
  }
};

// RULES.md s.6 (lapse dates): the 2024 cycle unrenewed lapses on
// 2025-01-01, and a holder with no membership on file is paid through the
// grant year; verification says so before any lapse run, and a run changes
// no answer for any day.
TEST_P(LapseOnTimeTest,
       VerifiesFromTheLapseDayWithoutARunAndARunMovesNoAnswer) {
  v1::ImportEndorsementsRequest request;
  *request.add_records() = Record(1, "IFS", "2023-05-01");  // due 2024
  v1::RegistryRecord unpaid = Record(2, "IFS", "2025-03-01");
  unpaid.mutable_person()->set_membership_paid_through_year(0);
  *request.add_records() = unpaid;
  v1::ImportEndorsementsResponse imported;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->ImportEndorsements(&context, request, &imported).ok());
  }
  const std::string missed = Record(1).person().person_id();
  const std::string no_membership = Record(2).person().person_id();
  const std::vector<std::pair<std::string, std::string>> asked = {
      {missed, "2024-12-31"},        {missed, "2025-01-01"},
      {no_membership, "2025-03-01"}, {no_membership, "2025-12-31"},
      {no_membership, "2026-01-01"}, {missed, "2026-11-30"}};
  std::vector<std::string> before;
  for (const auto& [person, day] : asked) before.push_back(Held(person, day));
  EXPECT_THAT(before[0], ::testing::StartsWith("CREDENTIAL_STATUS_HELD"));
  EXPECT_EQ(before[1],
            "CREDENTIAL_STATUS_NOT_HELD IFS lapsed since 2025-01-01");
  EXPECT_THAT(before[2], ::testing::StartsWith("CREDENTIAL_STATUS_HELD"));
  EXPECT_THAT(before[3], ::testing::StartsWith("CREDENTIAL_STATUS_HELD"));
  EXPECT_EQ(before[4],
            "CREDENTIAL_STATUS_NOT_HELD IFS lapsed since 2026-01-01");

  v1::ProcessLapsesRequest run;
  *run.mutable_as_of() = DateOf("2026-11-30");
  v1::ProcessLapsesResponse lapsed;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->ProcessLapses(&context, run, &lapsed).ok());
  ASSERT_EQ(lapsed.lapsed_size(), 2);
  EXPECT_EQ(lapsed.lapsed(1).cause(), v1::LAPSE_CAUSE_MEMBERSHIP_NOT_RENEWED);
  EXPECT_EQ(FormatDay(ToCivilDayUnchecked(lapsed.lapsed(1).effective_on())),
            "2026-01-01");
  for (size_t i = 0; i < asked.size(); ++i) {
    EXPECT_EQ(Held(asked[i].first, asked[i].second), before[i])
        << asked[i].first << " on " << asked[i].second;
  }
}

// The registry lapses what is due by itself when it starts, once per day
// however often it starts.
TEST_P(LapseOnTimeTest, TheRegistryRecordsDueLapsesAtStartOncePerDay) {
  v1::ImportEndorsementsRequest request;
  *request.add_records() = Record(1, "IFS", "2023-05-01");
  v1::ImportEndorsementsResponse imported;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->ImportEndorsements(&context, request, &imported).ok());
  }
  // Today's run happened at the first start, before the import: the next
  // run is tomorrow's. A manual run records it; restarts add nothing.
  v1::GetEndorsementRequest get;
  get.set_endorsement_number(Record(1).endorsement().endorsement_number());
  v1::GetEndorsementResponse read;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->GetEndorsement(&context, get, &read).ok());
  }
  EXPECT_EQ(read.endorsement().status(), v1::ENDORSEMENT_STATUS_ACTIVE);
  EXPECT_EQ(FormatDay(ToCivilDayUnchecked(read.endorsement().lapses_on())),
            "2025-01-01");
  EXPECT_EQ(ScheduledLapseRuns(), 1);
  StopServer();
  // As if today had not been run yet: the next start runs it.
  OpenDirect()->exec(engine() == sql::Engine::kPostgres
                         ? "DROP TRIGGER lapse_runs_keep ON lapse_runs;"
                           " DELETE FROM lapse_runs"
                         : "DROP TRIGGER lapse_runs_keep;"
                           " DELETE FROM lapse_runs");
  StartServer();
  StopServer();
  StartServer();
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->GetEndorsement(&context, get, &read).ok());
  }
  EXPECT_EQ(read.endorsement().status(), v1::ENDORSEMENT_STATUS_LAPSED);
  EXPECT_EQ(read.endorsement().history_size(), 2);
  EXPECT_EQ(ScheduledLapseRuns(), 1);
}

INSTANTIATE_TEST_SUITE_P(BothEngines, LapseOnTimeTest,
                         ::testing::Values(sql::Engine::kSqlite,
                                           sql::Engine::kPostgres),
                         EngineName);

}  // namespace
}  // namespace imh::registry::testing

namespace imh::registry::testing {
namespace {

// Whom the association reminds: endorsements next due in a cycle (an IFS
// granted 2025 and an IFRS granted 2024 are both first due in 2027, grant
// year exempt; one granted 2023 was due in 2024), and holders whose
// membership is not paid for a year.
TEST_P(RegistryServiceTest, DueLists_RenewalsOfACycleAndMembershipsOfAYear) {
  v1::ImportEndorsementsRequest import;
  *import.add_records() = Record(1, "IFS", "2025-03-01");
  *import.add_records() = Record(2, "IFS", "2023-05-01");
  *import.add_records() = Record(3, "IFRS", "2024-06-01");
  *import.add_records() = Record(4, "IFS", "2025-03-01");
  import.mutable_records(3)->mutable_person()->set_membership_paid_through_year(
      2027);
  v1::ImportEndorsementsResponse imported;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->ImportEndorsements(&context, import, &imported).ok());
  }
  std::vector<std::string> due;
  v1::ListRenewalsDueRequest renewals;
  renewals.set_cycle_year(2027);
  renewals.set_page_size(1);
  do {
    v1::ListRenewalsDueResponse page;
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->ListRenewalsDue(&context, renewals, &page).ok());
    for (const auto& e : page.endorsements()) {
      due.push_back(e.endorsement_number());
    }
    renewals.set_page_token(page.next_page_token());
  } while (!renewals.page_token().empty());
  EXPECT_THAT(due,
              ElementsAre(Record(1).endorsement().endorsement_number(),
                          Record(3, "IFRS").endorsement().endorsement_number(),
                          Record(4).endorsement().endorsement_number()));

  v1::ListMembershipsDueRequest memberships;
  memberships.set_year(2027);
  v1::ListMembershipsDueResponse unpaid;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->ListMembershipsDue(&context, memberships, &unpaid).ok());
  std::vector<std::string> people;
  for (const auto& p : unpaid.people()) people.push_back(p.person_id());
  // Paid through 2026: P-1 and P-3; not P-4 (paid through 2027), nor P-2,
  // whose endorsement lapsed on 2025-01-01 (2024 cycle unrenewed), recorded
  // yet or not.
  EXPECT_THAT(people, ElementsAre(Record(1).person().person_id(),
                                  Record(3).person().person_id()));
}

TEST_P(RegistryServiceTest, GetPerson_ReturnsTheMembershipYearsRecorded) {
  AddPerson("P-1", "Member", "Fairfax", 0);
  for (const int year : {2025, 2026}) {
    v1::RecordMembershipRequest request;
    request.set_person_id("P-1");
    request.set_year(year);
    v1::RecordMembershipResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->RecordMembership(&context, request, &response).ok());
  }
  v1::GetPersonRequest request;
  request.set_person_id("P-1");
  v1::GetPersonResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->GetPerson(&context, request, &response).ok());
  EXPECT_THAT(response.membership_years(), ElementsAre(2025, 2026));
  EXPECT_EQ(response.person().membership_paid_through_year(), 2026);
}

// Two approvals must be two people: a reviewer is who a client certificate
// says, never a declared x-actor.
TEST_P(RegistryServiceTest, ReviewWithoutAClientCertificateIsUnauthenticated) {
  const RowCounts before = Counts();
  v1::ReviewApplicationRequest request;
  request.set_application_id("A-000001");
  request.set_verdict(v1::REVIEW_VERDICT_APPROVE);
  v1::ReviewApplicationResponse response;
  grpc::ClientContext context;
  context.AddMetadata("x-actor", "spiffe://imh.local/reviewer-a");
  EXPECT_EQ(stub_->ReviewApplication(&context, request, &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Counts(), before);
}

}  // namespace
}  // namespace imh::registry::testing

// Every RPC of both services, sent its bad inputs over the wire to the real
// binaries: empty requests, negative numbers, impossible and future dates,
// unknown enum values, too many entries, messages beyond the server's limit,
// forged page tokens and SQL meta-characters. Each must get the expected code
// with a google.rpc.BadRequest naming the field paths, and change nothing:
// the registry file's row counts, the decision log, and the registry calls
// the eligibility service makes all stay as they were.

#include <SQLiteCpp/SQLiteCpp.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "imh/admin/v1/admin_service.grpc.pb.h"
#include "tests/e2e/e2e_fixture.h"

namespace imh::e2e {
namespace {

using registry::testing::RegistryTest;
using registry::testing::ViolationPaths;
using ::testing::IsSupersetOf;

// Past the 16 MiB every server of ours accepts (common/server_frame.h).
constexpr int kBeyondServerLimit = 17 << 20;

struct BadCase {
  std::string name;
  std::function<grpc::Status()> call;
  grpc::StatusCode code;
  std::vector<std::string> paths;
};

grpc::ClientContext* WithDeadline(grpc::ClientContext& context) {
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(20));
  return &context;
}

// Any message made larger than a server accepts, by an unknown field that no
// validation would look at: only the transport's limit stands in the way.
void Oversize(google::protobuf::Message& message) {
  message.GetReflection()->MutableUnknownFields(&message)->AddLengthDelimited(
      4000, std::string(kBeyondServerLimit, 'x'));
}

// The cases, each a request filled in by a function and sent to one method.
class CaseTable {
 public:
  // A unary call; `fill` takes the request (auto& works).
  template <typename Stub, typename Request, typename Response, typename Fill>
  void Add(std::string name, Stub* stub,
           grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                        Response*),
           Fill fill, std::vector<std::string> paths,
           grpc::StatusCode code = grpc::StatusCode::INVALID_ARGUMENT) {
    cases_.push_back({std::move(name),
                      [stub, method, fill] {
                        Request request;
                        fill(request);
                        Response response;
                        grpc::ClientContext context;
                        return (stub->*method)(WithDeadline(context), request,
                                               &response);
                      },
                      code, std::move(paths)});
  }

  // A server-streaming call: its status when it fails before a message.
  template <typename Stub, typename Request, typename Response, typename Fill>
  void Add(std::string name, Stub* stub,
           std::unique_ptr<grpc::ClientReader<Response>> (Stub::*method)(
               grpc::ClientContext*, const Request&),
           Fill fill, std::vector<std::string> paths,
           grpc::StatusCode code = grpc::StatusCode::INVALID_ARGUMENT) {
    cases_.push_back({std::move(name),
                      [stub, method, fill] {
                        Request request;
                        fill(request);
                        grpc::ClientContext context;
                        auto reader =
                            (stub->*method)(WithDeadline(context), request);
                        Response response;
                        if (reader->Read(&response)) {
                          context.TryCancel();
                          reader->Finish().IgnoreError();
                          return grpc::Status::OK;
                        }
                        return reader->Finish();
                      },
                      code, std::move(paths)});
  }

  // The method's request made larger than the server's limit:
  // RESOURCE_EXHAUSTED before any of our code sees it.
  template <typename Stub, typename Method>
  void AddOversized(const std::string& name, Stub* stub, Method method) {
    Add(
        name + " beyond the message limit", stub, method,
        [](auto& request) { Oversize(request); }, {},
        grpc::StatusCode::RESOURCE_EXHAUSTED);
  }

  std::vector<BadCase>& cases() { return cases_; }

 private:
  std::vector<BadCase> cases_;
};

google::type::Date BadDay(int year, int month, int day) {
  google::type::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

constexpr char kSqlInjection[] = "x'; DROP TABLE endorsements; --";

class MalformedInputTest : public EndToEndTest {
 protected:
  // Rows of every table of the registry file, by table.
  std::map<std::string, int64_t> RegistryRows() {
    SQLite::Database db(dir_.path() + "/registry.sqlite",
                        SQLite::OPEN_READONLY);
    std::map<std::string, int64_t> rows;
    SQLite::Statement tables(db,
                             "SELECT name FROM sqlite_master WHERE type = "
                             "'table' AND name NOT LIKE 'sqlite_%'");
    while (tables.executeStep()) {
      const std::string table = tables.getColumn(0).getString();
      rows[table] =
          db.execAndGet("SELECT COUNT(*) FROM \"" + table + "\"").getInt64();
    }
    return rows;
  }

  // How often the registry was asked VerifyCredentials.
  int64_t RegistryVerifications() {
    auto admin = admin::v1::AdminService::NewStub(grpc::CreateChannel(
        registry_->address(), grpc::InsecureChannelCredentials()));
    admin::v1::GetMetricsResponse metrics;
    grpc::ClientContext context;
    EXPECT_TRUE(admin->GetMetrics(&context, {}, &metrics).ok());
    return registry::testing::RegistryVerifications(metrics);
  }

  std::string DecisionLog() {
    return ReadFile(dir_.path() + "/decisions.jsonl");
  }
};

void AddRegistryCases(CaseTable& t, reg::RegistryService::Stub* stub,
                      const std::string& other_filter_token) {
  using S = reg::RegistryService::Stub;
  const auto nothing = [](auto&) {};

  t.Add("CreatePerson empty", stub, &S::CreatePerson, nothing, {"person"});
  t.Add("CreatePerson negative year, SQL id, blank name, long request id", stub,
        &S::CreatePerson,
        [](reg::CreatePersonRequest& r) {
          r.mutable_person()->set_person_id(kSqlInjection);
          r.mutable_person()->set_display_name("   ");
          r.mutable_person()->set_membership_paid_through_year(-4);
          r.set_request_id(std::string(65, 'x'));
        },
        {"person.person_id", "person.display_name", "person.county",
         "person.membership_paid_through_year", "request_id"});
  t.Add(
      "CreatePerson control characters in an oversized name", stub,
      &S::CreatePerson,
      [](reg::CreatePersonRequest& r) {
        r.mutable_person()->set_person_id("P-new");
        r.mutable_person()->set_display_name("Bell\a" + std::string(300, 'a'));
        r.mutable_person()->set_county("Fairfax");
      },
      {"person.display_name"});
  t.AddOversized("CreatePerson", stub, &S::CreatePerson);

  t.Add("GetPerson empty", stub, &S::GetPerson, nothing, {"person_id"});
  t.Add("GetPerson SQL id", stub, &S::GetPerson,
        [](reg::GetPersonRequest& r) { r.set_person_id(kSqlInjection); },
        {"person_id"});
  t.AddOversized("GetPerson", stub, &S::GetPerson);

  t.Add("SubmitApplication empty", stub, &S::SubmitApplication, nothing,
        {"person_id", "category", "signed_decision"});
  t.Add("SubmitApplication unknown category, SQL id, truncated signature", stub,
        &S::SubmitApplication,
        [](reg::SubmitApplicationRequest& r) {
          r.set_person_id(kSqlInjection);
          r.set_category("IFX");
          r.mutable_signed_decision()->set_record("x");
          r.mutable_signed_decision()->set_signature("short");
        },
        {"person_id", "category", "signed_decision.signature",
         "signed_decision.key_id"});
  t.AddOversized("SubmitApplication", stub, &S::SubmitApplication);

  t.Add("GetApplication empty", stub, &S::GetApplication, nothing,
        {"application_id"});
  t.Add("ListApplications negative page size, unknown state, SQL token", stub,
        &S::ListApplications,
        [](reg::ListApplicationsRequest& r) {
          r.set_page_size(-1);
          r.set_state(static_cast<reg::ApplicationState>(17));
          r.set_page_token("' OR 1=1 --");
        },
        {"page_size", "state", "page_token"});
  t.Add("ListRenewalsDue no cycle", stub, &S::ListRenewalsDue, nothing,
        {"cycle_year"});
  t.Add("ListMembershipsDue year 3000", stub, &S::ListMembershipsDue,
        [](reg::ListMembershipsDueRequest& r) { r.set_year(3000); }, {"year"});

  t.Add("GetEndorsement empty", stub, &S::GetEndorsement, nothing,
        {"endorsement_number"});
  t.Add("GetEndorsement SQL number", stub, &S::GetEndorsement,
        [](reg::GetEndorsementRequest& r) {
          r.set_endorsement_number(kSqlInjection);
        },
        {"endorsement_number"});
  t.AddOversized("GetEndorsement", stub, &S::GetEndorsement);

  t.Add("ListEndorsements negative page size, unknown category and status",
        stub, &S::ListEndorsements,
        [](reg::ListEndorsementsRequest& r) {
          r.set_page_size(-1);
          r.set_category("NOPE");
          r.set_status(static_cast<reg::EndorsementStatus>(42));
        },
        {"page_size", "category", "status"});
  t.Add(
      "ListEndorsements SQL page token", stub, &S::ListEndorsements,
      [](reg::ListEndorsementsRequest& r) { r.set_page_token("' OR 1=1 --"); },
      {"page_token"});
  t.Add("ListEndorsements forged page token", stub, &S::ListEndorsements,
        [](reg::ListEndorsementsRequest& r) {
          r.set_page_token("cDE6LTU6MDAwMDAwMDAwMDAwMDAwMA");
        },
        {"page_token"});
  t.Add("ListEndorsements real token replayed with other filters", stub,
        &S::ListEndorsements,
        [other_filter_token](reg::ListEndorsementsRequest& r) {
          r.set_page_size(1);
          r.set_category("IFRS");
          r.set_page_token(other_filter_token);
        },
        {"page_token"});
  t.Add(
      "ListEndorsements SQL in the name filter is only text", stub,
      &S::ListEndorsements,
      [](reg::ListEndorsementsRequest& r) {
        r.set_name("%' OR '1'='1");
        r.set_county(kSqlInjection);
      },
      {}, grpc::StatusCode::OK);
  t.AddOversized("ListEndorsements", stub, &S::ListEndorsements);

  t.Add("UpdateEndorsementStatus empty", stub, &S::UpdateEndorsementStatus,
        nothing, {"endorsement_number", "status", "effective_on", "reason"});
  t.Add("UpdateEndorsementStatus unknown enum, month 13", stub,
        &S::UpdateEndorsementStatus,
        [](reg::UpdateEndorsementStatusRequest& r) {
          r.set_endorsement_number("VA-IFS-1004");
          r.set_status(static_cast<reg::EndorsementStatus>(99));
          *r.mutable_effective_on() = BadDay(2025, 13, 1);
          r.set_reason("x");
        },
        {"status", "effective_on"});
  t.AddOversized("UpdateEndorsementStatus", stub, &S::UpdateEndorsementStatus);

  t.Add("RecordMembership empty", stub, &S::RecordMembership, nothing,
        {"person_id", "year"});
  for (const int year : {-2026, 3000}) {
    t.Add(absl::StrCat("RecordMembership year ", year), stub,
          &S::RecordMembership,
          [year](reg::RecordMembershipRequest& r) {
            r.set_person_id("P-1001");
            r.set_year(year);
          },
          {"year"});
  }
  t.AddOversized("RecordMembership", stub, &S::RecordMembership);

  t.Add("RecordRenewal empty", stub, &S::RecordRenewal, nothing,
        {"endorsement_number", "signed_decision"});
  t.Add("RecordRenewal SQL number, empty record, long key id", stub,
        &S::RecordRenewal,
        [](reg::RecordRenewalRequest& r) {
          r.set_endorsement_number(kSqlInjection);
          r.mutable_signed_decision()->set_signature(std::string(64, 's'));
          r.mutable_signed_decision()->set_key_id(std::string(80, 'k'));
        },
        {"endorsement_number", "signed_decision.record",
         "signed_decision.key_id"});
  t.AddOversized("RecordRenewal", stub, &S::RecordRenewal);

  t.Add("ProcessLapses empty", stub, &S::ProcessLapses, nothing, {"as_of"});
  t.Add("ProcessLapses in the future", stub, &S::ProcessLapses,
        [](reg::ProcessLapsesRequest& r) {
          *r.mutable_as_of() = DateOf("2999-12-31");
        },
        {"as_of"});
  t.Add("ProcessLapses day 0", stub, &S::ProcessLapses,
        [](reg::ProcessLapsesRequest& r) {
          *r.mutable_as_of() = BadDay(2026, 1, 0);
        },
        {"as_of"});
  t.AddOversized("ProcessLapses", stub, &S::ProcessLapses);

  t.Add("VerifyCredentials empty", stub, &S::VerifyCredentials, nothing,
        {"questions"});
  t.Add("VerifyCredentials no subject, SQL category, month 13, no category",
        stub, &S::VerifyCredentials,
        [](reg::VerifyCredentialsRequest& r) {
          r.add_questions()->add_categories("IFS");
          auto* q = r.add_questions();
          q->set_person_id("P-1001");
          q->add_categories("IFS");
          q->add_categories(kSqlInjection);
          *q->mutable_as_of() = BadDay(2025, 13, 1);
          r.add_questions()->set_endorsement_number("VA-IFS-1004");
        },
        {"questions[0].person_id", "questions[1].categories[1]",
         "questions[1].as_of", "questions[2].categories"});
  t.Add("VerifyCredentials spans: no as_of, through before it, day 0", stub,
        &S::VerifyCredentials,
        [](reg::VerifyCredentialsRequest& r) {
          for (int i = 0; i < 3; ++i) {
            auto* q = r.add_questions();
            q->set_person_id("P-1001");
            q->add_categories("IFS");
            if (i > 0) *q->mutable_as_of() = DateOf("2025-06-01");
          }
          *r.mutable_questions(0)->mutable_through() = DateOf("2025-06-01");
          *r.mutable_questions(1)->mutable_through() = DateOf("2025-05-31");
          *r.mutable_questions(2)->mutable_through() = BadDay(2025, 6, 0);
        },
        {"questions[0].as_of", "questions[1].through", "questions[2].through"});
  t.Add("VerifyCredentials too many questions", stub, &S::VerifyCredentials,
        [](reg::VerifyCredentialsRequest& r) {
          for (int i = 0; i <= 2048; ++i) {
            auto* q = r.add_questions();
            q->set_person_id("P-1001");
            q->add_categories("IFS");
          }
        },
        {"questions"});
  t.AddOversized("VerifyCredentials", stub, &S::VerifyCredentials);

  t.Add("WatchChanges negative sequence", stub, &S::WatchChanges,
        [](reg::WatchChangesRequest& r) { r.set_after_sequence(-1); },
        {"after_sequence"});
  t.AddOversized("WatchChanges", stub, &S::WatchChanges);

  t.Add("ImportEndorsements empty", stub, &S::ImportEndorsements, nothing,
        {"records"});
  t.Add("ImportEndorsements too many records", stub, &S::ImportEndorsements,
        [](reg::ImportEndorsementsRequest& r) {
          for (int i = 0; i < 10001; ++i) {
            *r.add_records() = RegistryTest::Record(i);
          }
        },
        {"records"});
  t.AddOversized("ImportEndorsements", stub, &S::ImportEndorsements);

  t.AddOversized("ExportEndorsements", stub, &S::ExportEndorsements);
}

void AddEligibilityCases(CaseTable& t, elig::EligibilityService::Stub* stub) {
  using S = elig::EligibilityService::Stub;
  const auto nothing = [](auto&) {};
  const elig::Portfolio example = IfsPortfolio();

  t.Add("EvaluatePortfolio empty", stub, &S::EvaluatePortfolio, nothing,
        {"portfolio"});
  t.Add("EvaluatePortfolio unknown and SQL categories, month 13", stub,
        &S::EvaluatePortfolio,
        [example](elig::EvaluatePortfolioRequest& r) {
          *r.mutable_portfolio() = example;
          r.add_categories("IFS");
          r.add_categories("NOPE");
          r.add_categories(kSqlInjection);
          *r.mutable_as_of() = BadDay(2026, 13, 1);
        },
        {"categories[1]", "categories[2]", "as_of"});
  t.Add("EvaluatePortfolio a day after today", stub, &S::EvaluatePortfolio,
        [example](elig::EvaluatePortfolioRequest& r) {
          *r.mutable_portfolio() = example;
          *r.mutable_as_of() = DateOf("2099-01-01");
        },
        {"as_of"});
  t.Add("EvaluatePortfolio too many categories", stub, &S::EvaluatePortfolio,
        [example](elig::EvaluatePortfolioRequest& r) {
          *r.mutable_portfolio() = example;
          for (int i = 0; i < 21; ++i) r.add_categories("IFS");
        },
        {"categories"});
  t.Add("EvaluatePortfolio negative hours and an unknown enum", stub,
        &S::EvaluatePortfolio,
        [example](elig::EvaluatePortfolioRequest& r) {
          *r.mutable_portfolio() = example;
          r.mutable_portfolio()->mutable_trainings(1)->set_clock_hours(-4);
          r.mutable_portfolio()->mutable_rsc_sessions(0)->set_format(
              static_cast<elig::RscFormat>(99));
        },
        {"portfolio.trainings[1].clock_hours",
         "portfolio.rsc_sessions[0].format"});
  t.Add("EvaluatePortfolio too many trainings", stub, &S::EvaluatePortfolio,
        [example](elig::EvaluatePortfolioRequest& r) {
          *r.mutable_portfolio() = example;
          while (r.portfolio().trainings_size() <= 1000) {
            *r.mutable_portfolio()->add_trainings() = example.trainings(0);
          }
        },
        {"portfolio.trainings"});
  t.Add("EvaluatePortfolio an unknown view", stub, &S::EvaluatePortfolio,
        [example](elig::EvaluatePortfolioRequest& r) {
          *r.mutable_portfolio() = example;
          r.set_view(static_cast<elig::DecisionView>(7));
        },
        {"view"});
  t.AddOversized("EvaluatePortfolio", stub, &S::EvaluatePortfolio);

  t.Add("RecommendCategories empty", stub, &S::RecommendCategories, nothing,
        {"portfolio"});
  t.Add("RecommendCategories a date without month and day", stub,
        &S::RecommendCategories,
        [example](elig::RecommendCategoriesRequest& r) {
          *r.mutable_portfolio() = example;
          r.mutable_as_of()->set_year(2026);
        },
        {"as_of"});
  t.Add("RecommendCategories an unknown view", stub, &S::RecommendCategories,
        [example](elig::RecommendCategoriesRequest& r) {
          *r.mutable_portfolio() = example;
          r.set_view(static_cast<elig::DecisionView>(-1));
        },
        {"view"});
  t.Add("RecommendCategories too many sessions", stub, &S::RecommendCategories,
        [example](elig::RecommendCategoriesRequest& r) {
          *r.mutable_portfolio() = example;
          while (r.portfolio().rsc_sessions_size() <= 1000) {
            *r.mutable_portfolio()->add_rsc_sessions() =
                example.rsc_sessions(0);
          }
        },
        {"portfolio.rsc_sessions"});
  t.AddOversized("RecommendCategories", stub, &S::RecommendCategories);

  const auto attestation = [](elig::EvaluateRenewalRequest& r) {
    r.mutable_attestation()->set_endorsement_number("VA-IFS-1004");
    r.mutable_attestation()->set_cycle_year(2027);
    *r.mutable_attestation()->mutable_attested_on() = DateOf("2026-11-02");
  };
  t.Add("EvaluateRenewal empty", stub, &S::EvaluateRenewal, nothing,
        {"attestation"});
  t.Add("EvaluateRenewal SQL endorsement number", stub, &S::EvaluateRenewal,
        [attestation](elig::EvaluateRenewalRequest& r) {
          attestation(r);
          r.mutable_attestation()->set_endorsement_number(kSqlInjection);
        },
        {"attestation.endorsement_number"});
  t.Add("EvaluateRenewal negative hours", stub, &S::EvaluateRenewal,
        [attestation](elig::EvaluateRenewalRequest& r) {
          attestation(r);
          auto* year = r.mutable_attestation()->add_years();
          year->set_year(2026);
          year->set_training_hours(-15);
          year->set_rsc_hours(-1);
        },
        {"attestation.years[0].training_hours",
         "attestation.years[0].rsc_hours"});
  t.AddOversized("EvaluateRenewal", stub, &S::EvaluateRenewal);

  t.AddOversized("GetRulebook", stub, &S::GetRulebook);
}

TEST_F(MalformedInputTest,
       EveryRpcOfBothServices_BadInputRefusedWithPathsAndChangesNothing) {
  StartPairWithDemoRegistry();
  auto registry = RegistryStub();
  auto registry_admin = admin::v1::AdminService::NewStub(grpc::CreateChannel(
      registry_->address(), grpc::InsecureChannelCredentials()));
  auto eligibility = elig::EligibilityService::NewStub(grpc::CreateChannel(
      eligibility_->address(), grpc::InsecureChannelCredentials()));
  auto eligibility_admin = admin::v1::AdminService::NewStub(grpc::CreateChannel(
      eligibility_->address(), grpc::InsecureChannelCredentials()));

  // A genuine token, issued for no filter, to be replayed with one.
  reg::ListEndorsementsRequest first_page;
  first_page.set_page_size(1);
  reg::ListEndorsementsResponse page;
  grpc::ClientContext list_context;
  ASSERT_TRUE(
      registry->ListEndorsements(&list_context, first_page, &page).ok());
  ASSERT_FALSE(page.next_page_token().empty());

  CaseTable registry_cases;
  AddRegistryCases(registry_cases, registry.get(), page.next_page_token());
  registry_cases.AddOversized("registry GetMetrics", registry_admin.get(),
                              &admin::v1::AdminService::Stub::GetMetrics);
  CaseTable eligibility_cases;
  AddEligibilityCases(eligibility_cases, eligibility.get());
  eligibility_cases.AddOversized("eligibility GetMetrics",
                                 eligibility_admin.get(),
                                 &admin::v1::AdminService::Stub::GetMetrics);

  const std::map<std::string, int64_t> rows_before = RegistryRows();
  ASSERT_GT(rows_before.at("endorsements"), 0);
  const std::string decisions_before = DecisionLog();
  const auto run = [&](CaseTable& table) {
    for (const BadCase& bad : table.cases()) {
      SCOPED_TRACE(bad.name);
      const grpc::Status status = bad.call();
      EXPECT_EQ(status.error_code(), bad.code) << status.error_message();
      EXPECT_THAT(ViolationPaths(status), IsSupersetOf(bad.paths));
      EXPECT_EQ(RegistryRows(), rows_before);
    }
  };
  run(registry_cases);
  // The eligibility service refuses before it asks the registry anything.
  const int64_t verifications_before = RegistryVerifications();
  run(eligibility_cases);
  EXPECT_EQ(RegistryVerifications(), verifications_before);
  EXPECT_EQ(DecisionLog(), decisions_before);
  // Both still serve.
  elig::EvaluatePortfolioResponse response;
  EXPECT_TRUE(EvaluateIfs(IfsPortfolio(), &response).ok());
}

}  // namespace
}  // namespace imh::e2e

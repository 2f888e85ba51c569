// The decision report's pure parts: the registry questions it asks about RS/C
// providers, and what its timeline marks for a decision (RULES.md R-RSC-*).
// The page in a browser is tested by tests/http/decision_report_test.py.

#include "services/eligibility/decision_report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "common/dates.h"
#include "tests/eligibility/test_support.h"

namespace imh::eligibility {
namespace {

using ::testing::ElementsAre;
using testing::EligibleIfs;
using ::testing::HasSubstr;
using testing::kAsOf;
using testing::kIfrsProvider;
using ::testing::Not;
using testing::VirginiaRulebook;

int Count(const std::string& html, const std::string& needle) {
  int count = 0;
  for (size_t at = html.find(needle); at != std::string::npos;
       at = html.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

// An IFS decision of `portfolio`, and the report's input for it (without
// provider answers). `portfolio` must outlive it.
struct IfsReport {
  explicit IfsReport(const v1::Portfolio& portfolio) {
    *response.mutable_decision()->add_categories() =
        testing::Decide(portfolio, "IFS");
    *response.mutable_decision()->mutable_as_of() = ToProtoDate(kAsOf);
    response.set_decision_id("d-test");
    input.portfolio = &portfolio;
    input.response = &response;
    input.rulebook = &VirginiaRulebook();
  }
  IfsReport(const IfsReport&) = delete;
  IfsReport& operator=(const IfsReport&) = delete;

  v1::EvaluatePortfolioResponse response;
  DecisionReportInput input;
};

TEST(DecisionReportTest,
     AsksOneSpanQuestionPerProviderForEveryAcceptedCategory) {
  v1::Portfolio portfolio = EligibleIfs();  // 13 sessions, 2024-01..2025-01
  // A session without a named provider asks nothing.
  v1::RscSession* anonymous = portfolio.add_rsc_sessions();
  *anonymous->mutable_held_on() = testing::Day(2025, 3, 1);
  anonymous->set_hours(1);
  // A provider named by endorsement number, on one day: a one-day question.
  v1::RscSession* once = portfolio.add_rsc_sessions();
  *once->mutable_held_on() = testing::Day(2024, 7, 4);
  once->set_hours(1);
  once->mutable_provider()->set_endorsement_number("VA-IFRS-0001");
  const std::vector<registry::v1::CredentialQuestion> questions =
      ProviderQuestions(portfolio, VirginiaRulebook(), kAsOf);
  ASSERT_EQ(questions.size(), 2u);
  EXPECT_EQ(questions[0].person_id(), kIfrsProvider);
  // RULES.md R-RSC: providers hold IFRS or IMHM-C (IMHM-C alone for
  // IMHM-C): the union of what any category accepts.
  EXPECT_THAT(questions[0].categories(), ElementsAre("IFRS", "IMHM-C"));
  EXPECT_EQ(FormatDay(ToCivilDayUnchecked(questions[0].as_of())), "2024-01-10");
  ASSERT_TRUE(questions[0].has_through());
  EXPECT_EQ(FormatDay(ToCivilDayUnchecked(questions[0].through())),
            "2025-01-10");
  EXPECT_EQ(questions[1].endorsement_number(), "VA-IFRS-0001");
  EXPECT_THAT(questions[1].categories(), ElementsAre("IFRS", "IMHM-C"));
  EXPECT_EQ(FormatDay(ToCivilDayUnchecked(questions[1].as_of())), "2024-07-04");
  EXPECT_FALSE(questions[1].has_through());
}

// A span question about 2024-01-10..2025-01-10 and the registry's answer:
// held from the first day, not held from 2024-06-01.
registry::v1::CredentialQuestion SpanQuestion() {
  registry::v1::CredentialQuestion question;
  question.set_person_id(kIfrsProvider);
  question.add_categories("IFRS");
  *question.mutable_as_of() = testing::Day(2024, 1, 10);
  *question.mutable_through() = testing::Day(2025, 1, 10);
  return question;
}

registry::v1::CredentialAnswer HeldThenLapsed() {
  registry::v1::CredentialAnswer answer;
  answer.set_status(registry::v1::CREDENTIAL_STATUS_HELD);
  *answer.mutable_status_since() = testing::Day(2015, 3, 1);
  *answer.mutable_through() = testing::Day(2025, 1, 10);
  registry::v1::CredentialChange* lapsed = answer.add_changes();
  *lapsed->mutable_from() = testing::Day(2024, 6, 1);
  lapsed->mutable_answer()->set_status(
      registry::v1::CREDENTIAL_STATUS_NOT_HELD);
  *lapsed->mutable_answer()->mutable_status_since() = testing::Day(2024, 6, 1);
  return answer;
}

registry::v1::CredentialStatus StatusOn(
    const registry::v1::CredentialAnswer& answer, absl::CivilDay day) {
  const registry::v1::CredentialAnswer* on =
      ProviderAnswerOn(SpanQuestion(), answer, day);
  return on == nullptr ? registry::v1::CREDENTIAL_STATUS_UNSPECIFIED
                       : on->status();
}

TEST(DecisionReportTest, ReadsASpanAnswerOnEachDayItCovers) {
  const registry::v1::CredentialAnswer answer = HeldThenLapsed();
  EXPECT_EQ(StatusOn(answer, absl::CivilDay(2024, 1, 10)),
            registry::v1::CREDENTIAL_STATUS_HELD);
  EXPECT_EQ(StatusOn(answer, absl::CivilDay(2024, 5, 31)),
            registry::v1::CREDENTIAL_STATUS_HELD);
  EXPECT_EQ(StatusOn(answer, absl::CivilDay(2024, 6, 1)),
            registry::v1::CREDENTIAL_STATUS_NOT_HELD);
  EXPECT_EQ(StatusOn(answer, absl::CivilDay(2025, 1, 10)),
            registry::v1::CREDENTIAL_STATUS_NOT_HELD);
  // Outside the span the answer says nothing.
  EXPECT_EQ(StatusOn(answer, absl::CivilDay(2024, 1, 9)),
            registry::v1::CREDENTIAL_STATUS_UNSPECIFIED);
  EXPECT_EQ(StatusOn(answer, absl::CivilDay(2025, 1, 11)),
            registry::v1::CREDENTIAL_STATUS_UNSPECIFIED);
}

TEST(DecisionReportTest, DaysASpanAnswerDoesNotCoverAreNotRead) {
  // A registry that answered the first day alone.
  registry::v1::CredentialAnswer first_day_only = HeldThenLapsed();
  first_day_only.clear_through();
  first_day_only.clear_changes();
  EXPECT_EQ(StatusOn(first_day_only, absl::CivilDay(2024, 1, 10)),
            registry::v1::CREDENTIAL_STATUS_HELD);
  EXPECT_EQ(StatusOn(first_day_only, absl::CivilDay(2024, 2, 10)),
            registry::v1::CREDENTIAL_STATUS_UNSPECIFIED);
  // Through an earlier day than asked.
  registry::v1::CredentialAnswer short_span = HeldThenLapsed();
  *short_span.mutable_through() = testing::Day(2024, 12, 31);
  EXPECT_EQ(StatusOn(short_span, absl::CivilDay(2024, 12, 31)),
            registry::v1::CREDENTIAL_STATUS_NOT_HELD);
  EXPECT_EQ(StatusOn(short_span, absl::CivilDay(2025, 1, 10)),
            registry::v1::CREDENTIAL_STATUS_UNSPECIFIED);
  // Changes out of order.
  registry::v1::CredentialAnswer disordered = HeldThenLapsed();
  *disordered.add_changes()->mutable_from() = testing::Day(2024, 3, 1);
  EXPECT_EQ(StatusOn(disordered, absl::CivilDay(2024, 2, 10)),
            registry::v1::CREDENTIAL_STATUS_UNSPECIFIED);
  EXPECT_EQ(StatusOn(disordered, absl::CivilDay(2024, 1, 10)),
            registry::v1::CREDENTIAL_STATUS_HELD);
}

// RULES.md, Decision (provider): endorsed when the supervision was given. The
// timeline draws the provider's held period up to the last session it was
// held for, and marks each later session the registry said it was not.
TEST(DecisionReportTest, DrawsEachSessionsProviderAsTheSpanAnswerHasIt) {
  v1::Portfolio portfolio = EligibleIfs();
  IfsReport report(portfolio);
  report.input.provider_questions =
      ProviderQuestions(portfolio, VirginiaRulebook(), kAsOf);
  ASSERT_EQ(report.input.provider_questions.size(), 1u);
  report.input.provider_answers.push_back(HeldThenLapsed());
  const std::string html = RenderDecisionReport(report.input);
  // Sessions 2024-01..2024-05 held (one merged bar from 2015-03-01), the
  // eight from 2024-06 on not held.
  EXPECT_EQ(Count(html, "class=\"provider-held\""), 1);
  EXPECT_THAT(html, HasSubstr("held an accepted endorsement from 2015-03-01 "
                              "through at least 2024-05-10"));
  EXPECT_EQ(Count(html, "class=\"provider-not-held\""), 8);
  EXPECT_THAT(html, HasSubstr("on 2024-06-10: not held"));
}

TEST(DecisionReportTest,
     MarksTheCountedWindowAndThePeerSessionExcluded_RRscPeer) {
  v1::Portfolio portfolio = EligibleIfs();
  // R-RSC-PEER: peer supervision never counts.
  v1::RscSession* peer = portfolio.add_rsc_sessions();
  *peer->mutable_held_on() = testing::Day(2024, 6, 20);
  peer->set_hours(1);
  peer->set_format(v1::RSC_FORMAT_PEER);
  peer->mutable_provider()->set_display_name("A colleague");
  peer->mutable_provider()->set_person_id(kIfrsProvider);
  IfsReport report(portfolio);
  report.input.provider_note = "not asked in this test";
  const std::string html = RenderDecisionReport(report.input);

  // The 13 monthly sessions of 2 hours (26 >= 24 over 12 months) count.
  EXPECT_EQ(Count(html, "class=\"rsc-counted\""), 13);
  EXPECT_EQ(Count(html, "class=\"rsc-excluded\""), 1);
  EXPECT_THAT(html, HasSubstr("excluded by R-RSC-PEER"));
  EXPECT_EQ(Count(html, "class=\"rsc-window\""), 1);
  EXPECT_THAT(html, HasSubstr("26 hours in 13 sessions"));
  EXPECT_THAT(html, HasSubstr("RS/C sessions that did not count (1 of 14)"));
  EXPECT_THAT(html, HasSubstr("not asked in this test"));
  // Self-contained: no script, nothing fetched.
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("src=")));
  EXPECT_THAT(html, Not(HasSubstr("href=\"http")));
}

TEST(DecisionReportTest, EscapesWhatThePortfolioSays) {
  v1::Portfolio portfolio = EligibleIfs();
  portfolio.mutable_applicant()->mutable_person()->set_display_name(
      "<script>alert(1)</script>");
  const std::string html = RenderDecisionReport(IfsReport(portfolio).input);
  EXPECT_THAT(html, Not(HasSubstr("<script>")));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

}  // namespace
}  // namespace imh::eligibility

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

TEST(DecisionReportTest,
     AsksOneQuestionPerProviderSessionForEveryAcceptedCategory) {
  v1::Portfolio portfolio = EligibleIfs();
  // A session without a named provider asks nothing.
  v1::RscSession* anonymous = portfolio.add_rsc_sessions();
  *anonymous->mutable_held_on() = testing::Day(2025, 3, 1);
  anonymous->set_hours(1);
  std::vector<int> sessions;
  const std::vector<registry::v1::CredentialQuestion> questions =
      ProviderQuestions(portfolio, VirginiaRulebook(), kAsOf, &sessions);
  ASSERT_EQ(questions.size(), 13u);
  ASSERT_EQ(sessions.size(), 13u);
  for (size_t i = 0; i < questions.size(); ++i) {
    EXPECT_EQ(sessions[i], static_cast<int>(i));
    EXPECT_EQ(questions[i].person_id(), kIfrsProvider);
    // RULES.md R-RSC: providers hold IFRS or IMHM-C (IMHM-C alone for
    // IMHM-C): the union of what any category accepts.
    EXPECT_THAT(questions[i].categories(), ElementsAre("IFRS", "IMHM-C"));
    EXPECT_EQ(questions[i].as_of().SerializeAsString(),
              portfolio.rsc_sessions(i).held_on().SerializeAsString());
  }
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
  v1::EvaluatePortfolioResponse response;
  *response.mutable_decision()->add_categories() =
      testing::Decide(portfolio, "IFS");
  *response.mutable_decision()->mutable_as_of() = ToProtoDate(kAsOf);
  response.set_decision_id("d-test");
  DecisionReportInput input;
  input.portfolio = &portfolio;
  input.response = &response;
  input.rulebook = &VirginiaRulebook();
  input.provider_note = "not asked in this test";
  const std::string html = RenderDecisionReport(input);

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
  v1::EvaluatePortfolioResponse response;
  *response.mutable_decision()->add_categories() =
      testing::Decide(portfolio, "IFS");
  *response.mutable_decision()->mutable_as_of() = ToProtoDate(kAsOf);
  DecisionReportInput input;
  input.portfolio = &portfolio;
  input.response = &response;
  input.rulebook = &VirginiaRulebook();
  const std::string html = RenderDecisionReport(input);
  EXPECT_THAT(html, Not(HasSubstr("<script>")));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

}  // namespace
}  // namespace imh::eligibility

#ifndef IMH_TESTS_ELIGIBILITY_TEST_SUPPORT_H_
#define IMH_TESTS_ELIGIBILITY_TEST_SUPPORT_H_

// Builders for rule tests: the real Virginia rulebook, a small registry
// snapshot of fictional endorsed professionals, and for each category a
// portfolio that meets every requirement, which a test then changes in one
// respect.

#include <cmath>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "common/rulebook/rulebook.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "imh/eligibility/v1/decision.pb.h"
#include "imh/eligibility/v1/portfolio.pb.h"
#include "services/eligibility/verification.h"

namespace imh::eligibility::testing {

namespace v1 = ::imh::eligibility::v1;

// Every rule test evaluates on this day.
inline const absl::CivilDay kAsOf(2026, 11, 23);

// Registry person ids in TestRegistry().
inline constexpr char kIfrsProvider[] = "P-IFRS";     // IFRS since 2015-03-01
inline constexpr char kMentorProvider[] = "P-IMHMC";  // IMHM-C since 2012
inline constexpr char kLapsedProvider[] =
    "P-LAPSED";                                    // IFRS, lapsed 2024-06-01
inline constexpr char kLateProvider[] = "P-LATE";  // IFRS from 2025-06-01
inline constexpr char kIfsRater[] = "P-IFS";       // IFS since 2016
inline constexpr char kUnendorsedPerson[] = "P-NONE";  // not in the registry

// The rulebook at services/eligibility/rulebooks/virginia_imh_e.textproto,
// loaded once.
const Rulebook& VirginiaRulebook();

google::type::Date Day(int year, int month, int day);

// Answers from an in-memory snapshot of the fictional professionals above.
CredentialVerifier& TestRegistry();

// A registry that is down: every answer is kUnknown. (A fault, not a stand-in.)
class UnreachableRegistry final : public CredentialVerifier {
 public:
  std::vector<CredentialAnswer> Verify(
      const std::vector<CredentialQuestion>& questions) override;
};

// Portfolios meeting every requirement of one category on kAsOf.
v1::Portfolio EligibleIfa();
v1::Portfolio EligibleIfs();
v1::Portfolio EligibleIfrs();
v1::Portfolio EligibleImhs();
v1::Portfolio EligibleImhmClinical();
v1::Portfolio EligibleImhmPolicy();
v1::Portfolio EligibleImhmResearchFaculty();

// Entry builders, appending to `portfolio` and returning the new entry.
v1::EducationEntry* AddDegree(v1::Portfolio& portfolio, v1::DegreeLevel level,
                              const std::string& degree,
                              google::type::Date conferred,
                              bool transcript = true);
v1::TrainingEntry* AddTraining(v1::Portfolio& portfolio, double hours,
                               v1::TrainingTopic topic, bool didactic = false);
// `count` monthly sessions of `hours` each from `first`, with `provider_id`.
void AddMonthlySessions(v1::Portfolio& portfolio,
                        const std::string& provider_id, absl::CivilDay first,
                        int count, double hours);
v1::WorkEntry* AddWork(v1::Portfolio& portfolio, v1::ServiceKind kind,
                       google::type::Date start,
                       const google::type::Date* end /* null: current */);
v1::LeadershipEntry* AddLeadership(v1::Portfolio& portfolio,
                                   v1::LeadershipLevel level,
                                   google::type::Date start,
                                   const google::type::Date* end);
v1::ReferenceRating* AddReference(v1::Portfolio& portfolio,
                                  v1::ReferenceRole role,
                                  const std::string& name,
                                  const std::string& person_id = "");

// Evaluates one category on kAsOf against `verifier` (TestRegistry() by
// default); fails the test on an error status.
v1::CategoryDecision Decide(const v1::Portfolio& portfolio,
                            const std::string& category);
v1::CategoryDecision Decide(const v1::Portfolio& portfolio,
                            const std::string& category,
                            CredentialVerifier& verifier);

// The findings of `decision` with `rule_id`, in order.
std::vector<v1::Finding> FindingsOf(const v1::CategoryDecision& decision,
                                    const std::string& rule_id);
// The only finding with `rule_id`; fails the test when there is not exactly
// one.
v1::Finding FindingOf(const v1::CategoryDecision& decision,
                      const std::string& rule_id);
bool HasFinding(const v1::CategoryDecision& decision,
                const std::string& rule_id);
// The indices of portfolio.<collection> that `finding` cites, in order.
std::vector<int> Cited(const v1::Finding& finding,
                       const std::string& collection);

// Matchers.
MATCHER_P(HasStatus, status, "") { return arg.status() == status; }
MATCHER_P(HasOutcome, outcome, "") { return arg.outcome() == outcome; }
MATCHER_P(MissingAmount, amount, "") {
  return arg.has_shortfall() &&
         std::abs(arg.shortfall().missing() - amount) < 1e-6;
}
MATCHER_P(StatusIs, code, "") { return arg.code() == code; }

constexpr auto kMet = v1::FINDING_STATUS_MET;
constexpr auto kNotMet = v1::FINDING_STATUS_NOT_MET;
constexpr auto kAdvisory = v1::FINDING_STATUS_ADVISORY;
constexpr auto kUnverified = v1::FINDING_STATUS_UNVERIFIED;
constexpr auto kEligible = v1::OUTCOME_ELIGIBLE;
constexpr auto kNotEligible = v1::OUTCOME_NOT_ELIGIBLE;
constexpr auto kNeedsReview = v1::OUTCOME_NEEDS_REVIEW;

}  // namespace imh::eligibility::testing

#endif  // IMH_TESTS_ELIGIBILITY_TEST_SUPPORT_H_

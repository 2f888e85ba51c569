#ifndef IMH_SERVICES_ELIGIBILITY_EVALUATION_CONTEXT_H_
#define IMH_SERVICES_ELIGIBILITY_EVALUATION_CONTEXT_H_

// What every rule reads: the portfolio, its dates decoded once, the rulebook
// and the verified facts, on one as-of date.

#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "common/rulebook/rulebook.h"
#include "imh/eligibility/v1/portfolio.pb.h"
#include "services/eligibility/verification.h"

namespace imh::eligibility {

// The portfolio's dates, decoded once for all categories.
// Requires a portfolio that ValidatePortfolio accepted.
class PortfolioIndex {
 public:
  PortfolioIndex(const eligibility::v1::Portfolio& portfolio,
                 absl::CivilDay as_of);

  // Session i was held on session_day[i]; sessions_by_day lists indices in date
  // order (stable for equal days).
  std::vector<absl::CivilDay> session_day;
  std::vector<int> sessions_by_day;
  std::vector<bool> session_is_peer;
  // Work entry i covers [work_start[i], work_end[i]) (end exclusive; current
  // entries run to the as-of date inclusive).
  std::vector<absl::CivilDay> work_start, work_end;
  std::vector<absl::CivilDay> leadership_start, leadership_end;

  // Earliest conferral of a credential whose DegreeLevel name is in `levels`
  // (a rulebook list: which credentials start a "post-..." clock is policy, not
  // the enum's numbering); nullopt when none is, or `levels` is null.
  std::optional<absl::CivilDay> FirstDegreeIn(
      const rulebook::v1::CodeListValue* levels) const;

  // The portfolio indexed, which outlives the index.
  const eligibility::v1::Portfolio& portfolio() const { return portfolio_; }

 private:
  const eligibility::v1::Portfolio& portfolio_;
};

// Each session provider's registry answer against a category set, computed once
// per evaluation and shared by the categories asking the same question (IFS,
// IFRS and IMHS all ask for "IFRS or IMHM-C" on each session date).
class ProviderAnswers {
 public:
  ProviderAnswers(const PortfolioIndex& index, const VerificationFacts& facts)
      : index_(index), facts_(facts) {}

  // One status per session (indexed like the portfolio's rsc_sessions); peer
  // sessions, never asked about, are kUnknown. Valid as long as this object.
  const std::vector<CredentialStatus>& For(const std::string& category_set_key);

 private:
  const PortfolioIndex& index_;
  const VerificationFacts& facts_;
  // Each session's provider as the facts number it, once for every set.
  std::vector<int> provider_numbers_;
  // Few distinct sets per rulebook: a short list beats a map. A deque, so
  // that what For returned stays valid while later sets are added.
  std::deque<std::pair<std::string, std::vector<CredentialStatus>>> cache_;
};

// Each rater's registry answer against a category set on the as-of date,
// computed once per evaluation and set: every category's R-REF-ENDORSED and
// each endorsed-rater slot of its patterns ask about the same list.
class RaterAnswers {
 public:
  RaterAnswers(const PortfolioIndex& index, const VerificationFacts& facts,
               absl::CivilDay as_of)
      : index_(index), facts_(facts), as_of_(as_of) {}

  // One status per rating (indexed like the portfolio's references): kNotHeld
  // for a rater with no registry identity; what the registry said otherwise.
  // `categories` may be null (no list in force: nobody holds it). Valid as
  // long as this object.
  const std::vector<CredentialStatus>& For(
      const rulebook::v1::CodeListValue* categories);

 private:
  const PortfolioIndex& index_;
  const VerificationFacts& facts_;
  const absl::CivilDay as_of_;
  // Each rater as the facts number it, once for every list.
  std::vector<int> rater_numbers_;
  // The statuses of each distinct list of codes (equal lists in several
  // categories and slots share them), and every rulebook list looked up
  // with its statuses. A deque, as above.
  std::deque<std::pair<const rulebook::v1::CodeListValue*,
                       std::vector<CredentialStatus>>>
      by_codes_;
  std::vector<std::pair<const rulebook::v1::CodeListValue*,
                        const std::vector<CredentialStatus>*>>
      by_list_;
};

// The sessions that count toward a category's RS/C rule, by what the
// registry said of their provider: held (verified) or unknown (unverified).
// Where the category's RS/C is optional or absent, every non-peer session
// counts, as verified. Peer sessions never count.
struct CountedSessions {
  std::vector<int> verified, unverified;
};

// Each category's counted sessions, as its RS/C rule sorted them, for the
// reference rules to read instead of sorting the sessions again.
class CountedSessionsByCategory {
 public:
  // Returns the remembered sessions, valid as long as this object.
  const CountedSessions& Remember(const rulebook::v1::Category* category,
                                  CountedSessions sessions) {
    return by_category_.emplace_back(category, std::move(sessions)).second;
  }
  // Nullptr when nothing was remembered for `category`.
  const CountedSessions* Find(const rulebook::v1::Category* category) const {
    for (const auto& [remembered, sessions] : by_category_) {
      if (remembered == category) return &sessions;
    }
    return nullptr;
  }

 private:
  // A handful of categories: a short list beats a map. A deque, so that what
  // Remember returned stays where it is.
  std::deque<std::pair<const rulebook::v1::Category*, CountedSessions>>
      by_category_;
};

struct EvaluationContext {
  const eligibility::v1::Portfolio& portfolio;
  const PortfolioIndex& index;
  const Rulebook& rulebook;
  const VerificationFacts& facts;
  absl::CivilDay as_of;
  // FormatDay(as_of): how dated series are read.
  std::string as_of_iso;
  ProviderAnswers& provider_answers;
  RaterAnswers& rater_answers;
  CountedSessionsByCategory& counted_sessions;
  // Whether findings carry their sentences (the FULL view) or not (BASIC).
  bool sentences = true;
};

// "master's degree", "doctorate", ... for messages.
const char* DegreeWords(eligibility::v1::DegreeLevel level);

// DegreeLevel for a rulebook code ("MASTER"); UNSPECIFIED for "" or unknown.
eligibility::v1::DegreeLevel DegreeLevelFromCode(absl::string_view code);

// "bachelor's degree, master's degree or doctorate" for a rulebook list of
// DegreeLevel codes.
std::string DescribeDegreeLevels(const rulebook::v1::CodeListValue* levels);

}  // namespace imh::eligibility

#endif  // IMH_SERVICES_ELIGIBILITY_EVALUATION_CONTEXT_H_

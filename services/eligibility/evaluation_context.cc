#include "services/eligibility/evaluation_context.h"

#include <algorithm>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/dates.h"
#include "common/enum_names.h"
#include "common/rulebook/params.h"

namespace imh::eligibility {

namespace {
absl::CivilDay EndExclusive(const google::type::Date& ended_on, bool current,
                            absl::CivilDay as_of) {
  return (current || !IsCompleteDate(ended_on)
              ? as_of
              : ToCivilDayUnchecked(ended_on)) +
         1;
}
}  // namespace

PortfolioIndex::PortfolioIndex(const v1::Portfolio& portfolio,
                               absl::CivilDay as_of)
    : portfolio_(portfolio) {
  const int sessions = portfolio.rsc_sessions_size();
  work_start.reserve(portfolio.work_size());
  work_end.reserve(portfolio.work_size());
  leadership_start.reserve(portfolio.leadership_size());
  leadership_end.reserve(portfolio.leadership_size());
  session_day.reserve(sessions);
  session_is_peer.reserve(sessions);
  sessions_by_day.resize(sessions);
  for (int i = 0; i < sessions; ++i) {
    const v1::RscSession& session = portfolio.rsc_sessions(i);
    session_day.push_back(ToCivilDayUnchecked(session.held_on()));
    session_is_peer.push_back(session.format() == v1::RSC_FORMAT_PEER);
    sessions_by_day[i] = i;
  }
  // Date order, ties in portfolio order; std::sort on the pair needs no buffer.
  std::sort(sessions_by_day.begin(), sessions_by_day.end(),
            [this](int a, int b) {
              return std::make_pair(session_day[a], a) <
                     std::make_pair(session_day[b], b);
            });
  for (const v1::WorkEntry& work : portfolio.work()) {
    work_start.push_back(ToCivilDayUnchecked(work.started_on()));
    work_end.push_back(EndExclusive(work.ended_on(), work.current(), as_of));
  }
  for (const v1::LeadershipEntry& entry : portfolio.leadership()) {
    leadership_start.push_back(ToCivilDayUnchecked(entry.started_on()));
    leadership_end.push_back(
        EndExclusive(entry.ended_on(), entry.current(), as_of));
  }
}

std::optional<absl::CivilDay> PortfolioIndex::FirstDegreeIn(
    const rulebook::v1::CodeListValue* levels) const {
  std::optional<absl::CivilDay> first;
  for (const v1::EducationEntry& entry : portfolio_.education()) {
    if (!ListHasEnum(levels, EnumName(entry.level()), "DEGREE_LEVEL_")) {
      continue;
    }
    const absl::CivilDay day = ToCivilDayUnchecked(entry.conferred_on());
    if (!first || day < *first) first = day;
  }
  return first;
}

const std::vector<CredentialStatus>& ProviderAnswers::For(
    const std::string& category_set_key) {
  for (const auto& [key, statuses] : cache_) {
    if (key == category_set_key) return statuses;
  }
  const size_t sessions = index_.session_day.size();
  if (provider_numbers_.size() != sessions) {
    // Each provider's subject number, looked up once for every set.
    provider_numbers_.reserve(sessions);
    for (const v1::RscSession& session : index_.portfolio().rsc_sessions()) {
      provider_numbers_.push_back(facts_.SubjectNumber(session.provider()));
    }
  }
  const int set = facts_.SetNumber(category_set_key);
  // Each provider's answers found once for the set: a portfolio names few
  // providers, many sessions each.
  absl::InlinedVector<std::pair<int, VerificationFacts::Lookup>, 8> lookups;
  const auto lookup_of = [&](int subject) -> const VerificationFacts::Lookup& {
    for (const auto& [number, lookup] : lookups) {
      if (number == subject) return lookup;
    }
    return lookups.emplace_back(subject, facts_.LookupFor(subject, set)).second;
  };
  std::vector<CredentialStatus> statuses;
  statuses.reserve(sessions);
  for (size_t i = 0; i < sessions; ++i) {
    statuses.push_back(
        index_.session_is_peer[i]
            ? CredentialStatus::kUnknown
            : lookup_of(provider_numbers_[i]).On(index_.session_day[i]).status);
  }
  cache_.emplace_back(category_set_key, std::move(statuses));
  return cache_.back().second;
}

namespace {
bool SameCodes(const rulebook::v1::CodeListValue* a,
               const rulebook::v1::CodeListValue* b) {
  if (a == nullptr || b == nullptr) return a == b;
  return std::equal(a->codes().begin(), a->codes().end(), b->codes().begin(),
                    b->codes().end());
}
}  // namespace

const std::vector<CredentialStatus>& RaterAnswers::For(
    const rulebook::v1::CodeListValue* categories) {
  for (const auto& [list, statuses] : by_list_) {
    if (list == categories) return *statuses;
  }
  for (const auto& [list, statuses] : by_codes_) {
    if (SameCodes(list, categories)) {
      by_list_.emplace_back(categories, &statuses);
      return statuses;
    }
  }
  const auto& ratings = index_.portfolio().references();
  if (rater_numbers_.size() != static_cast<size_t>(ratings.size())) {
    rater_numbers_.reserve(ratings.size());
    for (const v1::ReferenceRating& rating : ratings) {
      rater_numbers_.push_back(facts_.SubjectNumber(rating.rater()));
    }
  }
  const int set =
      categories ? facts_.SetNumber(CategorySetKey(categories->codes())) : -1;
  std::vector<CredentialStatus> statuses;
  statuses.reserve(ratings.size());
  for (int i = 0; i < ratings.size(); ++i) {
    const v1::PersonRef& rater = ratings.Get(i).rater();
    statuses.push_back(
        rater.person_id().empty() && rater.endorsement_number().empty()
            ? CredentialStatus::kNotHeld
            : facts_.Find(rater_numbers_[i], set, as_of_).status);
  }
  const std::vector<CredentialStatus>& filed =
      by_codes_.emplace_back(categories, std::move(statuses)).second;
  by_list_.emplace_back(categories, &filed);
  return filed;
}

const char* DegreeWords(v1::DegreeLevel level) {
  switch (level) {
    case v1::DEGREE_LEVEL_ASSOCIATE:
      return "associate's degree";
    case v1::DEGREE_LEVEL_BACHELOR:
      return "bachelor's degree";
    case v1::DEGREE_LEVEL_UNIVERSITY_CERTIFICATE:
      return "university certificate";
    case v1::DEGREE_LEVEL_POSTGRADUATE_SPECIALIZATION:
      return "postgraduate specialization";
    case v1::DEGREE_LEVEL_MASTER:
      return "master's degree";
    case v1::DEGREE_LEVEL_DOCTORATE:
      return "doctorate";
    default:
      return "degree";
  }
}

v1::DegreeLevel DegreeLevelFromCode(absl::string_view code) {
  return EnumFromCode<v1::DegreeLevel>("DEGREE_LEVEL_", code);
}

std::string DescribeDegreeLevels(const rulebook::v1::CodeListValue* levels) {
  if (levels == nullptr || levels->codes().empty()) return "degree";
  std::vector<const char*> words;
  for (const std::string& code : levels->codes()) {
    words.push_back(DegreeWords(DegreeLevelFromCode(code)));
  }
  if (words.size() == 1) return words[0];
  return absl::StrCat(absl::StrJoin(words.begin(), words.end() - 1, ", "),
                      " or ", words.back());
}

}  // namespace imh::eligibility

// Properties that must hold for any portfolio, checked on seeded random
// variations of the hand-derived case portfolios (tests/cases/portfolios)
// against the cases' registry. Each property is a statement about the rules,
// not about how outcomes are computed from findings, so each can fail on a
// rule that wrongly reports MET.

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "common/dates.h"
#include "common/proto_files.h"
#include "common/rulebook/params.h"
#include "services/eligibility/evaluator.h"
#include "services/eligibility/rules.h"
#include "services/eligibility/snapshot_verifier.h"
#include "services/eligibility/validation.h"
#include "tests/eligibility/test_support.h"

namespace imh::eligibility::testing {
namespace {

const absl::CivilDay kCaseDay(2026, 11, 1);
constexpr int kRounds = 250;

std::vector<v1::Portfolio> Bases() {
  std::vector<v1::Portfolio> bases;
  for (const char* name :
       {"ifa", "ifs", "ifrs", "imhs", "imhmc", "imhmp", "imhmrf"}) {
    v1::Portfolio p;
    const absl::Status read = ReadJsonFile(
        absl::StrCat(IMH_CASES_DIR, "/portfolios/", name, ".json"), &p);
    EXPECT_TRUE(read.ok()) << read;
    bases.push_back(p);
  }
  return bases;
}

registry::v1::RegistrySnapshot CaseRegistry() {
  registry::v1::RegistrySnapshot snapshot;
  const absl::Status read =
      ReadJsonFile(absl::StrCat(IMH_CASES_DIR, "/registry.json"), &snapshot);
  EXPECT_TRUE(read.ok()) << read;
  return snapshot;
}

template <typename T>
void DropOne(google::protobuf::RepeatedPtrField<T>* list, std::mt19937& rng) {
  if (list->empty()) return;
  const int i = std::uniform_int_distribution<int>(0, list->size() - 1)(rng);
  list->erase(list->begin() + i);
}

google::type::Date Shifted(const google::type::Date& date, int days) {
  absl::CivilDay day = ToCivilDayUnchecked(date) + days;
  if (day > kCaseDay) day = kCaseDay;
  return ToProtoDate(day);
}

// A random variation of a random base: entries dropped, dates moved, kinds,
// roles, formats and flags changed. Always valid on kCaseDay.
v1::Portfolio RandomPortfolio(const std::vector<v1::Portfolio>& bases,
                              std::mt19937& rng) {
  auto pick = [&rng](int n) {
    return std::uniform_int_distribution<int>(0, n - 1)(rng);
  };
  v1::Portfolio p = bases[pick(static_cast<int>(bases.size()))];
  for (int k = pick(4); k > 0; --k) {
    switch (pick(5)) {
      case 0:
        DropOne(p.mutable_trainings(), rng);
        break;
      case 1:
        DropOne(p.mutable_rsc_sessions(), rng);
        break;
      case 2:
        DropOne(p.mutable_work(), rng);
        break;
      case 3:
        DropOne(p.mutable_references(), rng);
        break;
      default:
        DropOne(p.mutable_education(), rng);
        break;
    }
  }
  const int shift = std::uniform_int_distribution<int>(-500, 200)(rng);
  for (v1::RscSession& s : *p.mutable_rsc_sessions()) {
    *s.mutable_held_on() = Shifted(s.held_on(), shift);
    if (pick(8) == 0) s.set_format(v1::RSC_FORMAT_PEER);
    if (pick(4) == 0) s.set_while_applicant_provided_rsc(pick(2));
  }
  for (v1::WorkEntry& w : *p.mutable_work()) {
    if (pick(3) == 0) {
      *w.mutable_started_on() = Shifted(w.started_on(), shift);
      if (w.has_ended_on()) {
        *w.mutable_ended_on() = Shifted(w.ended_on(), shift);
      }
    }
    if (pick(6) == 0)
      w.set_service_kind(static_cast<v1::ServiceKind>(pick(8) + 1));
    if (pick(6) == 0) w.set_families_served(pick(30));
  }
  for (v1::EducationEntry& e : *p.mutable_education()) {
    if (pick(4) == 0) e.set_level(static_cast<v1::DegreeLevel>(pick(6) + 1));
    if (pick(4) == 0)
      *e.mutable_conferred_on() = Shifted(e.conferred_on(), shift);
  }
  for (v1::ReferenceRating& r : *p.mutable_references()) {
    if (pick(5) == 0) r.set_role(static_cast<v1::ReferenceRole>(pick(15) + 1));
  }
  for (v1::TrainingEntry& t : *p.mutable_trainings()) {
    if (pick(5) == 0) t.set_clock_hours(1 + pick(40));
  }
  EXPECT_TRUE(ValidatePortfolio(p, kCaseDay).empty()) << p.DebugString();
  return p;
}

v1::Decision Decide(const v1::Portfolio& portfolio,
                    CredentialVerifier& verifier) {
  absl::StatusOr<v1::Decision> decision = EvaluateWithVerifier(
      portfolio, VirginiaRulebook(), kCaseDay, {}, verifier);
  EXPECT_TRUE(decision.ok()) << decision.status();
  return decision.ok() ? *decision : v1::Decision();
}

// Per category: the outcome, and each rule id's statuses with shortfalls.
std::map<std::string, std::string> Summary(const v1::Decision& decision) {
  std::map<std::string, std::string> summary;
  for (const v1::CategoryDecision& category : decision.categories()) {
    std::vector<std::string> findings;
    for (const v1::Finding& f : category.findings()) {
      findings.push_back(absl::StrCat(
          f.rule_id(), ":", v1::FindingStatus_Name(f.status()), ":",
          f.shortfall().required(), "/", f.shortfall().counted()));
    }
    std::sort(findings.begin(), findings.end());
    summary[category.category()] =
        absl::StrCat(v1::Outcome_Name(category.outcome()), " ",
                     absl::StrJoin(findings, " "));
  }
  return summary;
}

// Rule ids (per category) with a NOT_MET finding, and with a MET one.
std::set<std::string> RulesWith(const v1::Decision& decision,
                                v1::FindingStatus status) {
  std::set<std::string> rules;
  for (const v1::CategoryDecision& category : decision.categories()) {
    for (const v1::Finding& f : category.findings()) {
      if (f.status() == status) {
        rules.insert(absl::StrCat(category.category(), " ", f.rule_id()));
      }
    }
  }
  return rules;
}

TEST(Property, MoreTrainingOrRscHoursNeverTurnAMetFindingNotMet) {
  std::mt19937 rng(20261201);
  const std::vector<v1::Portfolio> bases = Bases();
  SnapshotVerifier registry(CaseRegistry());
  for (int round = 0; round < kRounds; ++round) {
    const v1::Portfolio before = RandomPortfolio(bases, rng);
    v1::Portfolio after = before;
    switch (round % 3) {
      case 0:
        if (!after.trainings().empty()) {
          v1::TrainingEntry* t =
              after.mutable_trainings(round % after.trainings_size());
          t->set_clock_hours(t->clock_hours() + 1 + round % 20);
        }
        break;
      case 1: {
        v1::TrainingEntry* t = after.add_trainings();
        *t = before.trainings_size() > 0 ? before.trainings(0)
                                         : v1::TrainingEntry();
        t->set_title("more");
        *t->mutable_completed_on() = ToProtoDate(absl::CivilDay(2025, 1, 1));
        t->set_clock_hours(5 + round % 30);
        t->set_topic(static_cast<v1::TrainingTopic>(round % 4 + 1));
        t->set_didactic(round % 2);
        break;
      }
      default: {
        // Every session longer by the same factor: the windows keep their
        // order, so more hours can only help.
        const double factor = 1.0 + (round % 10) / 10.0;
        for (v1::RscSession& s : *after.mutable_rsc_sessions()) {
          s.set_hours(std::min(24.0, s.hours() * factor));
        }
        break;
      }
    }
    const v1::Decision d_before = Decide(before, registry);
    const v1::Decision d_after = Decide(after, registry);
    const std::set<std::string> not_met_before =
        RulesWith(d_before, v1::FINDING_STATUS_NOT_MET);
    const std::set<std::string> not_met_after =
        RulesWith(d_after, v1::FINDING_STATUS_NOT_MET);
    for (const std::string& rule :
         RulesWith(d_before, v1::FINDING_STATUS_MET)) {
      if (not_met_before.count(rule)) continue;
      EXPECT_FALSE(not_met_after.count(rule))
          << "round " << round << ": " << rule
          << " was MET and is NOT_MET with more hours";
    }
  }
}

TEST(Property, ReorderingEntriesChangesNothing) {
  std::mt19937 rng(20261202);
  const std::vector<v1::Portfolio> bases = Bases();
  SnapshotVerifier registry(CaseRegistry());
  for (int round = 0; round < kRounds; ++round) {
    const v1::Portfolio p = RandomPortfolio(bases, rng);
    v1::Portfolio shuffled = p;
    std::shuffle(shuffled.mutable_trainings()->begin(),
                 shuffled.mutable_trainings()->end(), rng);
    std::shuffle(shuffled.mutable_rsc_sessions()->begin(),
                 shuffled.mutable_rsc_sessions()->end(), rng);
    std::shuffle(shuffled.mutable_work()->begin(),
                 shuffled.mutable_work()->end(), rng);
    std::shuffle(shuffled.mutable_education()->begin(),
                 shuffled.mutable_education()->end(), rng);
    std::shuffle(shuffled.mutable_leadership()->begin(),
                 shuffled.mutable_leadership()->end(), rng);
    std::shuffle(shuffled.mutable_references()->begin(),
                 shuffled.mutable_references()->end(), rng);
    EXPECT_EQ(Summary(Decide(p, registry)), Summary(Decide(shuffled, registry)))
        << "round " << round;
  }
}

// Every person id and name, in the portfolio and the registry alike.
std::string Renamed(std::string text) {
  return absl::StrReplaceAll(text, {{"P-20", "Q-77"},
                                    {"VA-IFRS-20", "VA-IFRS-77"},
                                    {"VA-IMHMC-20", "VA-IMHMC-77"},
                                    {"VA-IFS-20", "VA-IFS-77"},
                                    {"Rosa Rivera", "Ana Zamora"},
                                    {"Harold Mentor", "Kim Osei"},
                                    {"Sam Supervisor", "Jo Boss"}});
}

template <typename Message>
Message RenamedMessage(const Message& message) {
  Message renamed;
  const absl::Status parsed =
      ParseJson(Renamed(ToJson(message)), "renamed", &renamed);
  EXPECT_TRUE(parsed.ok()) << parsed;
  return renamed;
}

TEST(Property, RenamingPeopleConsistentlyChangesNothing) {
  std::mt19937 rng(20261203);
  const std::vector<v1::Portfolio> bases = Bases();
  const registry::v1::RegistrySnapshot snapshot = CaseRegistry();
  SnapshotVerifier registry(snapshot);
  SnapshotVerifier renamed_registry(RenamedMessage(snapshot));
  for (int round = 0; round < kRounds; ++round) {
    const v1::Portfolio p = RandomPortfolio(bases, rng);
    EXPECT_EQ(Summary(Decide(p, registry)),
              Summary(Decide(RenamedMessage(p), renamed_registry)))
        << "round " << round;
  }
}

TEST(Property, WithEveryRegistryAnswerUnknownNoCategoryThatAskedIsEligible) {
  std::mt19937 rng(20261204);
  const std::vector<v1::Portfolio> bases = Bases();
  UnreachableRegistry unreachable;
  int asked = 0;
  for (int round = 0; round < kRounds; ++round) {
    const v1::Portfolio p = RandomPortfolio(bases, rng);
    for (const auto& category : VirginiaRulebook().proto().categories()) {
      const CategoryList one{&category};
      if (CredentialQuestionsFor(p, kCaseDay, one).empty()) continue;
      ++asked;
      const absl::StatusOr<v1::Decision> decision = EvaluateWithVerifier(
          p, VirginiaRulebook(), kCaseDay, {category.code()}, unreachable);
      ASSERT_TRUE(decision.ok()) << decision.status();
      EXPECT_NE(decision->categories(0).outcome(), v1::OUTCOME_ELIGIBLE)
          << "round " << round << ": " << category.code()
          << " is ELIGIBLE although the registry answered nothing";
    }
  }
  // The property was exercised, not vacuously true.
  EXPECT_GT(asked, kRounds);
}

// The registry questions, as the header defines them, listed the plain way:
// every (subject, category set, day) a rule will look up, each once.
std::set<std::string> QuestionsByDefinition(const v1::Portfolio& p,
                                            absl::CivilDay as_of) {
  const std::string iso = FormatDay(as_of);
  std::set<std::string> expected;
  auto add = [&](const v1::PersonRef& person,
                 const rulebook::v1::CodeListValue* set, absl::CivilDay on) {
    if (SubjectKey(person).empty() || set == nullptr) return;
    expected.insert(absl::StrCat(SubjectKey(person), "|",
                                 CategorySetKey(set->codes()), "|",
                                 FormatDay(on)));
  };
  for (const auto& category : VirginiaRulebook().proto().categories()) {
    bool provider_slot = false;
    if (category.has_references()) {
      const auto& rule = category.references();
      for (const v1::ReferenceRating& r : p.references()) {
        add(r.rater(), CodesAt(rule.endorsed_rater_categories(), iso), as_of);
      }
      for (const auto& pattern : rule.patterns()) {
        for (const auto& slot : pattern.slots()) {
          provider_slot = provider_slot || slot.must_be_rsc_provider();
          if (!slot.must_be_endorsed()) continue;
          for (const v1::ReferenceRating& r : p.references()) {
            add(r.rater(), SlotEndorsedCategories(rule, slot, iso), as_of);
          }
        }
      }
    }
    for (const v1::RscSession& s : p.rsc_sessions()) {
      if (s.format() == v1::RSC_FORMAT_PEER) continue;
      if (category.has_rsc() && !category.rsc().optional()) {
        add(s.provider(), CodesAt(category.rsc().provider_categories(), iso),
            ToCivilDayUnchecked(s.held_on()));
      } else if (provider_slot) {
        add(s.provider(),
            CodesAt(category.references().endorsed_rater_categories(), iso),
            as_of);
      }
    }
  }
  return expected;
}

// The questions listed cover every lookup by definition (a span question
// covers each day from its first through its last), each question's first
// and last days are lookups (a span is no wider than the sessions it asks
// about), and no question is asked twice.
TEST(Property, RegistryQuestionsCoverEveryLookupTightlyAndOnce) {
  std::mt19937 rng(20261206);
  const std::vector<v1::Portfolio> bases = Bases();
  std::vector<v1::Portfolio> portfolios = bases;
  for (int round = 0; round < kRounds; ++round) {
    portfolios.push_back(RandomPortfolio(bases, rng));
  }
  const CategoryList every = *ResolveCategories(VirginiaRulebook(), {});
  size_t asked = 0, spans = 0;
  for (size_t i = 0; i < portfolios.size(); ++i) {
    const std::set<std::string> expected =
        QuestionsByDefinition(portfolios[i], kCaseDay);
    const std::vector<CredentialQuestion> questions =
        CredentialQuestionsFor(portfolios[i], kCaseDay, every);
    std::set<std::string> covered, distinct;
    for (const CredentialQuestion& q : questions) {
      const std::string prefix =
          absl::StrCat(SubjectKey(q), "|", CategorySetKey(q.categories), "|");
      const absl::CivilDay last = q.through.value_or(q.on);
      ASSERT_GE(last, q.on);
      for (absl::CivilDay day = q.on; day <= last; ++day) {
        if (expected.count(prefix + FormatDay(day))) {
          covered.insert(prefix + FormatDay(day));
        }
      }
      EXPECT_TRUE(expected.count(prefix + FormatDay(q.on)))
          << "portfolio " << i << ": asks about " << prefix << FormatDay(q.on);
      EXPECT_TRUE(expected.count(prefix + FormatDay(last)))
          << "portfolio " << i << ": asks through " << prefix
          << FormatDay(last);
      EXPECT_TRUE(
          distinct.insert(prefix + FormatDay(q.on) + ".." + FormatDay(last))
              .second)
          << "portfolio " << i << ": a question asked twice";
      if (q.through) ++spans;
    }
    EXPECT_EQ(covered, expected) << "portfolio " << i;
    asked += questions.size();
  }
  EXPECT_GT(asked, portfolios.size());
  EXPECT_GT(spans, portfolios.size() / 2);
}

// The BASIC view is a view, not another decision: the FULL decision with its
// sentences left out, on registry answers and on unknown ones alike.
TEST(Property, BasicViewIsTheFullViewWithoutSentences) {
  std::mt19937 rng(20261205);
  const std::vector<v1::Portfolio> bases = Bases();
  std::vector<v1::Portfolio> portfolios = bases;
  for (int round = 0; round < kRounds; ++round) {
    portfolios.push_back(RandomPortfolio(bases, rng));
  }
  SnapshotVerifier registry(CaseRegistry());
  UnreachableRegistry unreachable;
  const CategoryList every = *ResolveCategories(VirginiaRulebook(), {});
  int findings = 0;
  for (size_t i = 0; i < portfolios.size(); ++i) {
    const v1::Portfolio& p = portfolios[i];
    for (CredentialVerifier* verifier :
         {static_cast<CredentialVerifier*>(&registry),
          static_cast<CredentialVerifier*>(&unreachable)}) {
      const VerificationFacts facts =
          Gather(CredentialQuestionsFor(p, kCaseDay, every), *verifier);
      v1::Decision full, basic, unspecified;
      EvaluateValidatedInto(p, VirginiaRulebook(), kCaseDay, every, facts,
                            &full, v1::DECISION_VIEW_FULL);
      EvaluateValidatedInto(p, VirginiaRulebook(), kCaseDay, every, facts,
                            &basic, v1::DECISION_VIEW_BASIC);
      EvaluateValidatedInto(p, VirginiaRulebook(), kCaseDay, every, facts,
                            &unspecified, v1::DECISION_VIEW_UNSPECIFIED);
      EXPECT_EQ(unspecified.SerializeAsString(), full.SerializeAsString())
          << "portfolio " << i << ": UNSPECIFIED is FULL";
      for (v1::CategoryDecision& category : *full.mutable_categories()) {
        for (v1::Finding& finding : *category.mutable_findings()) {
          EXPECT_FALSE(finding.message().empty())
              << "portfolio " << i << ": " << finding.rule_id()
              << " has no sentence in the FULL view";
          finding.clear_message();
          ++findings;
        }
      }
      EXPECT_EQ(basic.DebugString(), full.DebugString()) << "portfolio " << i;
    }
  }
  EXPECT_GT(findings, kRounds * 20);
}

}  // namespace
}  // namespace imh::eligibility::testing

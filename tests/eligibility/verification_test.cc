// Verification semantics shared with the registry: an endorsement is
// held on a day when it was granted by then and its status that day is ACTIVE.

#include "services/eligibility/verification.h"

#include "common/dates.h"
#include "services/eligibility/snapshot_verifier.h"
#include "tests/eligibility/test_support.h"

namespace imh::eligibility::testing {
namespace {

namespace reg = ::imh::registry::v1;
using absl::CivilDay;

// IFRS granted 2024-06-01, lapsed from 2025-01-01 (the example).
SnapshotVerifier ExampleRegistry() {
  reg::RegistrySnapshot snapshot;
  reg::Endorsement* e = snapshot.add_endorsements();
  e->set_endorsement_number("VA-IFRS-0100");
  e->set_person_id("P-100");
  e->set_category("IFRS");
  *e->mutable_granted_on() = Day(2024, 6, 1);
  reg::StatusChange* granted = e->add_history();
  granted->set_status(reg::ENDORSEMENT_STATUS_ACTIVE);
  *granted->mutable_effective_on() = Day(2024, 6, 1);
  reg::StatusChange* lapsed = e->add_history();
  lapsed->set_status(reg::ENDORSEMENT_STATUS_LAPSED);
  *lapsed->mutable_effective_on() = Day(2025, 1, 1);
  return SnapshotVerifier(std::move(snapshot));
}

CredentialAnswer Ask(SnapshotVerifier& registry, const std::string& person_id,
                     const std::string& number, CivilDay on,
                     std::vector<std::string> categories = {"IFRS", "IMHM-C"}) {
  return registry.Verify({{person_id, number, std::move(categories), on}})[0];
}

TEST(Verification, HeldOnlyFromTheGrantDay) {
  SnapshotVerifier registry = ExampleRegistry();
  EXPECT_EQ(Ask(registry, "P-100", "", CivilDay(2024, 5, 1)).status,
            CredentialStatus::kNotHeld);
  EXPECT_EQ(Ask(registry, "P-100", "", CivilDay(2024, 5, 31)).detail,
            "IFRS not granted until 2024-06-01");
  EXPECT_EQ(Ask(registry, "P-100", "", CivilDay(2024, 6, 1)).status,
            CredentialStatus::kHeld);
  const CredentialAnswer held =
      Ask(registry, "P-100", "", CivilDay(2024, 7, 1));
  EXPECT_EQ(held.status, CredentialStatus::kHeld);
  EXPECT_EQ(held.endorsement_number, "VA-IFRS-0100");
  EXPECT_EQ(held.category, "IFRS");
}

TEST(Verification, NotHeldFromTheDayItLapsed) {
  SnapshotVerifier registry = ExampleRegistry();
  EXPECT_EQ(Ask(registry, "P-100", "", CivilDay(2024, 12, 31)).status,
            CredentialStatus::kHeld);
  const CredentialAnswer lapsed =
      Ask(registry, "P-100", "", CivilDay(2025, 2, 1));
  EXPECT_EQ(lapsed.status, CredentialStatus::kNotHeld);
  EXPECT_EQ(lapsed.detail, "IFRS lapsed since 2025-01-01");
}

// RULES.md s.5-6 (R-RNW-CYCLE, R-RNW-MEM): a registry export carries the lapse
// day of an ACTIVE endorsement; offline answers follow it as the registry
// does, before any lapse run has recorded it, and leave earlier days alone.
TEST(Verification, NotHeldFromTheLapseDayBeforeAnyRunRecordedIt) {
  reg::RegistrySnapshot snapshot;
  reg::Endorsement* e = snapshot.add_endorsements();
  e->set_endorsement_number("VA-IFRS-0200");
  e->set_person_id("P-200");
  e->set_category("IFRS");
  *e->mutable_granted_on() = Day(2020, 3, 1);
  *e->mutable_lapses_on() = Day(2025, 1, 1);
  SnapshotVerifier registry(std::move(snapshot));
  EXPECT_EQ(Ask(registry, "P-200", "", CivilDay(2024, 12, 31)).status,
            CredentialStatus::kHeld);
  const CredentialAnswer lapsed =
      Ask(registry, "P-200", "", CivilDay(2025, 1, 1));
  EXPECT_EQ(lapsed.status, CredentialStatus::kNotHeld);
  EXPECT_EQ(lapsed.detail, "IFRS lapsed since 2025-01-01");
}

TEST(Verification, AnEndorsementNumberIdentifiesThePersonToo) {
  SnapshotVerifier registry = ExampleRegistry();
  EXPECT_EQ(Ask(registry, "", "VA-IFRS-0100", CivilDay(2024, 7, 1)).status,
            CredentialStatus::kHeld);
  EXPECT_EQ(Ask(registry, "", "VA-IFRS-9999", CivilDay(2024, 7, 1)).detail,
            "not in the registry");
}

TEST(Verification, OnlyTheAskedCategoriesCount) {
  SnapshotVerifier registry = ExampleRegistry();
  const CredentialAnswer answer =
      Ask(registry, "P-100", "", CivilDay(2024, 7, 1), {"IMHM-C"});
  EXPECT_EQ(answer.status, CredentialStatus::kNotHeld);
  EXPECT_EQ(answer.detail, "holds none of these categories");
}

class ShortAnswers final : public CredentialVerifier {
 public:
  std::vector<CredentialAnswer> Verify(
      const std::vector<CredentialQuestion>&) override {
    return {{CredentialStatus::kHeld, "VA-IFRS-0100", "IFRS", "", ""}};
  }
};

TEST(Verification, QuestionsAVerifierLeftUnansweredAreUnknown) {
  ShortAnswers verifier;
  const std::vector<CredentialQuestion> questions = {
      {"P-1", "", {"IFRS"}, CivilDay(2024, 7, 1)},
      {"P-2", "", {"IFRS"}, CivilDay(2024, 7, 1)}};
  const VerificationFacts facts = Gather(questions, verifier);
  EXPECT_EQ(facts.Find("person:P-1", "IFRS", CivilDay(2024, 7, 1)).status,
            CredentialStatus::kHeld);
  EXPECT_EQ(facts.Find("person:P-2", "IFRS", CivilDay(2024, 7, 1)).status,
            CredentialStatus::kUnknown);
  EXPECT_EQ(facts.Find("person:P-3", "IFRS", CivilDay(2024, 7, 1)).detail,
            "not asked of the registry");
}

CredentialAnswer Held(const std::string& number, const std::string& holder) {
  return {CredentialStatus::kHeld, number, "IFRS", "", holder};
}
CredentialAnswer NotHeld(const std::string& why) {
  return {CredentialStatus::kNotHeld, "", "", why, ""};
}

TEST(VerificationFacts, EachAnswerIsFiledUnderItsWholeQuestionOnly) {
  const CivilDay day(2025, 3, 4);
  const CategorySet raters({"IFRS", "IMHM-C"});
  VerificationFacts facts;
  facts.AddAll({{"P-1", "", raters, day},
                {"", "VA-IFRS-0100", raters, day},
                {"P-1", "", {"IFS"}, day}},
               {Held("VA-IFRS-0001", ""), Held("VA-IFRS-0100", "P-100"),
                NotHeld("holds none of these categories")});
  facts.Add({"P-1", "", raters, day + 1}, NotHeld("lapsed"));

  EXPECT_EQ(facts.size(), 4u);
  EXPECT_EQ(facts.Find("person:P-1", "IFRS,IMHM-C", day).endorsement_number,
            "VA-IFRS-0001");
  EXPECT_EQ(facts.Find("person:P-1", "IFS", day).detail,
            "holds none of these categories");
  EXPECT_EQ(facts.Find("person:P-1", "IFRS,IMHM-C", day + 1).detail, "lapsed");
  EXPECT_EQ(facts.Find("endorsement:VA-IFRS-0100", "IFRS,IMHM-C", day).status,
            CredentialStatus::kHeld);
  // Not asked: another day, another set, the same text as the other kind of
  // subject, a key of neither kind.
  for (const CredentialAnswer* answer :
       {&facts.Find("person:P-1", "IFRS,IMHM-C", day - 1),
        &facts.Find("person:P-1", "IFRS", day),
        &facts.Find("endorsement:P-1", "IFRS,IMHM-C", day),
        &facts.Find("P-1", "IFRS,IMHM-C", day)}) {
    EXPECT_EQ(answer->status, CredentialStatus::kUnknown);
    EXPECT_EQ(answer->detail, "not asked of the registry");
  }
  // By numbers, as by keys.
  const int p1 = facts.SubjectNumber("person:P-1");
  const int set = facts.SetNumber("IFRS,IMHM-C");
  ASSERT_GE(p1, 0);
  ASSERT_GE(set, 0);
  EXPECT_EQ(&facts.Find(p1, set, day),
            &facts.Find("person:P-1", "IFRS,IMHM-C", day));
  EXPECT_EQ(facts.SubjectNumber("person:P-2"), -1);
  EXPECT_EQ(facts.SetNumber("IFRS"), -1);
  EXPECT_EQ(facts.Find(-1, set, day).detail, "not asked of the registry");
  EXPECT_EQ(facts.Find(p1, -1, day).detail, "not asked of the registry");
  // The holder of a number, as the registry resolved it; a person id is its
  // own key.
  EXPECT_EQ(facts.PersonOf("endorsement:VA-IFRS-0100"), "P-100");
  EXPECT_EQ(facts.PersonOf("person:P-1"), "");
  // A portfolio's reference names its subject as its key does: the person id
  // when it has one, else the endorsement number; neither names none.
  v1::PersonRef by_id;
  by_id.set_person_id("P-1");
  by_id.set_endorsement_number("VA-IFRS-0100");
  v1::PersonRef by_number;
  by_number.set_endorsement_number("VA-IFRS-0100");
  v1::PersonRef number_as_id;
  number_as_id.set_person_id("VA-IFRS-0100");
  v1::PersonRef unknown;
  unknown.set_person_id("P-2");
  EXPECT_EQ(facts.SubjectNumber(by_id), p1);
  EXPECT_EQ(facts.SubjectNumber(by_number),
            facts.SubjectNumber("endorsement:VA-IFRS-0100"));
  EXPECT_GE(facts.SubjectNumber(by_number), 0);
  EXPECT_EQ(facts.SubjectNumber(number_as_id), -1);
  EXPECT_EQ(facts.SubjectNumber(unknown), -1);
  EXPECT_EQ(facts.SubjectNumber(v1::PersonRef()), -1);
  EXPECT_EQ(facts.PersonOf(by_number), "P-100");
  EXPECT_EQ(facts.PersonOf(by_id), "");
  EXPECT_EQ(facts.PersonOf(v1::PersonRef()), "");
}

TEST(VerificationFacts, ALaterAnswerToTheSameQuestionReplacesTheFirst) {
  const CivilDay day(2025, 3, 4);
  VerificationFacts facts;
  facts.AddAll({{"P-1", "", {"IFRS"}, day}, {"P-1", "", {"IFRS"}, day}},
               {Held("VA-IFRS-0001", ""), NotHeld("suspended")});
  EXPECT_EQ(facts.size(), 1u);
  EXPECT_EQ(facts.Find("person:P-1", "IFRS", day).detail, "suspended");
  facts.Add({"P-1", "", {"IFRS"}, day}, Held("VA-IFRS-0002", ""));
  EXPECT_EQ(facts.size(), 1u);
  EXPECT_EQ(facts.Find("person:P-1", "IFRS", day).endorsement_number,
            "VA-IFRS-0002");
}

TEST(VerificationFacts, MergedBatchesAnswerAsOne) {
  // Two batches of one request, numbering their subjects and sets in other
  // orders.
  const CivilDay day(2025, 3, 4);
  VerificationFacts first, second;
  first.AddAll({{"P-1", "", {"IFRS"}, day}, {"", "VA-1", {"IFS"}, day}},
               {Held("VA-IFRS-0001", ""), NotHeld("lapsed")});
  second.AddAll({{"", "VA-1", {"IFRS"}, day},
                 {"P-2", "", {"IFS"}, day},
                 {"P-1", "", {"IFRS"}, day}},
                {Held("VA-1", "P-9"), Held("VA-IFS-0002", ""),
                 NotHeld("suspended since today")});
  first.Merge(std::move(second));

  EXPECT_EQ(first.size(), 4u);
  EXPECT_EQ(first.Find("endorsement:VA-1", "IFS", day).detail, "lapsed");
  EXPECT_EQ(first.Find("endorsement:VA-1", "IFRS", day).status,
            CredentialStatus::kHeld);
  EXPECT_EQ(first.Find("person:P-2", "IFS", day).endorsement_number,
            "VA-IFS-0002");
  // The merged batch's answer to a question both asked wins.
  EXPECT_EQ(first.Find("person:P-1", "IFRS", day).detail,
            "suspended since today");
  EXPECT_EQ(first.PersonOf("endorsement:VA-1"), "P-9");
}

// A span answer as the registry gives one: the answer on `first`, then each
// change from its day.
CredentialAnswer Span(
    CredentialAnswer first, CivilDay through,
    std::vector<std::pair<CivilDay, CredentialAnswer>> later) {
  first.through = through;
  for (auto& [from, answer] : later) {
    answer.from = from;
    first.changes.push_back(std::move(answer));
  }
  return first;
}

TEST(VerificationFacts, ASpanAnswerAnswersEachDayWithTheChangeInForce) {
  const CivilDay first(2024, 5, 1), last(2025, 3, 1);
  VerificationFacts facts;
  facts.AddAll({{"P-100", "", {"IFRS"}, first, last}},
               {Span(NotHeld("IFRS not granted until 2024-06-01"), last,
                     {{CivilDay(2024, 6, 1), Held("VA-IFRS-0100", "")},
                      {CivilDay(2025, 1, 1),
                       NotHeld("IFRS lapsed since 2025-01-01")}})});
  auto on = [&](CivilDay day) -> const CredentialAnswer& {
    return facts.Find("person:P-100", "IFRS", day);
  };
  EXPECT_EQ(on(first).detail, "IFRS not granted until 2024-06-01");
  EXPECT_EQ(on(CivilDay(2024, 5, 31)).status, CredentialStatus::kNotHeld);
  EXPECT_EQ(on(CivilDay(2024, 6, 1)).status, CredentialStatus::kHeld);
  EXPECT_EQ(on(CivilDay(2024, 12, 31)).endorsement_number, "VA-IFRS-0100");
  EXPECT_EQ(on(CivilDay(2025, 1, 1)).detail, "IFRS lapsed since 2025-01-01");
  EXPECT_EQ(on(last).status, CredentialStatus::kNotHeld);
  // Outside the span: not asked.
  EXPECT_EQ(on(first - 1).detail, "not asked of the registry");
  EXPECT_EQ(on(last + 1).detail, "not asked of the registry");
  // A change names the person the answer does.
  EXPECT_EQ(facts.PersonOf("person:P-100"), "");
}

// Fail closed: a day a span answer does not cover is unknown: the registry
// answered for the first day alone (one that does not know span questions),
// through an earlier day than asked, or with changes out of order or outside
// the span; a registry that could not answer says why on every day.
TEST(VerificationFacts, DaysASpanAnswerDoesNotCoverAreUnknown) {
  const CivilDay first(2024, 7, 1), last(2024, 12, 1);
  const CivilDay mid(2024, 9, 1);
  const CategorySet ifrs({"IFRS"});
  VerificationFacts facts;
  CredentialAnswer short_span = Span(Held("VA-1", ""), mid, {});
  CredentialAnswer unordered = Span(Held("VA-4", ""), last,
                                    {{CivilDay(2024, 10, 1), NotHeld("lapsed")},
                                     {CivilDay(2024, 8, 1), Held("VA-4", "")}});
  CredentialAnswer outside =
      Span(Held("VA-5", ""), last, {{last + 1, NotHeld("lapsed")}});
  facts.AddAll(
      {{"P-1", "", ifrs, first, last},
       {"P-2", "", ifrs, first, last},
       {"P-3", "", ifrs, first, last},
       {"P-4", "", ifrs, first, last},
       {"P-5", "", ifrs, first, last}},
      {Held("VA-2", ""),
       short_span,
       {CredentialStatus::kUnknown, "", "", "registry unavailable", ""},
       unordered,
       outside});
  // No span: only the first day is answered.
  EXPECT_EQ(facts.Find("person:P-1", "IFRS", first).status,
            CredentialStatus::kHeld);
  EXPECT_EQ(facts.Find("person:P-1", "IFRS", first + 1).detail,
            "the registry's answer did not cover this day");
  // Covered through `mid` only.
  EXPECT_EQ(facts.Find("person:P-2", "IFRS", mid).status,
            CredentialStatus::kHeld);
  EXPECT_EQ(facts.Find("person:P-2", "IFRS", mid + 1).status,
            CredentialStatus::kUnknown);
  // The reason the registry gave, on every day.
  EXPECT_EQ(facts.Find("person:P-3", "IFRS", mid).detail,
            "registry unavailable");
  // Malformed spans cover their first day only.
  for (const char* subject : {"person:P-4", "person:P-5"}) {
    EXPECT_EQ(facts.Find(subject, "IFRS", first).status,
              CredentialStatus::kHeld);
    for (const CivilDay day : {first + 1, mid, last}) {
      EXPECT_EQ(facts.Find(subject, "IFRS", day).status,
                CredentialStatus::kUnknown)
          << subject << " " << FormatDay(day);
    }
  }
}

TEST(VerificationFacts, MergedBatchesKeepTheirSpans) {
  const CivilDay first(2024, 7, 1), last(2024, 12, 1);
  VerificationFacts one, two;
  one.AddAll({{"P-1", "", {"IFS"}, first}}, {Held("VA-IFS-1", "")});
  two.AddAll({{"P-2", "", {"IFS"}, first}, {"P-1", "", {"IFRS"}, first, last}},
             {NotHeld("lapsed"),
              Span(Held("VA-IFRS-1", ""), last,
                   {{CivilDay(2024, 9, 1), NotHeld("suspended")}})});
  // The same first day asked alone afterwards: the span still answers the
  // days after it.
  two.Add({"P-1", "", {"IFRS"}, first}, Held("VA-IFRS-1", ""));
  one.Merge(std::move(two));
  EXPECT_EQ(one.Find("person:P-1", "IFRS", CivilDay(2024, 8, 31)).status,
            CredentialStatus::kHeld);
  EXPECT_EQ(one.Find("person:P-1", "IFRS", CivilDay(2024, 9, 1)).detail,
            "suspended");
  EXPECT_EQ(one.Find("person:P-1", "IFRS", last).detail, "suspended");
  EXPECT_EQ(one.Find("person:P-1", "IFS", first).endorsement_number,
            "VA-IFS-1");
}

// The snapshot verifier answers a span question as the registry does: what
// each day's own question answers, day by day, on a registry with lapses,
// reinstatements and several endorsements a person.
TEST(Verification, SnapshotSpanAnswersEqualEachDaysOwnAnswer) {
  reg::RegistrySnapshot snapshot = ExampleRegistry().snapshot();
  reg::Endorsement* again = snapshot.add_endorsements();
  again->set_endorsement_number("VA-IMHM-C-0101");
  again->set_person_id("P-100");
  again->set_category("IMHM-C");
  *again->mutable_granted_on() = Day(2024, 9, 15);
  *again->mutable_lapses_on() = Day(2025, 6, 1);
  SnapshotVerifier registry(std::move(snapshot));
  const CivilDay first(2024, 1, 1), last(2025, 12, 31);
  for (const std::vector<std::string>& set :
       {std::vector<std::string>{"IFRS"},
        std::vector<std::string>{"IFRS", "IMHM-C"},
        std::vector<std::string>{"IMHS"}}) {
    for (const std::string subject : {"P-100", "P-404"}) {
      const CredentialAnswer span =
          registry.Verify({{subject, "", set, first, last}})[0];
      ASSERT_EQ(span.through, last);
      VerificationFacts facts;
      facts.Add({subject, "", set, first, last}, span);
      for (CivilDay day = first; day <= last; ++day) {
        const CredentialAnswer alone = Ask(registry, subject, "", day, set);
        const CredentialAnswer& spanned =
            facts.Find("person:" + subject, CategorySetKey(set), day);
        ASSERT_EQ(spanned.status, alone.status) << FormatDay(day);
        ASSERT_EQ(spanned.endorsement_number, alone.endorsement_number);
        ASSERT_EQ(spanned.category, alone.category);
        ASSERT_EQ(spanned.detail, alone.detail) << FormatDay(day);
      }
      if (subject == "P-100" && set.size() == 2) {
        // Held from the IFRS grant, through the IFRS lapse by IMHM-C, not
        // after its lapse day: not granted, IFRS, IMHM-C, lapsed.
        EXPECT_EQ(span.changes.size(), 3u);
      }
    }
  }
}

}  // namespace
}  // namespace imh::eligibility::testing

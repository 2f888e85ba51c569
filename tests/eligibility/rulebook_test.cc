// Loading and refusing rulebooks; dated figures.

#include "common/rulebook/rulebook.h"

#include "absl/strings/str_replace.h"
#include "common/proto_files.h"
#include "common/rulebook/params.h"
#include "services/eligibility/evaluator.h"
#include "tests/eligibility/test_support.h"

namespace imh::eligibility::testing {
namespace {

using ::testing::HasSubstr;

std::string VirginiaText() { return *ReadFileToString(IMH_TEST_RULEBOOK_PATH); }

TEST(Rulebook, VirginiaRulebookLoadsWithSevenCategories) {
  const Rulebook& rulebook = VirginiaRulebook();
  EXPECT_EQ(rulebook.proto().categories_size(), 7);
  EXPECT_EQ(rulebook.version(), "va-imh-e/2026.3");
}

TEST(Rulebook, AliasesAndCaseResolveToCanonicalCodes) {
  const Rulebook& rulebook = VirginiaRulebook();
  EXPECT_EQ(rulebook.FindCategory("FS")->code(), "IFS");
  EXPECT_EQ(rulebook.FindCategory("mhm-r/f")->code(), "IMHM-RF");
  EXPECT_EQ(rulebook.FindCategory("IMHM-R/F")->code(), "IMHM-RF");
  EXPECT_EQ(rulebook.FindCategory("MHS")->code(), "IMHS");
  EXPECT_EQ(rulebook.FindCategory("IMHM"), nullptr);
}

TEST(Rulebook, EveryAliasOfRulesMdResolves) {
  const std::pair<const char*, const char*> aliases[] = {
      {"FA", "IFA"},          {"FS", "IFS"},          {"FRS", "IFRS"},
      {"MHS", "IMHS"},        {"MHM-C", "IMHM-C"},    {"MHM-P", "IMHM-P"},
      {"MHM-R/F", "IMHM-RF"}, {"IMHM-R/F", "IMHM-RF"}};
  for (const auto& [alias, code] : aliases) {
    const auto* category = VirginiaRulebook().FindCategory(alias);
    ASSERT_NE(category, nullptr) << alias;
    EXPECT_EQ(category->code(), code);
  }
}

// A rulebook list names enum values by their code (the name without the
// enum's prefix): the whole name must be the prefix and a listed code.
TEST(Rulebook, ListsMatchEnumValuesByPrefixAndCode) {
  rulebook::v1::CodeListValue kinds;
  kinds.add_codes("PREVENTION");
  kinds.add_codes("IMH_TREATMENT");
  EXPECT_TRUE(ListHasEnum(&kinds, "SERVICE_KIND_PREVENTION", "SERVICE_KIND_"));
  EXPECT_TRUE(
      ListHasEnum(&kinds, "SERVICE_KIND_IMH_TREATMENT", "SERVICE_KIND_"));
  EXPECT_FALSE(ListHasEnum(&kinds, "SERVICE_KIND_PROMOTION", "SERVICE_KIND_"));
  EXPECT_FALSE(ListHasEnum(&kinds, "DEGREE_LEVEL_PREVENTION", "SERVICE_KIND_"));
  EXPECT_FALSE(
      ListHasEnum(&kinds, "XSERVICE_KIND_PREVENTION", "SERVICE_KIND_"));
  EXPECT_FALSE(ListHasEnum(&kinds, "SERVICE_KINX_PREVENTION", "SERVICE_KIND_"));
  EXPECT_FALSE(ListHasEnum(&kinds, "PREVENTION", "SERVICE_KIND_"));
  EXPECT_FALSE(ListHasEnum(&kinds, "", "SERVICE_KIND_"));
  EXPECT_FALSE(
      ListHasEnum(nullptr, "SERVICE_KIND_PREVENTION", "SERVICE_KIND_"));

  EXPECT_TRUE(ListHasEnumCode("POPULATION_FOCUS_BIRTH_TO_36_MONTHS",
                              "POPULATION_FOCUS_", "BIRTH_TO_36_MONTHS"));
  EXPECT_FALSE(ListHasEnumCode("POPULATION_FOCUS_BIRTH_TO_36_MONTHS",
                               "POPULATION_FOCUS_", "36_MONTHS"));
  EXPECT_FALSE(ListHasEnumCode("REFERENCE_ROLE_BIRTH_TO_36_MONTHS",
                               "POPULATION_FOCUS_", "BIRTH_TO_36_MONTHS"));
  EXPECT_FALSE(ListHasEnumCode("POPULATION_FOCUS_BIRTH_TO_36_MONTHSX",
                               "POPULATION_FOCUS_", "BIRTH_TO_36_MONTHS"));
  EXPECT_FALSE(ListHasEnumCode("POPULATION_FOCUX_BIRTH_TO_36_MONTHS",
                               "POPULATION_FOCUS_", "BIRTH_TO_36_MONTHS"));
  EXPECT_FALSE(ListHasEnumCode("", "POPULATION_FOCUS_", ""));
}

TEST(Rulebook, SyntaxErrorIsRefusedWithFileAndLine) {
  const absl::StatusOr<Rulebook> r = Rulebook::Parse(
      "version: \"x\"\ngeneral {\n  nonsense: 1\n}\n", "bad.textproto");
  ASSERT_THAT(r.status(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("bad.textproto:3:"));
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("nonsense"));
}

TEST(Rulebook, DatesOutOfOrderAreRefusedNamingTheEntryAndLine) {
  std::string text = VirginiaText();
  text = absl::StrReplaceAll(
      text, {{"values { effective_from: \"2025-01-01\" value: 12 }",
              "values { effective_from: \"2023-01-01\" value: 12 }"}});
  const absl::StatusOr<Rulebook> r = Rulebook::Parse(text, "va.textproto");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("renewal.rsc_hours_per_year.values[1]: effective_from "
                        "2023-01-01 must be after 2024-01-01"));
  EXPECT_THAT(std::string(r.status().message()),
              ::testing::ContainsRegex("va.textproto:[0-9]+:"));
}

TEST(Rulebook, UnknownCategoryCodeIsRefused) {
  std::string text = absl::StrReplaceAll(
      VirginiaText(),
      {{"codes: [\"IFRS\", \"IMHM-C\"]", "codes: [\"IFRS\", \"IMHM-X\"]"}});
  const absl::StatusOr<Rulebook> r = Rulebook::Parse(text, "va.textproto");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("categories[1](IFS).rsc.provider_categories.values[0]."
                        "codes[1]: \"IMHM-X\" is not a category code"));
}

TEST(Rulebook, UnknownEnumCodeIsRefused) {
  std::string text = absl::StrReplaceAll(
      VirginiaText(), {{"codes: [\"MASTER\", \"DOCTORATE\"]",
                        "codes: [\"MASTERS\", \"DOCTORATE\"]"}});
  const absl::StatusOr<Rulebook> r = Rulebook::Parse(text, "va.textproto");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("\"MASTERS\" is not a DegreeLevel"));
}

TEST(Rulebook, RolesInASlotDefinedByWhatTheRaterHoldsAreRefused_RRefRoles) {
  // Roles would be silently ignored there: the rulebook must not say them.
  std::string text = absl::StrReplaceAll(
      VirginiaText(), {{"must_be_endorsed: true",
                        "must_be_endorsed: true roles: \"COLLEAGUE\""}});
  const absl::StatusOr<Rulebook> r = Rulebook::Parse(text, "va.textproto");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("categories[0](IFA).references.patterns[0].slots[1]: "
                        "roles are not read in a must_be_endorsed slot"));
}

TEST(Rulebook, AnUnknownCategoryInASlotIsRefused_RRefRoles) {
  std::string text = absl::StrReplaceAll(
      VirginiaText(),
      {{"endorsed_categories { values { effective_from: \"2000-01-01\" "
        "codes: [\"IFS\"",
        "endorsed_categories { values { effective_from: \"2000-01-01\" "
        "codes: [\"IFZ\""}});
  const absl::StatusOr<Rulebook> r = Rulebook::Parse(text, "va.textproto");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("\"IFZ\" is not a category code"));
}

TEST(Rulebook, MissingFigureIsRefused) {
  std::string text = absl::StrReplaceAll(
      VirginiaText(), {{"    min_span_months { values { effective_from: "
                        "\"2000-01-01\" value: 12 } }\n",
                        ""}});
  const absl::StatusOr<Rulebook> r = Rulebook::Parse(text, "va.textproto");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("rsc: missing min_span_months"));
}

TEST(Rulebook, NegativeFigureAndBadDateAreRefused) {
  std::string text = absl::StrReplaceAll(
      VirginiaText(), {{"value: 35 }", "value: -35 }"},
                       {"effective_from: \"2024-01-01\" value: 6",
                        "effective_from: \"2024-13-01\" value: 6"}});
  const absl::StatusOr<Rulebook> r = Rulebook::Parse(text, "va.textproto");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("must be finite and >= 0"));
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("\"2024-13-01\" is not a date YYYY-MM-DD"));
}

TEST(Rulebook, FractionalMonthsAreRefused) {
  std::string text = absl::StrReplaceAll(
      VirginiaText(), {{"max_window_months { values { effective_from: "
                        "\"2000-01-01\" value: 24 } }",
                        "max_window_months { values { effective_from: "
                        "\"2000-01-01\" value: 24.5 } }"}});
  EXPECT_THAT(
      std::string(Rulebook::Parse(text, "va.textproto").status().message()),
      HasSubstr(
          "max_window_months.values[0]: value 24.5 must be a whole number"));
}

TEST(Rulebook, DuplicateAliasIsRefused) {
  std::string text = absl::StrReplaceAll(
      VirginiaText(), {{"aliases: \"MHS\"", "aliases: \"FS\""}});
  EXPECT_THAT(
      std::string(Rulebook::Parse(text, "va.textproto").status().message()),
      HasSubstr("\"FS\" is used twice"));
}

TEST(Rulebook, AFigureChangesOnItsEffectiveDate) {
  // IFS training minimum rises to 40 hours from 2027-01-01.
  std::string text = absl::StrReplaceAll(
      VirginiaText(),
      {{"  training {\n    minimum_hours { values { effective_from: "
        "\"2000-01-01\" "
        "value: 30 } }\n    typical_hours { values { effective_from: "
        "\"2000-01-01\" value: 60 } }",
        "  training {\n    minimum_hours { values { effective_from: "
        "\"2000-01-01\" "
        "value: 30 } values { effective_from: \"2027-01-01\" value: 40 } }\n"
        "    typical_hours { values { effective_from: \"2000-01-01\" value: 60 "
        "} }"}});
  const absl::StatusOr<Rulebook> rulebook =
      Rulebook::Parse(text, "va.textproto");
  ASSERT_TRUE(rulebook.ok()) << rulebook.status();
  v1::Portfolio p = EligibleIfs();
  p.clear_trainings();
  AddTraining(p, 35, v1::TRAINING_TOPIC_SOCIAL_EMOTIONAL);
  for (const auto& [day, status] :
       {std::make_pair(absl::CivilDay(2026, 12, 31), kMet),
        std::make_pair(absl::CivilDay(2027, 1, 1), kNotMet)}) {
    const auto decision =
        EvaluateWithVerifier(p, *rulebook, day, {"IFS"}, TestRegistry());
    ASSERT_TRUE(decision.ok()) << decision.status();
    EXPECT_THAT(FindingOf(decision->categories(0), "R-TRN-HOURS"),
                HasStatus(status))
        << day;
  }
}

TEST(Rulebook, EvaluationBeforeTheRulesAreInForceIsRefused) {
  v1::Portfolio p = EligibleIfa();
  for (auto& t : *p.mutable_trainings())
    *t.mutable_completed_on() = Day(1999, 1, 1);
  p.clear_work();
  p.clear_references();
  p.clear_ethics();
  p.clear_exam();
  p.mutable_membership()->set_paid_through_year(1999);
  const auto decision = EvaluateWithVerifier(
      p, VirginiaRulebook(), absl::CivilDay(1999, 6, 1), {}, TestRegistry());
  EXPECT_THAT(decision.status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

}  // namespace
}  // namespace imh::eligibility::testing

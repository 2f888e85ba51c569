// RecommendCategories: every category's outcome, and the nearest unmet one.

#include "services/eligibility/evaluator.h"
#include "tests/eligibility/test_support.h"

namespace imh::eligibility::testing {
namespace {

using ::testing::ElementsAre;

v1::Recommendation RecommendFor(const v1::Portfolio& p) {
  auto decision =
      EvaluateWithVerifier(p, VirginiaRulebook(), kAsOf, {}, TestRegistry());
  EXPECT_TRUE(decision.ok()) << decision.status();
  return Recommend(*decision);
}

TEST(Recommend, EveryCategoryIsDecidedInRulebookOrder) {
  const v1::Recommendation r = RecommendFor(EligibleIfs());
  ASSERT_EQ(r.decisions_size(), 7);
  EXPECT_EQ(r.decisions(0).category(), "IFA");
  EXPECT_EQ(r.decisions(6).category(), "IMHM-RF");
  EXPECT_EQ(r.rulebook_version(), "va-imh-e/2026.3");
}

TEST(Recommend, OnlyCategoriesWhoseEveryRequirementIsMetAreEligible) {
  // The IFS baseline meets IFA too (paid early-intervention work since 2018,
  // 30+ hours of training), since its RS provider, verified IFRS, fills IFA's
  // "endorsed professional" slot whatever role the rating declares (RULES.md,
  // filling the slots); no other category's requirements are met.
  EXPECT_THAT(RecommendFor(EligibleIfs()).eligible_categories(),
              ElementsAre("IFA", "IFS"));
}

TEST(Recommend, NearestUnmetCategoryListsWhatIsMissing) {
  // Half an hour short of both IFA's and IFS's 30 hours, and nothing else:
  // the tie goes to IFA, first in rulebook order.
  v1::Portfolio p = EligibleIfs();
  p.clear_trainings();
  AddTraining(p, 29.5, v1::TRAINING_TOPIC_SOCIAL_EMOTIONAL);
  const v1::Recommendation r = RecommendFor(p);
  EXPECT_THAT(r.eligible_categories(), ::testing::IsEmpty());
  EXPECT_EQ(r.nearest_category(), "IFA");
  ASSERT_EQ(r.missing_size(), 1);
  EXPECT_EQ(r.missing(0).rule_id(), "R-TRN-HOURS");
  EXPECT_THAT(r.missing(0), MissingAmount(0.5));
}

TEST(Recommend, TheNextStepComesAfterTheHighestEligibleCategory) {
  // Eligible for IFS; IFA (below it) is never suggested even though only its
  // reference roles differ.
  const v1::Recommendation r = RecommendFor(EligibleIfs());
  EXPECT_NE(r.nearest_category(), "IFA");
  EXPECT_NE(r.nearest_category(), "");
  const v1::Recommendation mentor = RecommendFor(EligibleImhmClinical());
  EXPECT_THAT(mentor.nearest_category(), ::testing::AnyOf("IMHM-P", "IMHM-RF"));
}

TEST(Recommend, NothingIsNearestWhenEverythingIsEligible) {
  v1::Decision decision;
  decision.add_categories()->set_outcome(v1::OUTCOME_ELIGIBLE);
  EXPECT_EQ(Recommend(decision).nearest_category(), "");
}

TEST(Recommend, OnOneArenaTheDecisionsMoveWithoutACopy) {
  auto decision = EvaluateWithVerifier(EligibleIfs(), VirginiaRulebook(), kAsOf,
                                       {}, TestRegistry());
  ASSERT_TRUE(decision.ok()) << decision.status();
  const v1::Recommendation expected = Recommend(*decision);

  google::protobuf::Arena arena;
  auto* on_arena = google::protobuf::Arena::CreateMessage<v1::Decision>(&arena);
  *on_arena = *decision;
  const v1::CategoryDecision* first = &on_arena->categories(0);
  auto* out =
      google::protobuf::Arena::CreateMessage<v1::Recommendation>(&arena);
  RecommendInto(on_arena, out);

  EXPECT_EQ(out->SerializeAsString(), expected.SerializeAsString());
  EXPECT_EQ(&out->decisions(0), first);
  EXPECT_EQ(on_arena->categories_size(), 0);
}

}  // namespace
}  // namespace imh::eligibility::testing

// The registry client's two halves of a verification without the RPC between
// them: the request it sends for a list of questions, and the facts it files
// from a complete response.

#include "services/eligibility/registry_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace imh::eligibility {
namespace {

namespace reg = registry::v1;
using ::testing::ElementsAre;

std::vector<CredentialQuestion> TwoQuestions() {
  return {
      {"P-1001",
       "VA-IFRS-000123",
       {"IFRS", "IMHM-C"},
       absl::CivilDay(2025, 3, 4)},
      {"", "VA-IFS-000777", {"IFS"}, absl::CivilDay(2026, 11, 20)},
  };
}

TEST(RegistryClientRequest, AsksEveryQuestionInOrderByIdBeforeNumber) {
  google::protobuf::Arena arena(VerifyCallArenaOptions());
  auto* request =
      google::protobuf::Arena::CreateMessage<reg::VerifyCredentialsRequest>(
          &arena);
  AddQuestions(TwoQuestions(), request);

  ASSERT_EQ(request->questions_size(), 2);
  const reg::CredentialQuestion& first = request->questions(0);
  // A person id names the subject; the number is not sent beside it.
  EXPECT_EQ(first.person_id(), "P-1001");
  EXPECT_EQ(first.endorsement_number(), "");
  EXPECT_THAT(first.categories(), ElementsAre("IFRS", "IMHM-C"));
  EXPECT_EQ(first.as_of().year(), 2025);
  EXPECT_EQ(first.as_of().month(), 3);
  EXPECT_EQ(first.as_of().day(), 4);
  const reg::CredentialQuestion& second = request->questions(1);
  EXPECT_EQ(second.person_id(), "");
  EXPECT_EQ(second.endorsement_number(), "VA-IFS-000777");
  EXPECT_THAT(second.categories(), ElementsAre("IFS"));
  EXPECT_EQ(second.as_of().year(), 2026);

  // A second batch is appended after the first.
  AddQuestions({TwoQuestions()[1]}, request);
  EXPECT_EQ(request->questions_size(), 3);
}

TEST(RegistryClientAnswers, FilesEachAnswerUnderItsQuestionAndCountsUnknowns) {
  const std::vector<CredentialQuestion> questions = TwoQuestions();
  reg::VerifyCredentialsResponse response;
  response.set_rulebook_version("va-2026.1");
  reg::CredentialAnswer* held = response.add_answers();
  held->set_status(reg::CREDENTIAL_STATUS_HELD);
  held->set_endorsement_number("VA-IFRS-000123");
  held->set_category("IFRS");
  held->set_person_id("P-1001");
  // Unknown, and the registry said nothing about why.
  response.add_answers()->set_status(reg::CREDENTIAL_STATUS_UNKNOWN);

  const VerificationOutcome outcome = AnsweredOutcome(questions, response);

  EXPECT_EQ(outcome.questions, 2);
  EXPECT_EQ(outcome.unanswered, 1);
  EXPECT_EQ(outcome.detail, "the registry could not establish 1 of 2 facts");
  EXPECT_EQ(outcome.registry_rulebook_version, "va-2026.1");
  EXPECT_FALSE(outcome.caller_deadline_exceeded);
  const CredentialAnswer& first = outcome.facts.Find(
      "person:P-1001", "IFRS,IMHM-C", absl::CivilDay(2025, 3, 4));
  EXPECT_EQ(first.status, CredentialStatus::kHeld);
  EXPECT_EQ(first.endorsement_number, "VA-IFRS-000123");
  // A subject named by person id is its own key: nothing to resolve.
  EXPECT_EQ(outcome.facts.PersonOf("person:P-1001"), "");
  const CredentialAnswer& second = outcome.facts.Find(
      "endorsement:VA-IFS-000777", "IFS", absl::CivilDay(2026, 11, 20));
  EXPECT_EQ(second.status, CredentialStatus::kUnknown);
  EXPECT_EQ(second.detail, "the registry could not establish it");
  // Filed under its own question only: another day was never asked.
  EXPECT_EQ(
      outcome.facts
          .Find("person:P-1001", "IFRS,IMHM-C", absl::CivilDay(2025, 3, 5))
          .detail,
      "not asked of the registry");
}

TEST(RegistryClientAnswers, EveryAnswerKnownLeavesNoDetail) {
  const std::vector<CredentialQuestion> questions = {TwoQuestions()[0]};
  reg::VerifyCredentialsResponse response;
  response.add_answers()->set_status(reg::CREDENTIAL_STATUS_NOT_HELD);
  const VerificationOutcome outcome = AnsweredOutcome(questions, response);
  EXPECT_EQ(outcome.unanswered, 0);
  EXPECT_EQ(outcome.detail, "");
  EXPECT_EQ(
      outcome.facts
          .Find("person:P-1001", "IFRS,IMHM-C", absl::CivilDay(2025, 3, 4))
          .status,
      CredentialStatus::kNotHeld);
}

TEST(RegistryClientAnswers, ANumberIsResolvedToTheHolderTheRegistryNamed) {
  const std::vector<CredentialQuestion> questions = {TwoQuestions()[1]};
  reg::VerifyCredentialsResponse response;
  reg::CredentialAnswer* answer = response.add_answers();
  answer->set_status(reg::CREDENTIAL_STATUS_NOT_HELD);
  answer->set_person_id("P-2002");
  const VerificationOutcome outcome = AnsweredOutcome(questions, response);
  EXPECT_EQ(outcome.facts.PersonOf("endorsement:VA-IFS-000777"), "P-2002");
  EXPECT_EQ(outcome.facts.PersonOf("endorsement:VA-IFS-000778"), "");
}

}  // namespace
}  // namespace imh::eligibility

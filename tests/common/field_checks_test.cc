// One validator per kind of field: the eligibility service accepts exactly the
// identifiers the registry accepts, so an id that passes the first is never
// the reason the registry refuses a whole verification batch.

#include "common/field_checks.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/eligibility/validation.h"
#include "services/registry/validation.h"
#include "tests/registry/registry_test_support.h"

namespace imh {
namespace {

using registry::testing::DateOf;
using registry::testing::VirginiaRulebook;

const std::vector<std::string>& SampleIds() {
  static const auto* const kIds =
      new std::vector<std::string>{"P-1001",
                                   "p.1001",
                                   "urn:x:7",
                                   "P_1",
                                   "VA-IFRS-000123",
                                   "va-ifrs-1",
                                   "P 1001",
                                   "P-1001;",
                                   "'; DROP TABLE people; --",
                                   "Zoë",
                                   "P\t1",
                                   std::string(64, 'a'),
                                   std::string(65, 'a'),
                                   std::string(32, 'A'),
                                   std::string(33, 'A'),
                                   "A-",
                                   "-"};
  return *kIds;
}

bool EligibilityAcceptsProvider(const std::string& person_id,
                                const std::string& number) {
  eligibility::v1::Portfolio portfolio;
  portfolio.mutable_applicant()->mutable_person()->set_display_name("Alex");
  portfolio.mutable_applicant()->set_residence_state("VA");
  portfolio.mutable_applicant()->set_population_focus(
      eligibility::v1::POPULATION_FOCUS_BIRTH_TO_36_MONTHS);
  eligibility::v1::RscSession* session = portfolio.add_rsc_sessions();
  *session->mutable_held_on() = DateOf("2025-01-10");
  session->set_hours(2);
  session->set_format(eligibility::v1::RSC_FORMAT_INDIVIDUAL);
  session->mutable_provider()->set_person_id(person_id);
  session->mutable_provider()->set_endorsement_number(number);
  const FieldViolations violations =
      eligibility::ValidatePortfolio(portfolio, absl::CivilDay(2026, 1, 1));
  for (const FieldViolation& v : violations) {
    // Only the provider's identifiers are under test here.
    if (v.field.find(".provider.") == std::string::npos) {
      ADD_FAILURE() << v.field << ": " << v.description;
    }
  }
  return violations.empty();
}

bool RegistryAcceptsQuestion(const std::string& person_id,
                             const std::string& number) {
  registry::v1::VerifyCredentialsRequest request;
  registry::v1::CredentialQuestion* question = request.add_questions();
  if (!person_id.empty()) {
    question->set_person_id(person_id);
  } else {
    question->set_endorsement_number(number);
  }
  question->add_categories("IFRS");
  return registry::ValidateVerifyCredentials(request, VirginiaRulebook(), {})
      .empty();
}

TEST(FieldChecks, BothServicesAcceptTheSamePersonIds) {
  for (const std::string& id : SampleIds()) {
    EXPECT_EQ(EligibilityAcceptsProvider(id, ""),
              RegistryAcceptsQuestion(id, ""))
        << "person id \"" << id << "\"";
  }
}

TEST(FieldChecks, BothServicesAcceptTheSameEndorsementNumbers) {
  for (const std::string& number : SampleIds()) {
    EXPECT_EQ(EligibilityAcceptsProvider("", number),
              RegistryAcceptsQuestion("", number))
        << "endorsement number \"" << number << "\"";
  }
}

TEST(FieldChecks, IdentifiersAndTextSayWhatIsWrong) {
  EXPECT_EQ(CheckId("P-1001"), "");
  EXPECT_THAT(CheckId("P 1001"), ::testing::HasSubstr("only letters"));
  EXPECT_THAT(CheckId(std::string(65, 'a')),
              ::testing::HasSubstr("at most 64"));
  EXPECT_EQ(CheckEndorsementNumber("VA-IFRS-000123"), "");
  EXPECT_THAT(CheckEndorsementNumber("va-ifrs-1"),
              ::testing::HasSubstr("capital letters"));
  EXPECT_EQ(CheckText("O'Brien; \"quoted\"", 200), "");
  EXPECT_EQ(CheckText("Bell\a", 200), "control characters are not allowed");
  EXPECT_EQ(CheckText("   ", 200), "blank");
  EXPECT_EQ(CheckHours(-1, 24, true), "must be >= 0");
  EXPECT_EQ(CheckHours(0, 24, false), "must be > 0");
  EXPECT_EQ(CheckHours(25, 24, false), "must be at most 24");
}

// A date is compared with the latest day allowed field by field: the latest
// day itself passes, the next one (across a month's or a year's end, where a
// later field is smaller) does not.
TEST(FieldChecks, DatesUpToTheLatestDayPassAndTheDayAfterIsNamed) {
  const absl::CivilDay latest(2026, 1, 31);
  EXPECT_EQ(CheckDate(DateOf("2026-01-31"), latest, "the as-of date"), "");
  EXPECT_EQ(CheckDate(DateOf("2025-12-31"), latest, "the as-of date"), "");
  EXPECT_EQ(CheckDate(DateOf("2026-02-01"), latest, "the as-of date"),
            "after the as-of date (2026-01-31)");
  EXPECT_EQ(CheckDate(DateOf("2027-01-01"), latest, "the as-of date"),
            "after the as-of date (2026-01-31)");
  EXPECT_EQ(CheckDate(DateOf("2026-02-01"), std::nullopt), "");
  EXPECT_EQ(CheckDate(DateOf("1899-12-31"), latest), "before 1900");
  EXPECT_EQ(CheckDate(DateOf("1900-01-01"), latest), "");
  google::type::Date not_a_day;
  not_a_day.set_year(2025);
  not_a_day.set_month(2);
  not_a_day.set_day(29);
  EXPECT_THAT(CheckDate(not_a_day, latest),
              ::testing::StartsWith("not a complete calendar date: "
                                    "2025-02-29 is not"));
  EXPECT_EQ(CheckDate(DateOf("2024-02-29"), latest), "");
}

// CheckText looks at eight bytes at a time: every byte value, at every
// position of texts up to 17 bytes long (two words and a tail), among
// printable ASCII and UTF-8 bytes, is found exactly when it is a control
// character.
TEST(FieldChecks, TextControlCharactersFoundAtAnyPositionAndOfAnyValue) {
  for (size_t length = 1; length <= 17; ++length) {
    for (size_t position = 0; position < length; ++position) {
      for (int byte = 0; byte < 256; ++byte) {
        for (const char filler : {'a', '\xc3', '\x80', '\xff', ' '}) {
          std::string text(length, filler);
          text[position] = static_cast<char>(byte);
          const bool control = byte < 0x20 || byte == 0x7f;
          const bool blank = text == std::string(length, ' ');
          EXPECT_EQ(CheckText(text, 200),
                    control ? "control characters are not allowed"
                    : blank ? "blank"
                            : "")
              << "length " << length << ", byte " << byte << " at " << position
              << ", filler " << int{filler};
        }
      }
    }
  }
}

}  // namespace
}  // namespace imh

// The registry's CSV format (tools/cli/registry_csv.h).

#include "tools/cli/registry_csv.h"

#include "common/dates.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace imh::tools {
namespace {

namespace reg = registry::v1;
using ::testing::HasSubstr;

reg::RegistryRecord Record() {
  reg::RegistryRecord record;
  record.mutable_person()->set_person_id("P-7");
  record.mutable_person()->set_display_name("O'Brien, \"Kit\"\nJr.");
  record.mutable_person()->set_county("Fairfax");
  record.mutable_person()->set_membership_paid_through_year(2026);
  reg::Endorsement& e = *record.mutable_endorsement();
  e.set_person_id("P-7");
  e.set_display_name(record.person().display_name());
  e.set_endorsement_number("VA-IFS-7");
  e.set_category("IFS");
  *e.mutable_granted_on() = ToProtoDate(absl::CivilDay(2020, 2, 29));
  reg::StatusChange& granted = *e.add_history();
  granted.set_status(reg::ENDORSEMENT_STATUS_ACTIVE);
  *granted.mutable_effective_on() = e.granted_on();
  granted.set_reason("granted, with a comma");
  reg::StatusChange& lapsed = *e.add_history();
  lapsed.set_status(reg::ENDORSEMENT_STATUS_LAPSED);
  *lapsed.mutable_effective_on() = ToProtoDate(absl::CivilDay(2024, 1, 1));
  return record;
}

TEST(RegistryCsv, ExportThenImportGivesBackTheRecord) {
  const std::string text = RegistryCsvHeader() + RegistryCsvRow(Record());
  absl::StatusOr<std::vector<CsvRecord>> rows = ParseRegistryCsv(text);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].line, 2);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      (*rows)[0].record, Record()))
      << (*rows)[0].record.DebugString();
}

TEST(RegistryCsv, RowsKeepTheLineTheyStartOn) {
  const std::string text = RegistryCsvHeader() + RegistryCsvRow(Record()) +
                           "\n" + RegistryCsvRow(Record());
  absl::StatusOr<std::vector<CsvRecord>> rows = ParseRegistryCsv(text);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  // The display name spans two lines; a blank line follows the first row.
  EXPECT_EQ((*rows)[1].line, 5);
}

TEST(RegistryCsv, MalformedFilesNameTheLineAndColumn) {
  const std::string header = RegistryCsvHeader();
  EXPECT_THAT(ParseRegistryCsv("person_id,shoe_size\r\n").status().message(),
              HasSubstr("unknown column \"shoe_size\""));
  EXPECT_THAT(
      ParseRegistryCsv(header + "P-1,A,B,2026,VA-1,IFS,2020-13-01,,,,\r\n")
          .status()
          .message(),
      HasSubstr("line 2, column granted_on"));
  EXPECT_THAT(ParseRegistryCsv(header + "P-1,A,B,soon,VA-1,IFS,,,,,\r\n")
                  .status()
                  .message(),
              HasSubstr("line 2, column membership_paid_through_year"));
  EXPECT_THAT(ParseRegistryCsv(header + "P-1,\"A,B\r\n").status().message(),
              HasSubstr("never ends"));
  EXPECT_THAT(ParseRegistryCsv(header + "P-1,A\r\n").status().message(),
              HasSubstr("line 2: 2 fields"));
  EXPECT_THAT(ParseRegistryCsv(header + "P-1,A,B,,VA-1,IFS,,,,,[{]\r\n")
                  .status()
                  .message(),
              HasSubstr("line 2, column history"));
}

}  // namespace
}  // namespace imh::tools

// JSON files that explain themselves: whole-line "//" comments are read past,
// with line numbers kept, and nothing inside a JSON string is touched.

#include "common/proto_files.h"

#include <gtest/gtest.h>

#include <fstream>

#include "imh/eligibility/v1/portfolio.pb.h"

namespace imh {
namespace {

TEST(BlankCommentLines, BlanksWholeLineCommentsAndKeepsLineNumbers) {
  EXPECT_EQ(BlankCommentLines("// a\n{\n  // b\n  \"x\": 1\n}\n"),
            "\n{\n\n  \"x\": 1\n}\n");
}

TEST(BlankCommentLines, LeavesSlashesInsideValuesAlone) {
  const std::string json = "{\"url\": \"https://example.org//x\"} // tail\n";
  EXPECT_EQ(BlankCommentLines(json), json);
}

TEST(ReadJsonFile, ReadsAPortfolioWithCommentLines) {
  const std::string path = ::testing::TempDir() + "/commented_portfolio.json";
  std::ofstream(path) << "// the portal's id\n{\n  // who\n"
                         "  \"portfolioId\": \"p-1\",\n"
                         "  \"applicant\": {\"residenceState\": \"VA\"}\n}\n";
  eligibility::v1::Portfolio portfolio;
  ASSERT_TRUE(ReadJsonFile(path, &portfolio).ok());
  EXPECT_EQ(portfolio.portfolio_id(), "p-1");
  EXPECT_EQ(portfolio.applicant().residence_state(), "VA");
}

TEST(ReadJsonFile, AnInlineCommentIsStillAnError) {
  const std::string path = ::testing::TempDir() + "/inline_comment.json";
  std::ofstream(path) << "{\"portfolioId\": \"p-1\" // no\n}\n";
  eligibility::v1::Portfolio portfolio;
  EXPECT_EQ(ReadJsonFile(path, &portfolio).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace imh

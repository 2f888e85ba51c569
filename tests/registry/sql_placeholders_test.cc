// SQLite's parameters become PostgreSQL's, and nothing else changes.

#include "gtest/gtest.h"
#include "services/registry/sql/placeholders.h"

namespace imh::registry::sql {
namespace {

TEST(NumberPlaceholders, QuestionMarksTakeTheNextNumber) {
  const NumberedStatement s =
      NumberPlaceholders("INSERT INTO t VALUES (?, ?, ?)");
  EXPECT_EQ(s.sql, "INSERT INTO t VALUES ($1, $2, $3)");
  EXPECT_EQ(s.count, 3);
}

TEST(NumberPlaceholders, NumberedOnesKeepTheirNumberAndMayRepeat) {
  const NumberedStatement s = NumberPlaceholders(
      "SELECT 1 WHERE a = ?1 AND b = (SELECT c FROM d WHERE e = ?1) AND f = ?2"
      " AND g = ?");
  EXPECT_EQ(s.sql,
            "SELECT 1 WHERE a = $1 AND b = (SELECT c FROM d WHERE e = $1) AND"
            " f = $2 AND g = $3");
  EXPECT_EQ(s.count, 3);
}

TEST(NumberPlaceholders, NamesTakeNumbersAfterThePositionalOnes) {
  const NumberedStatement s = NumberPlaceholders(
      "SELECT x FROM e WHERE (e.person_id = ?) AND e.status = :active AND"
      " e.lapses_on <= :as_of AND :active > 0");
  EXPECT_EQ(s.sql,
            "SELECT x FROM e WHERE (e.person_id = $1) AND e.status = $2 AND"
            " e.lapses_on <= $3 AND $2 > 0");
  ASSERT_EQ(s.count, 3);
  EXPECT_EQ(s.names[0], "");
  EXPECT_EQ(s.names[1], ":active");
  EXPECT_EQ(s.names[2], ":as_of");
}

TEST(NumberPlaceholders, QuotesCommentsAndCastsAreLeftAlone) {
  const NumberedStatement s = NumberPlaceholders(
      "SELECT 'what? :no', \"col?\", x::text -- a ? here\n"
      "FROM t WHERE y = ? AND z = 'it''s ?'");
  EXPECT_EQ(s.sql,
            "SELECT 'what? :no', \"col?\", x::text -- a ? here\n"
            "FROM t WHERE y = $1 AND z = 'it''s ?'");
  EXPECT_EQ(s.count, 1);
}

}  // namespace
}  // namespace imh::registry::sql

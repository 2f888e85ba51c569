// FoldForSearch: what the registry's name and county search compares.

#include "services/registry/text_fold.h"

#include <gtest/gtest.h>

namespace imh::registry {
namespace {

TEST(FoldForSearch, CaseAndAccentsFoldInEveryScript) {
  EXPECT_EQ(FoldForSearch("Zoë"), "zoe");
  EXPECT_EQ(FoldForSearch("ZOË"), "zoe");
  EXPECT_EQ(FoldForSearch("Ångström"), "angstrom");
  EXPECT_EQ(FoldForSearch("Núñez"), "nunez");
  EXPECT_EQ(FoldForSearch("Straße"), "strasse");
  EXPECT_EQ(FoldForSearch("ΣΟΦΊΑ"), FoldForSearch("σοφια"));
  EXPECT_EQ(FoldForSearch("ﬁne"), "fine");
}

TEST(FoldForSearch, LettersThatAreNotAccentedStay) {
  // Ł is its own letter, not L with a combining mark.
  EXPECT_EQ(FoldForSearch("Łucja"), "łucja");
  EXPECT_EQ(FoldForSearch("O'Neil-Smith 100% _"), "o'neil-smith 100% _");
}

TEST(FoldForSearch, InvalidUtf8DoesNotFail) {
  EXPECT_FALSE(FoldForSearch(std::string("a\xff"
                                         "b"))
                   .empty());
}

TEST(CodePointCount, CountsCharactersNotBytes) {
  EXPECT_EQ(CodePointCount("zoe"), 3);
  EXPECT_EQ(CodePointCount(FoldForSearch("Łu")), 2);
  EXPECT_EQ(CodePointCount(""), 0);
}

}  // namespace
}  // namespace imh::registry

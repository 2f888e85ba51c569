// AppendJsonString writes a JSON string literal: quotes, backslashes and
// control characters escaped, every other byte as it is.

#include "common/json_text.h"

#include <random>
#include <string>

#include "absl/strings/str_format.h"
#include "gtest/gtest.h"

namespace imh {
namespace {

// The definition, a character at a time.
std::string Reference(const std::string& value) {
  std::string out = "\"";
  for (const char c : value) {
    if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += absl::StrFormat("\\u%04x", static_cast<unsigned char>(c));
    } else {
      out.push_back(c);
    }
  }
  return out + "\"";
}

std::string Written(const std::string& value) {
  std::string out = "x";  // appends, never replaces
  AppendJsonString(out, value);
  return out.substr(1);
}

TEST(JsonText, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(Written(""), "\"\"");
  EXPECT_EQ(Written("plain"), "\"plain\"");
  EXPECT_EQ(Written("a\"b\\c\nd\te\x01"), "\"a\\\"b\\\\c\\nd\\u0009e\\u0001\"");
  EXPECT_EQ(Written("\"\""), "\"\\\"\\\"\"");
  EXPECT_EQ(Written("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
}

TEST(JsonText, WritesEveryByteAtEveryPositionAsTheDefinitionDoes) {
  for (int byte = 0; byte < 256; ++byte) {
    for (const std::string& around :
         {std::string(), std::string("ab"), std::string("\"x\\")}) {
      const std::string value =
          around + static_cast<char>(byte) + around + static_cast<char>(byte);
      ASSERT_EQ(Written(value), Reference(value)) << byte;
    }
  }
  std::mt19937 random(3);
  for (int i = 0; i < 20000; ++i) {
    std::string value(random() % 40, ' ');
    for (char& c : value) c = static_cast<char>(random() % 256);
    ASSERT_EQ(Written(value), Reference(value));
  }
}

}  // namespace
}  // namespace imh

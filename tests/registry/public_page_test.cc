// The public Active Registry pages (public_page.h) on a real registry's HTTP
// port, driven with a plain HTTP client: what they answer, what they escape,
// and that hostile queries get an error page, never a crash. The browser test
// (tests/http/public_page_test.py) checks how the pages look and behave; this
// one runs in every build, the sanitized one included.

#include <httplib.h>

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/registry/registry_test_support.h"

namespace imh::registry::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class PublicPageTest : public RegistryTest {
 protected:
  void CustomizeServer(RegistryServerOptions& options) override {
    options.http_listen_address = "127.0.0.1:0";
    options.public_pages = true;
    // Enough for every request of a test from one address.
    options.public_page.burst = 100;
  }

  httplib::Result Get(const std::string& path_and_query) {
    httplib::Client client("127.0.0.1", server_->http_port());
    client.set_read_timeout(10, 0);
    return client.Get(path_and_query);
  }
};

TEST_F(PublicPageTest, ActiveHolderIsListedWithNameAndSearchTermEscaped) {
  AddPerson("P-1", "<script>alert(\"x\")</script> & Co", "Fairfax");
  const v1::Endorsement granted = Grant("P-1", "IFS", "2025-03-01");

  const httplib::Result page = Get("/registry?name=%3Cscript%3E");
  ASSERT_TRUE(page) << httplib::to_string(page.error());
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_THAT(page->body, HasSubstr(granted.endorsement_number()));
  EXPECT_THAT(page->body,
              HasSubstr("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; "
                        "&amp; Co"));
  EXPECT_THAT(page->body, Not(HasSubstr("<script>")));
  EXPECT_THAT(page->body, HasSubstr("1 professional with an active"));
}

// RULES.md s.5 and s.6: a lapsed endorsement drops off the Active Registry
// (not valid today, not listed as active) but is still found by number.
TEST_F(PublicPageTest, ValidityAnswersActiveAndLapsedFromTheRegistry) {
  AddPerson("P-1", "Ada Active", "Fairfax");
  AddPerson("P-2", "Lee Lapsed", "Henrico");
  const v1::Endorsement active = Grant("P-1", "IFS", "2025-03-01");
  const v1::Endorsement lapsed = Grant("P-2", "IFRS", "2024-06-01");
  ChangeStatus(lapsed.endorsement_number(), v1::ENDORSEMENT_STATUS_LAPSED,
               "2026-01-01");

  const httplib::Result valid =
      Get("/registry/valid?number=" + active.endorsement_number());
  ASSERT_TRUE(valid);
  EXPECT_EQ(valid->status, 200);
  EXPECT_THAT(valid->body, HasSubstr(absl::StrCat(active.endorsement_number(),
                                                  " is valid today.")));

  const httplib::Result not_valid =
      Get("/registry/valid?number=" + lapsed.endorsement_number());
  ASSERT_TRUE(not_valid);
  EXPECT_EQ(not_valid->status, 200);
  EXPECT_THAT(not_valid->body,
              HasSubstr(absl::StrCat(lapsed.endorsement_number(),
                                     " is not valid today.")));
  EXPECT_THAT(not_valid->body, HasSubstr("lapsed since"));

  const httplib::Result listed = Get("/registry");
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->status, 200);
  EXPECT_THAT(listed->body, HasSubstr("Ada Active"));
  EXPECT_THAT(listed->body, Not(HasSubstr("Lee Lapsed")));
}

TEST_F(PublicPageTest, UnknownAndMalformedNumbersAreAnsweredNotValid) {
  const httplib::Result unknown = Get("/registry/valid?number=VA-IFS-9999999");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 200);
  EXPECT_THAT(unknown->body, HasSubstr("No endorsement numbered"));
  EXPECT_THAT(unknown->body, Not(HasSubstr("is valid today")));

  const httplib::Result malformed =
      Get("/registry/valid?number=%3Cb%3Ex%22%3C%2Fb%3E");
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->status, 400);
  EXPECT_THAT(malformed->body, HasSubstr("That is not an endorsement number"));
  EXPECT_THAT(malformed->body, Not(HasSubstr("<b>")));
}

TEST_F(PublicPageTest, HostileQueriesGetAnErrorPageAndTheServerStaysUp) {
  AddPerson("P-1", "Ada Active", "Fairfax");
  Grant("P-1", "IFS", "2025-03-01");
  // Longer than any field allows, within the URI length HTTP accepts.
  const std::string long_name(3000, 'a');
  // Each refused by the validators the RPCs use (400, with the page), but a
  // name cut to its first 200 bytes (then searched as any name) and a page
  // number without its token (page 1).
  const std::pair<std::string, int> queries[] = {
      {"/registry?name=" + long_name, 200},
      {"/registry?name=%FF%FE%00", 400},
      {"/registry?county=%00", 400},
      {"/registry?category=NOPE", 400},
      {"/registry?status=deleted", 400},
      {"/registry?page=%00%FF%FFnot-a-token&n=2", 400},
      {"/registry?page=&n=-5", 200},
      {"/registry/valid?number=" + long_name, 400},
  };
  for (const auto& [query, expected_status] : queries) {
    SCOPED_TRACE(query.substr(0, 60));
    const httplib::Result page = Get(query);
    ASSERT_TRUE(page) << httplib::to_string(page.error());
    EXPECT_EQ(page->status, expected_status);
    EXPECT_THAT(page->body, HasSubstr("</html>"));
  }
  // A URI past cpp-httplib's limit is refused before any page renders.
  const httplib::Result too_long =
      Get("/registry?name=" + std::string(20000, 'a'));
  ASSERT_TRUE(too_long);
  EXPECT_EQ(too_long->status, 414);
  const httplib::Result after = Get("/registry?name=Ada");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
  EXPECT_THAT(after->body, HasSubstr("Ada Active"));
}

TEST_F(PublicPageTest, NothingWritesThroughThePages) {
  httplib::Client client("127.0.0.1", server_->http_port());
  const httplib::Result post = client.Post("/registry", "x=1", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->get_header_value("Allow"), "GET, HEAD");
  const httplib::Result del = client.Delete("/registry/valid");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 405);
}

}  // namespace
}  // namespace imh::registry::testing

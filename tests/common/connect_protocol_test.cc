#include "common/connect_protocol.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/grpc_status.h"
#include "common/html_text.h"

namespace imh {
namespace {

using ::testing::HasSubstr;

TEST(ConnectProtocolTest, StatusCodesMapToConnectsHttpStatusesAndNames) {
  EXPECT_EQ(ConnectHttpStatus(grpc::StatusCode::OK), 200);
  EXPECT_EQ(ConnectHttpStatus(grpc::StatusCode::INVALID_ARGUMENT), 400);
  EXPECT_EQ(ConnectHttpStatus(grpc::StatusCode::FAILED_PRECONDITION), 400);
  EXPECT_EQ(ConnectHttpStatus(grpc::StatusCode::UNAUTHENTICATED), 401);
  EXPECT_EQ(ConnectHttpStatus(grpc::StatusCode::PERMISSION_DENIED), 403);
  EXPECT_EQ(ConnectHttpStatus(grpc::StatusCode::NOT_FOUND), 404);
  EXPECT_EQ(ConnectHttpStatus(grpc::StatusCode::ABORTED), 409);
  EXPECT_EQ(ConnectHttpStatus(grpc::StatusCode::RESOURCE_EXHAUSTED), 429);
  EXPECT_EQ(ConnectHttpStatus(grpc::StatusCode::CANCELLED), 499);
  EXPECT_EQ(ConnectHttpStatus(grpc::StatusCode::UNIMPLEMENTED), 501);
  EXPECT_EQ(ConnectHttpStatus(grpc::StatusCode::UNAVAILABLE), 503);
  EXPECT_EQ(ConnectHttpStatus(grpc::StatusCode::DEADLINE_EXCEEDED), 504);
  EXPECT_EQ(ConnectHttpStatus(grpc::StatusCode::DATA_LOSS), 500);
  EXPECT_EQ(ConnectCodeName(grpc::StatusCode::CANCELLED), "canceled");
  EXPECT_EQ(ConnectCodeName(grpc::StatusCode::RESOURCE_EXHAUSTED),
            "resource_exhausted");
}

TEST(ConnectProtocolTest, ErrorJsonCarriesTheBadRequestDetailDecodedAndRaw) {
  const std::string json = ConnectErrorJson(
      InvalidArgument({{"portfolio.trainings[0].clock_hours", "negative"}}));
  EXPECT_THAT(json, HasSubstr("\"code\":\"invalid_argument\""));
  EXPECT_THAT(json, HasSubstr("\"type\":\"google.rpc.BadRequest\""));
  EXPECT_THAT(json,
              HasSubstr("\"field\":\"portfolio.trainings[0].clock_hours\""));
  EXPECT_THAT(json, HasSubstr("\"value\":\""));
  // Unpadded base64, as Connect sends it.
  EXPECT_THAT(json, Not(HasSubstr("=\"")));
}

TEST(ConnectProtocolTest, OnlyCustomHeadersTravelAsMetadata) {
  EXPECT_TRUE(IsForwardedHeader("x-request-id"));
  EXPECT_TRUE(IsForwardedHeader("x-actor"));
  for (const char* header :
       {"content-type", "host", "connect-timeout-ms", "grpc-timeout",
        "authorization", "imh-forwarded-principal", "imh-forwarded-secret",
        "x-trace-bin", "remote_addr", "te", "Upper-Case"}) {
    EXPECT_FALSE(IsForwardedHeader(header)) << header;
  }
}

TEST(HtmlTextTest, EscapesMarkupAndQueryValues) {
  EXPECT_EQ(HtmlEscape("<a href=\"x\">O'Neil & co</a>"),
            "&lt;a href=&quot;x&quot;&gt;O&#39;Neil &amp; co&lt;/a&gt;");
  EXPECT_EQ(UrlQueryEscape("Prince William & co/ä"),
            "Prince%20William%20%26%20co%2F%C3%A4");
}

}  // namespace
}  // namespace imh

// The gRPC authorization policy format (gRFC A43) as the registry reads it.

#include "common/authz_policy.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace imh {
namespace {

using ::testing::HasSubstr;

constexpr char kPolicy[] = R"({
  "name": "test",
  "deny_rules": [
    {"name": "no_one_lapses_by_hand",
     "request": {"paths": ["/imh.registry.v1.RegistryService/ProcessLapses"]}}
  ],
  "allow_rules": [
    {"name": "reads", "source": {"principals": ["*"]},
     "request": {"paths": ["/imh.registry.v1.RegistryService/Get*",
                           "*/VerifyCredentials"]}},
    {"name": "writers",
     "source": {"principals": ["spiffe://imh.local/registrar",
                               "spiffe://imh.local/batch-*"]}}
  ]
})";

const std::string kCreate = "/imh.registry.v1.RegistryService/CreatePerson";
const std::string kGet = "/imh.registry.v1.RegistryService/GetPerson";
const std::string kVerify =
    "/imh.registry.v1.RegistryService/VerifyCredentials";
const std::string kLapses = "/imh.registry.v1.RegistryService/ProcessLapses";

AuthorizationPolicy Policy() {
  absl::StatusOr<AuthorizationPolicy> policy =
      AuthorizationPolicy::Parse(kPolicy);
  EXPECT_TRUE(policy.ok()) << policy.status();
  return *policy;
}

TEST(AuthorizationPolicy, NamedPrincipalMayWrite) {
  EXPECT_TRUE(Policy().Allows(kCreate, {"spiffe://imh.local/registrar"}, true));
  EXPECT_TRUE(Policy().Allows(kCreate, {"spiffe://imh.local/batch-7"}, true));
}

TEST(AuthorizationPolicy, OtherPrincipalMayReadButNotWrite) {
  const std::vector<std::string> portal = {"spiffe://imh.local/portal"};
  EXPECT_FALSE(Policy().Allows(kCreate, portal, true));
  EXPECT_TRUE(Policy().Allows(kGet, portal, true));
  EXPECT_TRUE(Policy().Allows(kVerify, portal, true));
}

TEST(AuthorizationPolicy, StarMeansAuthenticatedOnly) {
  EXPECT_FALSE(Policy().Allows(kGet, {}, false));
  EXPECT_FALSE(Policy().Allows(kCreate, {}, false));
}

TEST(AuthorizationPolicy, DenyRulesWinOverAllowRules) {
  EXPECT_FALSE(
      Policy().Allows(kLapses, {"spiffe://imh.local/registrar"}, true));
}

TEST(AuthorizationPolicy, MalformedPoliciesAreRefusedWithTheReason) {
  EXPECT_THAT(AuthorizationPolicy::Parse("{").status().message(),
              HasSubstr("authorization policy"));
  EXPECT_THAT(AuthorizationPolicy::Parse(R"({"name":"x"})").status().message(),
              HasSubstr("no allow_rules"));
  EXPECT_THAT(AuthorizationPolicy::Parse(
                  R"({"name":"x","allow_rules":[{"source":{}}]})")
                  .status()
                  .message(),
              HasSubstr("allow_rules[0]: has no name"));
  EXPECT_FALSE(AuthorizationPolicy::Parse(
                   R"({"name":"x","allow_rules":[{"name":"h","request":
                       {"headers":[{"key":"a","values":["b"]}]}}]})")
                   .ok());
  EXPECT_THAT(
      AuthorizationPolicy::Load("/nonexistent/policy.json").status().message(),
      HasSubstr("cannot read"));
}

TEST(AuthorizationPolicy, ShippedRegistryPolicyParses) {
  absl::StatusOr<AuthorizationPolicy> policy = AuthorizationPolicy::Load(
      std::string(IMH_SOURCE_DIR) + "/deploy/authz/registry_policy.json");
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_TRUE(policy->Allows(kCreate, {"spiffe://imh.local/registrar"}, true));
  EXPECT_FALSE(
      policy->Allows(kCreate, {"spiffe://imh.local/eligibility"}, true));
  EXPECT_TRUE(
      policy->Allows(kVerify, {"spiffe://imh.local/eligibility"}, true));
}

}  // namespace
}  // namespace imh

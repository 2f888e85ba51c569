// Golden tests: complete example portfolios (tests/golden/*.portfolio.json) and
// their full expected decisions (*.decision.json), verified against the demo
// registry snapshot (deploy/examples/demo_registry.json). Each expected
// decision names its as-of date and categories, which the evaluation reuses.
//
// After an intended change of behaviour, regenerate with
//   IMH_UPDATE_GOLDENS=1 build/<preset>/tests/eligibility_engine_test
//     --gtest_filter='Golden*'
// and review the diff before committing it.

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/dates.h"
#include "common/proto_files.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/eligibility/evaluator.h"
#include "services/eligibility/snapshot_verifier.h"
#include "tests/eligibility/test_support.h"

namespace imh::eligibility::testing {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> GoldenCases() {
  std::vector<std::string> cases;
  for (const auto& entry : fs::directory_iterator(IMH_GOLDEN_DIR)) {
    const std::string name = entry.path().filename().string();
    const std::string suffix = ".portfolio.json";
    if (name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      cases.push_back(name.substr(0, name.size() - suffix.size()));
    }
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

// What a case evaluates, read from its expected decision as plain JSON so that
// it survives changes of the Decision schema (and regeneration after them).
struct CaseSettings {
  absl::CivilDay as_of;
  std::vector<std::string> categories;
};

absl::StatusOr<CaseSettings> ReadCaseSettings(const std::string& path) {
  google::protobuf::Struct json;
  if (absl::Status status = ReadJsonFile(path, &json); !status.ok()) {
    return status;
  }
  const auto& fields = json.fields();
  if (!fields.contains("asOf") || !fields.contains("categories")) {
    return absl::InvalidArgumentError(path + ": no asOf or categories");
  }
  const auto& as_of = fields.at("asOf").struct_value().fields();
  CaseSettings settings{
      absl::CivilDay(static_cast<int>(as_of.at("year").number_value()),
                     static_cast<int>(as_of.at("month").number_value()),
                     static_cast<int>(as_of.at("day").number_value())),
      {}};
  for (const auto& category : fields.at("categories").list_value().values()) {
    settings.categories.push_back(
        category.struct_value().fields().at("category").string_value());
  }
  return settings;
}

TEST_P(GoldenTest, DecisionMatchesTheExpectedOneExactly) {
  const std::string base = std::string(IMH_GOLDEN_DIR) + "/" + GetParam();
  v1::Portfolio portfolio;
  ASSERT_TRUE(ReadJsonFile(base + ".portfolio.json", &portfolio).ok());
  const absl::StatusOr<CaseSettings> settings =
      ReadCaseSettings(base + ".decision.json");
  ASSERT_TRUE(settings.ok()) << settings.status();

  absl::StatusOr<SnapshotVerifier> registry =
      SnapshotVerifier::FromJsonFile(IMH_DEMO_REGISTRY);
  ASSERT_TRUE(registry.ok()) << registry.status();
  const absl::StatusOr<v1::Decision> actual =
      EvaluateWithVerifier(portfolio, VirginiaRulebook(), settings->as_of,
                           settings->categories, *registry);
  ASSERT_TRUE(actual.ok()) << actual.status();

  if (std::getenv("IMH_UPDATE_GOLDENS") != nullptr) {
    std::ofstream(base + ".decision.json") << ToJson(*actual) << "\n";
    GTEST_SKIP() << "rewrote " << base << ".decision.json";
  }
  v1::Decision expected;
  const absl::Status read = ReadJsonFile(base + ".decision.json", &expected);
  ASSERT_TRUE(read.ok()) << read;
  std::string differences;
  google::protobuf::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&differences);
  EXPECT_TRUE(differencer.Compare(expected, *actual)) << differences;
}

INSTANTIATE_TEST_SUITE_P(Golden, GoldenTest, ::testing::ValuesIn(GoldenCases()),
                         [](const auto& info) { return info.param; });

TEST(GoldenSet, EveryCategoryHasAnEligibleCaseAndANearMiss) {
  std::map<std::string, std::set<v1::Outcome>> outcomes;
  for (const std::string& name : GoldenCases()) {
    v1::Decision expected;
    ASSERT_TRUE(ReadJsonFile(
                    std::string(IMH_GOLDEN_DIR) + "/" + name + ".decision.json",
                    &expected)
                    .ok());
    for (const auto& category : expected.categories()) {
      outcomes[category.category()].insert(category.outcome());
    }
  }
  for (const auto& category : VirginiaRulebook().proto().categories()) {
    EXPECT_TRUE(outcomes[category.code()].count(kEligible)) << category.code();
    EXPECT_TRUE(outcomes[category.code()].count(kNotEligible))
        << category.code();
  }
}

}  // namespace
}  // namespace imh::eligibility::testing

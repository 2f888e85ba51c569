// Hand-derived decision cases (tests/cases/*.json; tests/cases/README.md says
// how to write one): each states a portfolio or renewal attestation, the
// registry's facts, and the decision RULES.md calls for, with its derivation.
// The runner evaluates each with the real rulebook and compares only what the
// case states: outcomes, the exact set of NOT_MET rule ids, named findings,
// shortfalls and evidence. Expectations are never generated from the engine.

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/dates.h"
#include "common/proto_files.h"
#include "imh/testing/v1/decision_case.pb.h"
#include "services/eligibility/evaluator.h"
#include "services/eligibility/renewal.h"
#include "services/eligibility/snapshot_verifier.h"
#include "tests/eligibility/test_support.h"

namespace imh::eligibility::testing {
namespace {

namespace fs = std::filesystem;
namespace tv1 = ::imh::testing::v1;

const std::string& CasesDir() {
  static const std::string* const kDir = new std::string(IMH_CASES_DIR);
  return *kDir;
}

// Every case of every case file, in file then case order.
const std::vector<tv1::DecisionCase>& AllCases() {
  static const auto* const kCases = [] {
    auto* cases = new std::vector<tv1::DecisionCase>();
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(CasesDir())) {
      const std::string name = entry.path().filename().string();
      if (entry.path().extension() == ".json" && name != "registry.json") {
        files.push_back(entry.path().string());
      }
    }
    std::sort(files.begin(), files.end());
    for (const std::string& file : files) {
      tv1::DecisionCaseFile parsed;
      const absl::Status read = ReadJsonFile(file, &parsed);
      if (!read.ok()) {
        ADD_FAILURE() << file << ": " << read;
        continue;
      }
      for (const tv1::DecisionCase& c : parsed.cases()) cases->push_back(c);
    }
    return cases;
  }();
  return *kCases;
}

std::vector<std::string> CaseNames() {
  std::vector<std::string> names;
  for (const tv1::DecisionCase& c : AllCases()) names.push_back(c.name());
  return names;
}

const tv1::DecisionCase& CaseNamed(const std::string& name) {
  for (const tv1::DecisionCase& c : AllCases()) {
    if (c.name() == name) return c;
  }
  static const tv1::DecisionCase* const kNone = new tv1::DecisionCase();
  return *kNone;
}

// The base portfolio with the case's top-level fields in place of its own.
absl::StatusOr<v1::Portfolio> PortfolioOf(const tv1::DecisionCase& c) {
  v1::Portfolio portfolio;
  if (!c.base().empty()) {
    const std::string path =
        absl::StrCat(CasesDir(), "/portfolios/", c.base(), ".json");
    if (absl::Status read = ReadJsonFile(path, &portfolio); !read.ok()) {
      return read;
    }
  }
  const google::protobuf::Descriptor* descriptor = portfolio.GetDescriptor();
  for (const std::string& field : c.clear()) {
    const auto* f = descriptor->FindFieldByName(field);
    if (f == nullptr) {
      return absl::InvalidArgumentError("clear: no portfolio field " + field);
    }
    portfolio.GetReflection()->ClearField(&portfolio, f);
  }
  v1::Portfolio overrides = c.portfolio();
  std::vector<const google::protobuf::FieldDescriptor*> set;
  overrides.GetReflection()->ListFields(overrides, &set);
  for (const auto* field : set) {
    portfolio.GetReflection()->ClearField(&portfolio, field);
  }
  portfolio.GetReflection()->SwapFields(&portfolio, &overrides, set);
  return portfolio;
}

absl::StatusOr<registry::v1::RegistrySnapshot> RegistryOf(
    const tv1::DecisionCase& c) {
  if (c.has_registry()) return c.registry();
  registry::v1::RegistrySnapshot snapshot;
  if (absl::Status read =
          ReadJsonFile(CasesDir() + "/registry.json", &snapshot);
      !read.ok()) {
    return read;
  }
  return snapshot;
}

std::set<std::string> RuleIdsWith(
    const google::protobuf::RepeatedPtrField<v1::Finding>& findings,
    v1::FindingStatus status) {
  std::set<std::string> ids;
  for (const v1::Finding& f : findings) {
    if (f.status() == status) ids.insert(f.rule_id());
  }
  return ids;
}

std::string Describe(
    const google::protobuf::RepeatedPtrField<v1::Finding>& findings) {
  std::string text;
  for (const v1::Finding& f : findings) {
    absl::StrAppend(&text, "\n  ", f.rule_id(), " ",
                    v1::FindingStatus_Name(f.status()), ": ", f.message());
  }
  return text;
}

// Checks one decided category (or renewal) against what the case expects.
void Check(const tv1::ExpectedDecision& expected, v1::Outcome outcome,
           const google::protobuf::RepeatedPtrField<v1::Finding>& findings) {
  SCOPED_TRACE(absl::StrCat(expected.category(), Describe(findings)));
  EXPECT_EQ(v1::Outcome_Name(outcome), v1::Outcome_Name(expected.outcome()));
  const std::set<std::string> not_met(expected.not_met().begin(),
                                      expected.not_met().end());
  EXPECT_EQ(
      absl::StrJoin(RuleIdsWith(findings, v1::FINDING_STATUS_NOT_MET), ","),
      absl::StrJoin(not_met, ","))
      << "the NOT_MET rule ids";
  for (const auto& [ids, status] :
       {std::make_pair(&expected.met(), v1::FINDING_STATUS_MET),
        std::make_pair(&expected.unverified(), v1::FINDING_STATUS_UNVERIFIED),
        std::make_pair(&expected.advisory(), v1::FINDING_STATUS_ADVISORY)}) {
    const std::set<std::string> found = RuleIdsWith(findings, status);
    for (const std::string& id : *ids) {
      EXPECT_TRUE(found.count(id))
          << id << " has no " << v1::FindingStatus_Name(status) << " finding";
    }
  }
  for (const tv1::ExpectedShortfall& s : expected.shortfalls()) {
    bool found = false;
    for (const v1::Finding& f : findings) {
      if (f.rule_id() != s.rule_id() || !f.has_shortfall()) continue;
      if (!s.unit().empty() && f.shortfall().unit() != s.unit()) continue;
      found = std::abs(f.shortfall().required() - s.required()) < 1e-6 &&
              std::abs(f.shortfall().counted() - s.counted()) < 1e-6;
      if (found) break;
    }
    EXPECT_TRUE(found) << "no " << s.rule_id() << " shortfall of "
                       << s.counted() << " of " << s.required() << " "
                       << s.unit();
  }
  for (const tv1::ExpectedEvidence& e : expected.evidence()) {
    bool found = false;
    for (const v1::Finding& f : findings) {
      if (f.rule_id() != e.rule_id()) continue;
      std::vector<int> cited;
      for (const v1::Evidence& evidence : f.evidence()) {
        if (evidence.path() == "portfolio." + e.collection()) {
          cited.insert(cited.end(), evidence.indices().begin(),
                       evidence.indices().end());
        }
      }
      found = found ||
              cited == std::vector<int>(e.indices().begin(), e.indices().end());
    }
    EXPECT_TRUE(found) << e.rule_id() << " does not cite exactly portfolio."
                       << e.collection() << " ["
                       << absl::StrJoin(e.indices(), ",") << "]";
  }
}

class DecisionCaseTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DecisionCaseTest, DecisionIsTheOneRulesMdCallsFor) {
  const tv1::DecisionCase& c = CaseNamed(GetParam());
  SCOPED_TRACE(c.derivation());
  const absl::StatusOr<absl::CivilDay> as_of = ParseDay(c.as_of());
  ASSERT_TRUE(as_of.ok()) << as_of.status();
  absl::StatusOr<registry::v1::RegistrySnapshot> snapshot = RegistryOf(c);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();

  if (c.has_attestation()) {
    ASSERT_EQ(c.expect_size(), 1) << "a renewal case expects one decision";
    RenewalRecord record;
    record.detail = "registry unavailable";
    if (!c.registry_unavailable()) {
      record =
          RecordFromSnapshot(*snapshot, c.attestation().endorsement_number());
    }
    const absl::StatusOr<v1::RenewalDecision> decision =
        EvaluateRenewal(c.attestation(), record, VirginiaRulebook(), *as_of);
    ASSERT_TRUE(decision.ok()) << decision.status();
    EXPECT_EQ(decision->category(), c.expect(0).category());
    Check(c.expect(0), decision->outcome(), decision->findings());
    return;
  }

  const absl::StatusOr<v1::Portfolio> portfolio = PortfolioOf(c);
  ASSERT_TRUE(portfolio.ok()) << portfolio.status();
  SnapshotVerifier registry(*std::move(snapshot));
  UnreachableRegistry unreachable;
  CredentialVerifier& verifier =
      c.registry_unavailable() ? static_cast<CredentialVerifier&>(unreachable)
                               : registry;
  const std::vector<std::string> categories(c.categories().begin(),
                                            c.categories().end());
  const absl::StatusOr<v1::Decision> decision = EvaluateWithVerifier(
      *portfolio, VirginiaRulebook(), *as_of, categories, verifier);
  ASSERT_TRUE(decision.ok()) << decision.status();
  ASSERT_EQ(decision->categories_size(), c.expect_size())
      << "one expectation per decided category";
  for (const tv1::ExpectedDecision& expected : c.expect()) {
    bool decided = false;
    for (const v1::CategoryDecision& category : decision->categories()) {
      if (category.category() != expected.category()) continue;
      decided = true;
      Check(expected, category.outcome(), category.findings());
    }
    EXPECT_TRUE(decided) << expected.category() << " was not decided";
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, DecisionCaseTest,
                         ::testing::ValuesIn(CaseNames()),
                         [](const auto& info) { return info.param; });

TEST(DecisionCaseSet, EveryCaseIsNamedUniquelyAndCarriesItsDerivation) {
  std::set<std::string> names;
  for (const tv1::DecisionCase& c : AllCases()) {
    EXPECT_TRUE(names.insert(c.name()).second) << "duplicate " << c.name();
    EXPECT_FALSE(c.name().empty());
    for (char ch : c.name()) {
      EXPECT_TRUE(std::islower(static_cast<unsigned char>(ch)) ||
                  std::isdigit(static_cast<unsigned char>(ch)) || ch == '_')
          << c.name();
    }
    EXPECT_GE(c.derivation().size(), 20u) << c.name() << " has no derivation";
    EXPECT_FALSE(c.expect().empty()) << c.name() << " expects nothing";
  }
  EXPECT_GE(AllCases().size(), 60u);
}

TEST(DecisionCaseSet, EveryCategoryHasAnEligibleCaseAndANotEligibleOne) {
  std::map<std::string, std::set<int>> outcomes;
  for (const tv1::DecisionCase& c : AllCases()) {
    if (c.has_attestation()) continue;
    for (const tv1::ExpectedDecision& e : c.expect()) {
      outcomes[e.category()].insert(e.outcome());
    }
  }
  for (const auto& category : VirginiaRulebook().proto().categories()) {
    EXPECT_TRUE(outcomes[category.code()].count(v1::OUTCOME_ELIGIBLE))
        << category.code();
    EXPECT_TRUE(outcomes[category.code()].count(v1::OUTCOME_NOT_ELIGIBLE))
        << category.code();
  }
}

}  // namespace
}  // namespace imh::eligibility::testing

// imh-eval: evaluates endorsement portfolios (or renewal attestations) offline,
// against the rulebook and a registry snapshot, and prints the decisions.

#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/dates.h"
#include "common/proto_files.h"
#include "services/eligibility/evaluator.h"
#include "services/eligibility/renewal.h"
#include "services/eligibility/snapshot_verifier.h"
#include "services/eligibility/validation.h"
#include "tools/decision_text.h"

ABSL_FLAG(std::string, rulebook, "",
          "rulebook textproto (default: $IMH_RULEBOOK or the built-in Virginia "
          "rulebook)");
ABSL_FLAG(std::string, registry, "",
          "registry snapshot (JSON) to verify raters and providers against; "
          "without it every such fact is unverified");
ABSL_FLAG(std::string, as_of, "",
          "evaluation date YYYY-MM-DD (default: today)");
ABSL_FLAG(std::vector<std::string>, category, {},
          "categories to evaluate, comma-separated (codes or aliases; default: "
          "all)");
ABSL_FLAG(bool, recommend, false,
          "recommend categories: eligible ones and the nearest unmet");
ABSL_FLAG(bool, renewal, false, "the files are renewal attestations");
ABSL_FLAG(bool, json, false, "print protobuf JSON instead of text");

namespace {

namespace v1 = imh::eligibility::v1;
using imh::eligibility::CredentialAnswer;
using imh::eligibility::CredentialQuestion;
using imh::eligibility::CredentialStatus;

// Used when no snapshot is given: nothing can be verified, so nothing is
// approved on a rater's or provider's word.
class NoRegistry final : public imh::eligibility::CredentialVerifier {
 public:
  std::vector<CredentialAnswer> Verify(
      const std::vector<CredentialQuestion>& questions) override {
    return std::vector<CredentialAnswer>(
        questions.size(),
        {CredentialStatus::kUnknown, "", "", "no registry was consulted", ""});
  }
};

int Fail(const std::string& what, const absl::Status& status) {
  std::cerr << "imh-eval: " << what << ": " << status << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "evaluates endorsement portfolios offline.\n"
      "usage: imh-eval [--registry SNAPSHOT.json] [--as-of YYYY-MM-DD] "
      "[--category IFS,...] [--recommend | --renewal] [--json] FILE.json...");
  std::vector<char*> files = absl::ParseCommandLine(argc, argv);
  files.erase(files.begin());
  if (files.empty()) {
    std::cerr << "imh-eval: no input files; see --help\n";
    return 2;
  }

  std::string rulebook_path = absl::GetFlag(FLAGS_rulebook);
  if (rulebook_path.empty()) {
    rulebook_path = imh::DefaultRulebookPath();
  }
  absl::StatusOr<imh::Rulebook> rulebook = imh::Rulebook::Load(rulebook_path);
  if (!rulebook.ok()) return Fail("rulebook", rulebook.status());

  absl::CivilDay as_of = absl::ToCivilDay(absl::Now(), absl::LocalTimeZone());
  if (!absl::GetFlag(FLAGS_as_of).empty()) {
    absl::StatusOr<absl::CivilDay> parsed =
        imh::ParseDay(absl::GetFlag(FLAGS_as_of));
    if (!parsed.ok()) return Fail("--as_of", parsed.status());
    as_of = *parsed;
  }

  std::unique_ptr<imh::eligibility::CredentialVerifier> verifier =
      std::make_unique<NoRegistry>();
  const imh::registry::v1::RegistrySnapshot* snapshot = nullptr;
  if (!absl::GetFlag(FLAGS_registry).empty()) {
    absl::StatusOr<imh::eligibility::SnapshotVerifier> read =
        imh::eligibility::SnapshotVerifier::FromJsonFile(
            absl::GetFlag(FLAGS_registry));
    if (!read.ok()) return Fail("registry", read.status());
    auto owned =
        std::make_unique<imh::eligibility::SnapshotVerifier>(*std::move(read));
    snapshot = &owned->snapshot();
    verifier = std::move(owned);
  }

  const std::vector<std::string> categories = absl::GetFlag(FLAGS_category);
  if (const auto bad = imh::eligibility::ValidateCategoryCodes(
          *rulebook, categories, "--category");
      !bad.empty()) {
    return Fail("--category", absl::InvalidArgumentError(
                                  imh::eligibility::DescribeViolations(bad)));
  }

  int failures = 0;
  for (const char* file : files) {
    if (!absl::GetFlag(FLAGS_json)) std::cout << "== " << file << "\n";
    if (absl::GetFlag(FLAGS_renewal)) {
      v1::RenewalAttestation attestation;
      if (absl::Status read = imh::ReadJsonFile(file, &attestation);
          !read.ok()) {
        failures += Fail(file, read);
        continue;
      }
      imh::eligibility::RenewalRecord record;
      record.detail = "no registry was consulted";
      if (snapshot != nullptr) {
        record = imh::eligibility::RecordFromSnapshot(
            *snapshot, attestation.endorsement_number());
      }
      absl::StatusOr<v1::RenewalDecision> decision =
          imh::eligibility::EvaluateRenewal(attestation, record, *rulebook,
                                            as_of);
      if (!decision.ok()) {
        failures += Fail(file, decision.status());
        continue;
      }
      std::cout << (absl::GetFlag(FLAGS_json)
                        ? imh::ToJson(*decision)
                        : imh::tools::RenewalText(*decision))
                << "\n";
      continue;
    }
    v1::Portfolio portfolio;
    if (absl::Status read = imh::ReadJsonFile(file, &portfolio); !read.ok()) {
      failures += Fail(file, read);
      continue;
    }
    absl::StatusOr<v1::Decision> decision =
        imh::eligibility::EvaluateWithVerifier(portfolio, *rulebook, as_of,
                                               categories, *verifier);
    if (!decision.ok()) {
      failures += Fail(file, decision.status());
      continue;
    }
    if (absl::GetFlag(FLAGS_recommend)) {
      const v1::Recommendation recommendation =
          imh::eligibility::Recommend(*std::move(decision));
      std::cout << (absl::GetFlag(FLAGS_json) ? imh::ToJson(recommendation)
                                              : imh::tools::RecommendationText(
                                                    recommendation, *rulebook))
                << "\n";
    } else {
      std::cout << (absl::GetFlag(FLAGS_json)
                        ? imh::ToJson(*decision)
                        : imh::tools::DecisionText(*decision, *rulebook))
                << "\n";
    }
  }
  return failures == 0 ? 0 : 1;
}

// A rulebook is text an operator edits. Rulebook::Parse must refuse any text
// that is not a consistent rulebook with a status, never crash; and a rulebook
// it accepts must be safe to evaluate with: the example portfolio is decided
// against it for every category, without a crash and without approving on an
// unverified fact.

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/time/civil_time.h"
#include "common/dates.h"
#include "common/proto_files.h"
#include "common/rulebook/rulebook.h"
#include "services/eligibility/evaluator.h"
#include "services/eligibility/renewal.h"
#include "tests/fuzz/fuzz_support.h"

namespace imh::fuzz {
namespace {

const eligibility::v1::Portfolio& ExamplePortfolio() {
  static const eligibility::v1::Portfolio* const portfolio = [] {
    auto* loaded = new eligibility::v1::Portfolio;
    if (!ReadJsonFile(IMH_FUZZ_EXAMPLE_PORTFOLIO, loaded).ok()) {
      InvariantBroken("the example portfolio does not load");
    }
    return loaded;
  }();
  return *portfolio;
}

void DecideWith(const imh::Rulebook& rulebook) {
  const absl::CivilDay as_of(2026, 11, 1);
  if (as_of < rulebook.in_force_from()) return;
  absl::StatusOr<eligibility::CategoryList> categories =
      eligibility::ResolveCategories(rulebook, {});
  if (!categories.ok())
    InvariantBroken("a parsed rulebook lists no categories");
  // No facts at all: every registry question is unknown, so no category that
  // asks one may come out ELIGIBLE.
  const eligibility::VerificationFacts no_facts;
  absl::StatusOr<eligibility::v1::Decision> decision = eligibility::Evaluate(
      ExamplePortfolio(), rulebook, as_of, *categories, no_facts);
  if (!decision.ok()) return;
  for (const auto& category : decision->categories()) {
    bool unverified = false;
    for (const auto& finding : category.findings()) {
      unverified |=
          finding.status() == eligibility::v1::FINDING_STATUS_UNVERIFIED;
    }
    if (unverified && category.outcome() == eligibility::v1::OUTCOME_ELIGIBLE) {
      InvariantBroken("ELIGIBLE on an unverified finding");
    }
  }
  eligibility::Recommend(*std::move(decision));
  if (rulebook.proto().categories().empty()) return;
  eligibility::v1::RenewalAttestation attestation;
  attestation.set_endorsement_number("VA-FUZZ-1");
  attestation.set_cycle_year(2027);
  *attestation.mutable_attested_on() = ToProtoDate(as_of);
  registry::v1::Endorsement endorsement;
  endorsement.set_endorsement_number("VA-FUZZ-1");
  endorsement.set_category(rulebook.proto().categories(0).code());
  *endorsement.mutable_granted_on() = ToProtoDate(absl::CivilDay(2024, 3, 1));
  endorsement.set_status(registry::v1::ENDORSEMENT_STATUS_ACTIVE);
  *endorsement.mutable_status_since() = endorsement.granted_on();
  endorsement.set_next_renewal_cycle_year(2027);
  registry::v1::Person person;
  person.set_membership_paid_through_year(2027);
  eligibility::EvaluateRenewal(attestation,
                               eligibility::FoundRecord(endorsement, &person),
                               rulebook, as_of)
      .IgnoreError();
}

}  // namespace
}  // namespace imh::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<imh::Rulebook> rulebook = imh::Rulebook::Parse(text, "fuzz");
  if (rulebook.ok()) imh::fuzz::DecideWith(*rulebook);
  return 0;
}

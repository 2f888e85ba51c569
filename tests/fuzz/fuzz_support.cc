#include "tests/fuzz/fuzz_support.h"

namespace imh::fuzz {

const eligibility::Rulebook& ShippedRulebook() {
  static const eligibility::Rulebook* const rulebook = [] {
    absl::StatusOr<eligibility::Rulebook> loaded =
        eligibility::LoadRulebookOrDefault("");
    if (!loaded.ok()) InvariantBroken("the shipped rulebook does not load");
    return new eligibility::Rulebook(std::move(*loaded));
  }();
  return *rulebook;
}

}  // namespace imh::fuzz

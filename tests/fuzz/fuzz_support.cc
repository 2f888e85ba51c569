#include "tests/fuzz/fuzz_support.h"

namespace imh::fuzz {

const imh::Rulebook& ShippedRulebook() {
  static const imh::Rulebook* const rulebook = [] {
    absl::StatusOr<imh::Rulebook> loaded = imh::LoadRulebookOrDefault("");
    if (!loaded.ok()) InvariantBroken("the shipped rulebook does not load");
    return new imh::Rulebook(std::move(*loaded));
  }();
  return *rulebook;
}

}  // namespace imh::fuzz

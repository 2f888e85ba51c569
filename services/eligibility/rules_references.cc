#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/eligibility/findings.h"
#include "services/eligibility/params.h"
#include "services/eligibility/rules.h"

namespace imh::eligibility {

namespace rb = rulebook::v1;

namespace {

// For each rating, whether the registry holds the rater as endorsed today in
// the category's rater set (raters with no registry identity: not held).
std::vector<CredentialStatus> RaterEndorsements(const EvaluationContext& ctx,
                                                const Category& category) {
  const auto* categories =
      CodesAt(category.references().endorsed_rater_categories(), ctx.as_of_iso);
  const std::string set_key = CategorySetKey(categories->codes());
  std::vector<CredentialStatus> statuses;
  statuses.reserve(ctx.portfolio.references_size());
  for (int i = 0; i < ctx.portfolio.references_size(); ++i) {
    const std::string& key = ctx.index.rater_key[i];
    statuses.push_back(key.empty()
                           ? CredentialStatus::kNotHeld
                           : ctx.facts.Find(key, set_key, ctx.as_of).status);
  }
  return statuses;
}

std::string NormalizedName(const std::string& name) {
  std::string normalized = absl::AsciiStrToLower(name);
  absl::RemoveExtraAsciiWhitespace(&normalized);
  return normalized;
}

// Whether the rater is one of the applicant's RS/C providers: the same registry
// identity, or, when the rater has none, the same name.
bool IsRscProvider(const EvaluationContext& ctx, int rating) {
  const std::string& key = ctx.index.rater_key[rating];
  const std::string name =
      NormalizedName(ctx.portfolio.references(rating).rater().display_name());
  for (int s = 0; s < ctx.portfolio.rsc_sessions_size(); ++s) {
    if (!key.empty()) {
      if (ctx.index.session_provider_key[s] == key) return true;
    } else if (!name.empty() &&
               NormalizedName(
                   ctx.portfolio.rsc_sessions(s).provider().display_name()) ==
                   name) {
      return true;
    }
  }
  return false;
}

enum class SlotFit { kNo, kYes, kUnverified };

SlotFit FitsSlot(const EvaluationContext& ctx, const rb::ReferenceSlot& slot,
                 int rating, CredentialStatus endorsement) {
  const std::string& role =
      v1::ReferenceRole_Name(ctx.portfolio.references(rating).role());
  bool role_ok = false;
  for (const std::string& accepted : slot.roles()) {
    role_ok = role_ok || ListHasEnumCode(role, "REFERENCE_ROLE_", accepted);
  }
  if (!role_ok) return SlotFit::kNo;
  if (slot.must_be_rsc_provider() && !IsRscProvider(ctx, rating)) {
    return SlotFit::kNo;
  }
  if (slot.must_be_endorsed()) {
    switch (endorsement) {
      case CredentialStatus::kHeld:
        return SlotFit::kYes;
      case CredentialStatus::kUnknown:
        return SlotFit::kUnverified;
      case CredentialStatus::kNotHeld:
        return SlotFit::kNo;
    }
  }
  return SlotFit::kYes;
}

// An assignment of ratings to a pattern's slots (-1: unfilled).
struct Assignment {
  std::vector<int> rating_of_slot;
  int filled = 0;
  int unverified = 0;
  bool Better(const Assignment& other) const {
    return filled != other.filled ? filled > other.filled
                                  : unverified < other.unverified;
  }
};

// Exhaustive search; patterns have a handful of slots and ratings are few.
void Search(const std::vector<std::vector<SlotFit>>& fits, size_t slot,
            std::vector<bool>& used, Assignment& current, Assignment& best) {
  if (slot == fits.size()) {
    if (current.Better(best)) best = current;
    return;
  }
  for (size_t r = 0; r < used.size(); ++r) {
    if (used[r] || fits[slot][r] == SlotFit::kNo) continue;
    used[r] = true;
    current.rating_of_slot[slot] = static_cast<int>(r);
    ++current.filled;
    current.unverified += fits[slot][r] == SlotFit::kUnverified;
    Search(fits, slot + 1, used, current, best);
    current.unverified -= fits[slot][r] == SlotFit::kUnverified;
    --current.filled;
    current.rating_of_slot[slot] = -1;
    used[r] = false;
  }
  Search(fits, slot + 1, used, current, best);  // leave this slot unfilled
}

Assignment BestAssignment(const EvaluationContext& ctx,
                          const std::vector<CredentialStatus>& endorsements,
                          const rb::ReferencePattern& pattern) {
  const int ratings = ctx.portfolio.references_size();
  std::vector<std::vector<SlotFit>> fits;
  for (const rb::ReferenceSlot& slot : pattern.slots()) {
    std::vector<SlotFit> row;
    for (int r = 0; r < ratings; ++r) {
      row.push_back(FitsSlot(ctx, slot, r, endorsements[r]));
    }
    fits.push_back(std::move(row));
  }
  std::vector<bool> used(ratings, false);
  Assignment current{std::vector<int>(fits.size(), -1), 0, 0};
  Assignment best = current;
  Search(fits, 0, used, current, best);
  return best;
}

std::string DescribeAssignment(const rb::ReferencePattern& pattern,
                               const Assignment& assignment) {
  std::vector<std::string> parts;
  for (int s = 0; s < pattern.slots_size(); ++s) {
    if (assignment.rating_of_slot[s] < 0) continue;
    parts.push_back(absl::StrCat(pattern.slots(s).label(), " (references[",
                                 assignment.rating_of_slot[s], "])"));
  }
  return absl::StrJoin(parts, "; ");
}

}  // namespace

void RRefCount(const EvaluationContext& ctx, const Category& category,
               CategoryDecision* out) {
  const double required =
      NumberOrZero(category.references().required_count(), ctx.as_of_iso);
  const int count = ctx.portfolio.references_size();
  const bool met = count == static_cast<int>(required);
  v1::Finding* finding =
      AddFinding(out, "R-REF-COUNT",
                 met ? v1::FINDING_STATUS_MET : v1::FINDING_STATUS_NOT_MET,
                 absl::StrCat(count, " reference rating", count == 1 ? "" : "s",
                              "; exactly ", Amount(required), " required."));
  SetShortfall(finding, "ratings", required, count);
  if (count > 0) AddEvidencePath(finding, "portfolio.references");
}

void RRefFamiliar(const EvaluationContext& ctx, const Category&,
                  CategoryDecision* out) {
  std::vector<int> missing;
  for (int i = 0; i < ctx.portfolio.references_size(); ++i) {
    if (!ctx.portfolio.references(i).familiarity_attested())
      missing.push_back(i);
  }
  if (ctx.portfolio.references_size() == 0) return;
  v1::Finding* finding = AddFinding(
      out, "R-REF-FAMILIAR",
      missing.empty() ? v1::FINDING_STATUS_MET : v1::FINDING_STATUS_NOT_MET,
      missing.empty()
          ? "Every rater attests familiarity with the applicant's capacity to "
            "implement IMH principles."
          : absl::StrCat(missing.size(),
                         " rater(s) do not attest familiarity "
                         "with the applicant's capacity to "
                         "implement IMH principles."));
  AddEvidence(finding, "references", missing);
}

void RRefEndorsed(const EvaluationContext& ctx, const Category& category,
                  CategoryDecision* out) {
  const auto& rule = category.references();
  const double required =
      NumberOrZero(rule.minimum_endorsed_raters(), ctx.as_of_iso);
  const std::string categories =
      DescribeList(CodesAt(rule.endorsed_rater_categories(), ctx.as_of_iso));
  std::vector<int> held, unknown;
  const std::vector<CredentialStatus> endorsements =
      RaterEndorsements(ctx, category);
  for (int i = 0; i < ctx.portfolio.references_size(); ++i) {
    switch (endorsements[i]) {
      case CredentialStatus::kHeld:
        held.push_back(i);
        break;
      case CredentialStatus::kUnknown:
        unknown.push_back(i);
        break;
      case CredentialStatus::kNotHeld:
        break;
    }
  }
  const double verified = static_cast<double>(held.size());
  v1::Finding* finding;
  if (AtLeast(verified, required)) {
    finding = AddFinding(
        out, "R-REF-ENDORSED", v1::FINDING_STATUS_MET,
        absl::StrCat(held.size(),
                     " rater(s) verified in the registry as holding ",
                     "an active ", categories, " endorsement; ",
                     Amount(required), " required."));
    AddEvidence(finding, "references", held);
    return;
  }
  if (AtLeast(verified + unknown.size(), required)) {
    finding = AddFinding(
        out, "R-REF-ENDORSED", v1::FINDING_STATUS_UNVERIFIED,
        absl::StrCat(
            "The registry could not confirm whether the raters hold an "
            "active ",
            categories, " endorsement; ", Amount(required),
            " verified rater(s) required."));
    AddEvidence(finding, "references", unknown);
  } else {
    finding = AddFinding(
        out, "R-REF-ENDORSED", v1::FINDING_STATUS_NOT_MET,
        absl::StrCat(
            held.size(), " of ", Amount(required),
            " required rater(s) verified in the registry as holding an "
            "active ",
            categories, " endorsement."));
  }
  SetShortfall(finding, "ratings", required, verified);
}

void RRefRoles(const EvaluationContext& ctx, const Category& category,
               CategoryDecision* out) {
  const auto& patterns = category.references().patterns();
  if (patterns.empty()) return;
  std::optional<std::pair<int, Assignment>> unverified_match;
  Assignment standard;
  const std::vector<CredentialStatus> endorsements =
      RaterEndorsements(ctx, category);
  for (int p = 0; p < patterns.size(); ++p) {
    const Assignment best = BestAssignment(ctx, endorsements, patterns[p]);
    if (p == 0) standard = best;
    if (best.filled < patterns[p].slots_size()) continue;
    if (best.unverified > 0) {
      if (!unverified_match) unverified_match = std::make_pair(p, best);
      continue;
    }
    v1::Finding* finding =
        AddFinding(out, "R-REF-ROLES", v1::FINDING_STATUS_MET,
                   absl::StrCat("The ratings fill the roles: ",
                                DescribeAssignment(patterns[p], best), "."));
    for (int rating : best.rating_of_slot) {
      AddEvidence(finding, "references", rating);
    }
    if (p > 0) {
      AddFinding(out, "R-REF-ROLES", v1::FINDING_STATUS_ADVISORY,
                 absl::StrCat("Filled by the fallback \"", patterns[p].name(),
                              "\"; the reviewer confirms that no one was "
                              "available for the standard roles."));
    }
    return;
  }
  if (unverified_match) {
    AddFinding(
        out, "R-REF-ROLES", v1::FINDING_STATUS_UNVERIFIED,
        absl::StrCat("The ratings would fill the roles (",
                     DescribeAssignment(patterns[unverified_match->first],
                                        unverified_match->second),
                     ") if the registry confirmed the endorsed rater."));
    return;
  }
  std::vector<std::string> unfilled;
  for (int s = 0; s < patterns[0].slots_size(); ++s) {
    if (standard.rating_of_slot[s] < 0) {
      unfilled.push_back(patterns[0].slots(s).label());
    }
  }
  v1::Finding* finding = AddFinding(
      out, "R-REF-ROLES", v1::FINDING_STATUS_NOT_MET,
      absl::StrCat("No rating fills: ", absl::StrJoin(unfilled, "; "), "."));
  SetShortfall(finding, "ratings", patterns[0].slots_size(), standard.filled);
}

}  // namespace imh::eligibility

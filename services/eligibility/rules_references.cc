#include "absl/container/inlined_vector.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/enum_names.h"
#include "common/rulebook/params.h"
#include "services/eligibility/findings.h"
#include "services/eligibility/rules.h"

namespace imh::eligibility {

namespace rb = rulebook::v1;

namespace {

std::string NormalizedName(const std::string& name) {
  std::string normalized = absl::AsciiStrToLower(name);
  absl::RemoveExtraAsciiWhitespace(&normalized);
  return normalized;
}

// A person as the portfolio names them, with what the registry resolved.
struct Named {
  const v1::PersonRef& ref;
  // The registry's person id: as given, else as the registry resolved it.
  const std::string& person_id;
};

Named NamedAs(const v1::PersonRef& ref, const VerificationFacts& facts) {
  return {ref, ref.person_id().empty() ? facts.PersonOf(ref) : ref.person_id()};
}

// Whether two references name the same person: by registry person id when
// both resolve to one, by endorsement number when both give the same one,
// and by name only when one of them has no registry identity at all.
bool SamePerson(const Named& a, const Named& b) {
  if (!a.person_id.empty() && !b.person_id.empty()) {
    return a.person_id == b.person_id;
  }
  if (!a.ref.endorsement_number().empty() &&
      a.ref.endorsement_number() == b.ref.endorsement_number()) {
    return true;
  }
  const bool a_known =
      !a.person_id.empty() || !a.ref.endorsement_number().empty();
  const bool b_known =
      !b.person_id.empty() || !b.ref.endorsement_number().empty();
  if (a_known && b_known) return false;
  const std::string name = NormalizedName(a.ref.display_name());
  return !name.empty() && name == NormalizedName(b.ref.display_name());
}

enum class SlotFit { kNo, kYes, kUnverified };

// Whether the rater of `rating` is "the person providing Reflective
// Supervision to the applicant": the provider of a session that counts for
// this category (kUnverified when only sessions whose provider the registry
// could not confirm match).
SlotFit RscProviderFit(const EvaluationContext& ctx,
                       const CountedSessions& counted, int rating) {
  const Named rater =
      NamedAs(ctx.portfolio.references(rating).rater(), ctx.facts);
  const auto gave_one = [&](const std::vector<int>& sessions) {
    for (int s : sessions) {
      if (SamePerson(rater, NamedAs(ctx.portfolio.rsc_sessions(s).provider(),
                                    ctx.facts))) {
        return true;
      }
    }
    return false;
  };
  if (gave_one(counted.verified)) return SlotFit::kYes;
  if (gave_one(counted.unverified)) return SlotFit::kUnverified;
  return SlotFit::kNo;
}

SlotFit FromEndorsement(CredentialStatus endorsement) {
  switch (endorsement) {
    case CredentialStatus::kHeld:
      return SlotFit::kYes;
    case CredentialStatus::kUnknown:
      return SlotFit::kUnverified;
    case CredentialStatus::kNotHeld:
      break;
  }
  return SlotFit::kNo;
}

// Whether rating `rating` fits a slot that is not defined by what the rater
// holds (must_be_endorsed slots are FromEndorsement of the rater's answer).
SlotFit FitsRoleSlot(const EvaluationContext& ctx,
                     const CountedSessions& counted,
                     const rb::ReferenceSlot& slot, int rating) {
  const std::string& role = EnumName(ctx.portfolio.references(rating).role());
  bool role_ok = false;
  for (const std::string& accepted : slot.roles()) {
    role_ok = role_ok || ListHasEnumCode(role, "REFERENCE_ROLE_", accepted);
  }
  if (!role_ok) return SlotFit::kNo;
  if (slot.must_be_rsc_provider()) {
    return RscProviderFit(ctx, counted, rating);
  }
  return SlotFit::kYes;
}

// An assignment of ratings to a pattern's slots (-1: unfilled). Patterns
// have a handful of slots: inline, so that the search copies no heap block.
struct Assignment {
  absl::InlinedVector<int, 8> rating_of_slot;
  int filled = 0;
  int unverified = 0;
  bool Better(const Assignment& other) const {
    return filled != other.filled ? filled > other.filled
                                  : unverified < other.unverified;
  }
};

// How each rating fits each slot of a pattern: fit(slot, rating).
struct SlotFits {
  int ratings = 0;
  absl::InlinedVector<SlotFit, 64> fits;  // slot-major
  SlotFit fit(size_t slot, size_t rating) const {
    return fits[slot * ratings + rating];
  }
};

// Exhaustive search; patterns have a handful of slots and ratings are few.
void Search(const SlotFits& fits, size_t slot, size_t slots,
            absl::InlinedVector<bool, 16>& used, Assignment& current,
            Assignment& best) {
  if (slot == slots) {
    if (current.Better(best)) best = current;
    return;
  }
  for (size_t r = 0; r < used.size(); ++r) {
    const SlotFit fit = fits.fit(slot, r);
    if (used[r] || fit == SlotFit::kNo) continue;
    used[r] = true;
    current.rating_of_slot[slot] = static_cast<int>(r);
    ++current.filled;
    current.unverified += fit == SlotFit::kUnverified;
    Search(fits, slot + 1, slots, used, current, best);
    current.unverified -= fit == SlotFit::kUnverified;
    --current.filled;
    current.rating_of_slot[slot] = -1;
    used[r] = false;
  }
  // Leave this slot unfilled.
  Search(fits, slot + 1, slots, used, current, best);
}

Assignment BestAssignment(const EvaluationContext& ctx,
                          const Category& category,
                          const CountedSessions& counted,
                          const rb::ReferencePattern& pattern) {
  const int ratings = ctx.portfolio.references_size();
  const int slots = pattern.slots_size();
  SlotFits fits{ratings,
                absl::InlinedVector<SlotFit, 64>(size_t{1} * slots * ratings)};
  for (int s = 0; s < slots; ++s) {
    const rb::ReferenceSlot& slot = pattern.slots(s);
    // data(), not [0]: a portfolio without ratings leaves the table empty.
    SlotFit* row = fits.fits.data() + size_t{1} * s * ratings;
    if (slot.must_be_endorsed()) {
      const std::vector<CredentialStatus>& endorsements = ctx.rater_answers.For(
          SlotEndorsedCategories(category.references(), slot, ctx.as_of_iso));
      for (int r = 0; r < ratings; ++r) {
        row[r] = FromEndorsement(endorsements[r]);
      }
    } else {
      for (int r = 0; r < ratings; ++r) {
        row[r] = FitsRoleSlot(ctx, counted, slot, r);
      }
    }
  }
  absl::InlinedVector<bool, 16> used(ratings, false);
  Assignment current{absl::InlinedVector<int, 8>(slots, -1), 0, 0};
  Assignment best = current;
  Search(fits, 0, slots, used, current, best);
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

const rb::CodeListValue* SlotEndorsedCategories(const rb::ReferenceRule& rule,
                                                const rb::ReferenceSlot& slot,
                                                absl::string_view as_of_iso) {
  return slot.endorsed_categories().values().empty()
             ? CodesAt(rule.endorsed_rater_categories(), as_of_iso)
             : CodesAt(slot.endorsed_categories(), as_of_iso);
}

void RRefCount(const EvaluationContext& ctx, const Category& category,
               CategoryDecision* out) {
  const double required =
      NumberOrZero(category.references().required_count(), ctx.as_of_iso);
  const int count = ctx.portfolio.references_size();
  const bool met = count == static_cast<int>(required);
  v1::Finding* finding = AddFinding(
      ctx, out, "R-REF-COUNT",
      met ? v1::FINDING_STATUS_MET : v1::FINDING_STATUS_NOT_MET, [&] {
        return absl::StrCat(count, " reference rating", count == 1 ? "" : "s",
                            "; exactly ", Amount(required), " required.");
      });
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
      ctx, out, "R-REF-FAMILIAR",
      missing.empty() ? v1::FINDING_STATUS_MET : v1::FINDING_STATUS_NOT_MET,
      [&] {
        return missing.empty()
                   ? "Every rater attests familiarity with the applicant's "
                     "capacity to implement IMH principles."
                   : absl::StrCat(missing.size(),
                                  " rater(s) do not attest familiarity "
                                  "with the applicant's capacity to "
                                  "implement IMH principles.");
      });
  AddEvidence(finding, "references", missing);
}

void RRefEndorsed(const EvaluationContext& ctx, const Category& category,
                  CategoryDecision* out) {
  const auto& rule = category.references();
  const double required =
      NumberOrZero(rule.minimum_endorsed_raters(), ctx.as_of_iso);
  const auto categories = [&] {
    return DescribeList(
        CodesAt(rule.endorsed_rater_categories(), ctx.as_of_iso));
  };
  std::vector<int> held, unknown;
  const std::vector<CredentialStatus>& endorsements = ctx.rater_answers.For(
      CodesAt(rule.endorsed_rater_categories(), ctx.as_of_iso));
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
    finding =
        AddFinding(ctx, out, "R-REF-ENDORSED", v1::FINDING_STATUS_MET, [&] {
          return absl::StrCat(held.size(),
                              " rater(s) verified in the registry as holding ",
                              "an active ", categories(), " endorsement; ",
                              Amount(required), " required.");
        });
    AddEvidence(finding, "references", held);
    return;
  }
  if (AtLeast(verified + unknown.size(), required)) {
    finding = AddFinding(
        ctx, out, "R-REF-ENDORSED", v1::FINDING_STATUS_UNVERIFIED, [&] {
          return absl::StrCat(
              "The registry could not confirm whether the raters hold an "
              "active ",
              categories(), " endorsement; ", Amount(required),
              " verified rater(s) required.");
        });
    AddEvidence(finding, "references", unknown);
  } else {
    finding =
        AddFinding(ctx, out, "R-REF-ENDORSED", v1::FINDING_STATUS_NOT_MET, [&] {
          return absl::StrCat(
              held.size(), " of ", Amount(required),
              " required rater(s) verified in the registry as holding an "
              "active ",
              categories(), " endorsement.");
        });
  }
  SetShortfall(finding, "ratings", required, verified);
}

void RRefRoles(const EvaluationContext& ctx, const Category& category,
               CategoryDecision* out) {
  const auto& patterns = category.references().patterns();
  if (patterns.empty()) return;
  std::optional<std::pair<int, Assignment>> unverified_match;
  Assignment standard;
  const CountedSessions& counted = CountedRscSessions(ctx, category);
  for (int p = 0; p < patterns.size(); ++p) {
    const Assignment best = BestAssignment(ctx, category, counted, patterns[p]);
    if (p == 0) standard = best;
    if (best.filled < patterns[p].slots_size()) continue;
    if (best.unverified > 0) {
      if (!unverified_match) unverified_match = std::make_pair(p, best);
      continue;
    }
    v1::Finding* finding =
        AddFinding(ctx, out, "R-REF-ROLES", v1::FINDING_STATUS_MET, [&] {
          return absl::StrCat("The ratings fill the roles: ",
                              DescribeAssignment(patterns[p], best), ".");
        });
    for (int rating : best.rating_of_slot) {
      AddEvidence(finding, "references", rating);
    }
    if (p > 0) {
      AddFinding(ctx, out, "R-REF-ROLES", v1::FINDING_STATUS_ADVISORY, [&] {
        return absl::StrCat("Filled by the fallback \"", patterns[p].name(),
                            "\"; the reviewer confirms that no one was "
                            "available for the standard roles.");
      });
    }
    return;
  }
  if (unverified_match) {
    AddFinding(ctx, out, "R-REF-ROLES", v1::FINDING_STATUS_UNVERIFIED, [&] {
      return absl::StrCat(
          "The ratings would fill the roles (",
          DescribeAssignment(patterns[unverified_match->first],
                             unverified_match->second),
          ") if the registry confirmed the raters' and providers' "
          "endorsements.");
    });
    return;
  }
  v1::Finding* finding =
      AddFinding(ctx, out, "R-REF-ROLES", v1::FINDING_STATUS_NOT_MET, [&] {
        std::vector<std::string> unfilled;
        for (int s = 0; s < patterns[0].slots_size(); ++s) {
          if (standard.rating_of_slot[s] < 0) {
            unfilled.push_back(patterns[0].slots(s).label());
          }
        }
        return absl::StrCat("No rating fills: ", absl::StrJoin(unfilled, "; "),
                            ".");
      });
  SetShortfall(finding, "ratings", patterns[0].slots_size(), standard.filled);
}

}  // namespace imh::eligibility

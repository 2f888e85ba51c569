#include "services/eligibility/validation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/dates.h"
#include "common/field_checks.h"

namespace imh::eligibility {

using L = InputLimits;

namespace {

// A field path built without allocating or copying: each part points at its
// parent, and the text is rendered only when a violation is reported, since
// valid requests (the common case) never need it. A part must not outlive its
// parent: paths are made on the stack as the validator descends.
class Path {
 public:
  explicit Path(absl::string_view root) : Path(nullptr, root, -1) {}

  Path operator()(absl::string_view field, int index = -1) const {
    return Path(this, field, index);
  }

  std::string str() const {
    std::string text;
    AppendTo(text);
    return text;
  }

 private:
  Path(const Path* parent, absl::string_view name, int index)
      : parent_(parent), name_(name), index_(index) {}

  void AppendTo(std::string& text) const {
    if (parent_ != nullptr) {
      parent_->AppendTo(text);
      text.push_back('.');
    }
    absl::StrAppend(&text, name_);
    if (index_ >= 0) absl::StrAppend(&text, "[", index_, "]");
  }

  const Path* parent_;
  absl::string_view name_;
  int index_;
};

class Validator {
 public:
  explicit Validator(absl::CivilDay as_of) : as_of_(as_of) {}

  void Fail(const Path& field, std::string description) {
    violations_.push_back({field.str(), std::move(description)});
  }

  // Free text, dates and hours: the shared field checks
  // (common/field_checks.h), with this service's limits.
  void Text(const std::string& value, const Path& path, bool required) {
    if (required && value.empty()) Fail(path, "is required");
    Verdict(path, CheckText(value, L::kMaxStringLength));
  }

  // A date that, when present (or required), is a real day on or before as-of.
  void Date(bool has, const google::type::Date& date, const Path& path,
            bool required) {
    if (!has || IsUnsetDate(date)) {
      if (required) Fail(path, "is required");
      return;
    }
    Verdict(path, CheckDate(date, as_of_, "the as-of date"));
  }

  void Hours(double value, const Path& path, double max, bool zero_ok = false) {
    Verdict(path, CheckHours(value, max, zero_ok));
  }

  void Verdict(const Path& path, std::string problem) {
    if (!problem.empty()) Fail(path, std::move(problem));
  }

  template <typename IsValid>
  void Enum(int value, IsValid is_valid, const Path& path, bool required) {
    if (!is_valid(value)) {
      Fail(path, absl::StrCat("unknown value ", value));
    } else if (required && value == 0) {
      Fail(path, "is required");
    }
  }

  void Count(int size, int max, const Path& path) {
    if (size > max) {
      Fail(path, absl::StrCat("has ", size, " entries; at most ", max,
                              " are accepted"));
    }
  }

  // A period: start required; end required unless current, not both; end not
  // before start.
  template <typename Entry>
  void Period(const Entry& entry, const Path& path) {
    Date(entry.has_started_on(), entry.started_on(), path("started_on"), true);
    const bool has_end = entry.has_ended_on() &&
                         (entry.ended_on().year() || entry.ended_on().month() ||
                          entry.ended_on().day());
    if (entry.current() && has_end) {
      Fail(path("ended_on"), "must be empty when current is true");
    } else if (!entry.current()) {
      Date(has_end, entry.ended_on(), path("ended_on"), true);
    }
    if (has_end && IsCompleteDate(entry.started_on()) &&
        IsCompleteDate(entry.ended_on()) &&
        ToCivilDayUnchecked(entry.ended_on()) <
            ToCivilDayUnchecked(entry.started_on())) {
      Fail(path("ended_on"), "is before started_on");
    }
  }

  // Identifiers are checked as the registry checks them, so that one odd id
  // is refused here with its path rather than failing the registry's batch.
  void Person(const v1::PersonRef& person, const Path& path,
              bool identity_required) {
    Text(person.display_name(), path("display_name"), !identity_required);
    Verdict(path("person_id"), CheckId(person.person_id()));
    Verdict(path("endorsement_number"),
            CheckEndorsementNumber(person.endorsement_number()));
    if (identity_required && person.person_id().empty() &&
        person.endorsement_number().empty()) {
      Fail(path("person_id"),
           "a person_id or endorsement_number is required to verify this "
           "person's endorsement");
    }
  }

  void Portfolio(const v1::Portfolio& p, const Path& root) {
    Text(p.portfolio_id(), root("portfolio_id"), false);
    const Path applicant = root("applicant");
    Person(p.applicant().person(), applicant("person"), false);
    const std::string& state = p.applicant().residence_state();
    if (state.empty()) {
      Fail(applicant("residence_state"), "is required");
    } else if (state.size() != 2 || !absl::ascii_isupper(state[0]) ||
               !absl::ascii_isupper(state[1])) {
      Fail(applicant("residence_state"),
           "must be a two-letter USPS state code in capitals, e.g. VA");
    }
    Enum(p.applicant().population_focus(), v1::PopulationFocus_IsValid,
         applicant("population_focus"), true);

    Count(p.education_size(), L::kMaxEducation, root("education"));
    for (int i = 0; i < p.education_size() && i < L::kMaxEducation; ++i) {
      const v1::EducationEntry& e = p.education(i);
      const Path path = root("education", i);
      Enum(e.level(), v1::DegreeLevel_IsValid, path("level"), true);
      Text(e.degree(), path("degree"), false);
      Text(e.field(), path("field"), false);
      Text(e.institution(), path("institution"), false);
      Date(e.has_conferred_on(), e.conferred_on(), path("conferred_on"), true);
    }
    if (p.has_cda()) {
      Date(p.cda().has_awarded_on(), p.cda().awarded_on(),
           root("cda")("awarded_on"), true);
    }

    Count(p.trainings_size(), L::kMaxTrainings, root("trainings"));
    for (int i = 0; i < p.trainings_size() && i < L::kMaxTrainings; ++i) {
      const v1::TrainingEntry& t = p.trainings(i);
      const Path path = root("trainings", i);
      Text(t.title(), path("title"), false);
      Date(t.has_completed_on(), t.completed_on(), path("completed_on"), true);
      Hours(t.clock_hours(), path("clock_hours"), L::kMaxTrainingHours);
      Enum(t.topic(), v1::TrainingTopic_IsValid, path("topic"), true);
    }

    Count(p.rsc_sessions_size(), L::kMaxRscSessions, root("rsc_sessions"));
    for (int i = 0; i < p.rsc_sessions_size() && i < L::kMaxRscSessions; ++i) {
      const v1::RscSession& s = p.rsc_sessions(i);
      const Path path = root("rsc_sessions", i);
      Date(s.has_held_on(), s.held_on(), path("held_on"), true);
      Hours(s.hours(), path("hours"), L::kMaxSessionHours);
      Enum(s.format(), v1::RscFormat_IsValid, path("format"), true);
      Person(s.provider(), path("provider"), s.format() != v1::RSC_FORMAT_PEER);
    }

    Count(p.work_size(), L::kMaxWork, root("work"));
    for (int i = 0; i < p.work_size() && i < L::kMaxWork; ++i) {
      const v1::WorkEntry& w = p.work(i);
      const Path path = root("work", i);
      Text(w.employer(), path("employer"), false);
      Text(w.role(), path("role"), false);
      Period(w, path);
      Hours(w.hours_per_week(), path("hours_per_week"), L::kMaxHoursPerWeek,
            /*zero_ok=*/true);
      Enum(w.population_served(), v1::PopulationFocus_IsValid,
           path("population_served"), true);
      Enum(w.service_kind(), v1::ServiceKind_IsValid, path("service_kind"),
           true);
      for (const auto& [value, name] :
           {std::make_pair(w.families_served(), "families_served"),
            std::make_pair(w.staff_supervised(), "staff_supervised")}) {
        if (value < 0 || value > L::kMaxFamilies) {
          Fail(path(name),
               absl::StrCat("must be between 0 and ", L::kMaxFamilies));
        }
      }
    }

    Count(p.leadership_size(), L::kMaxLeadership, root("leadership"));
    for (int i = 0; i < p.leadership_size() && i < L::kMaxLeadership; ++i) {
      const v1::LeadershipEntry& e = p.leadership(i);
      const Path path = root("leadership", i);
      Text(e.activity(), path("activity"), false);
      Enum(e.level(), v1::LeadershipLevel_IsValid, path("level"), true);
      Period(e, path);
    }

    Membership(p.membership(), root("membership"));
    const Path ethics = root("ethics");
    Date(p.ethics().has_code_of_ethics_signed_on(),
         p.ethics().code_of_ethics_signed_on(),
         ethics("code_of_ethics_signed_on"), false);
    Date(p.ethics().has_endorsement_agreement_signed_on(),
         p.ethics().endorsement_agreement_signed_on(),
         ethics("endorsement_agreement_signed_on"), false);
    Date(p.exam().has_taken_on(), p.exam().taken_on(), root("exam")("taken_on"),
         p.exam().passed());

    Count(p.references_size(), L::kMaxReferences, root("references"));
    for (int i = 0; i < p.references_size() && i < L::kMaxReferences; ++i) {
      const v1::ReferenceRating& r = p.references(i);
      const Path path = root("references", i);
      Person(r.rater(), path("rater"), false);
      Enum(r.role(), v1::ReferenceRole_IsValid, path("role"), true);
    }
  }

  void Membership(const v1::Membership& membership, const Path& path) {
    const int year = membership.paid_through_year();
    const int max_year = static_cast<int>(as_of_.year()) + L::kMaxYearsAhead;
    if (year != 0 && (year < L::kMinYear || year > max_year)) {
      Fail(path("paid_through_year"),
           absl::StrCat("must be 0 (none) or a year from ", L::kMinYear, " to ",
                        max_year));
    }
  }

  FieldViolations Take() { return std::move(violations_); }

  absl::CivilDay as_of() const { return as_of_; }

 private:
  absl::CivilDay as_of_;
  FieldViolations violations_;
};

}  // namespace

FieldViolations ValidatePortfolio(const v1::Portfolio& portfolio,
                                  absl::CivilDay as_of,
                                  absl::string_view root) {
  Validator validator(as_of);
  validator.Portfolio(portfolio, Path(root));
  return validator.Take();
}

FieldViolations ValidateCategoryCodes(const Rulebook& rulebook,
                                      const std::vector<std::string>& codes,
                                      absl::string_view field) {
  FieldViolations violations;
  if (codes.size() > static_cast<size_t>(L::kMaxCategories)) {
    violations.push_back(
        {std::string(field), absl::StrCat("at most ", L::kMaxCategories,
                                          " categories are accepted")});
    return violations;
  }
  for (size_t i = 0; i < codes.size(); ++i) {
    if (rulebook.FindCategory(codes[i]) == nullptr) {
      violations.push_back(
          {absl::StrCat(field, "[", i, "]"),
           absl::StrCat("unknown category \"", codes[i].substr(0, 64),
                        "\"; expected a code such as IFS or an alias such as "
                        "FS")});
    }
  }
  return violations;
}

FieldViolations ValidateDecisionView(int view, absl::string_view field) {
  Validator validator{absl::CivilDay()};
  validator.Enum(view, v1::DecisionView_IsValid, Path(field), false);
  return validator.Take();
}

FieldViolations ValidateRenewal(const v1::RenewalAttestation& attestation,
                                absl::CivilDay as_of,
                                absl::string_view root_view) {
  Validator validator(as_of);
  const Path root(root_view);
  validator.Person(attestation.endorsee(), root("endorsee"), false);
  if (attestation.endorsement_number().empty()) {
    validator.Fail(root("endorsement_number"), "is required");
  } else {
    validator.Verdict(root("endorsement_number"),
                      CheckEndorsementNumber(attestation.endorsement_number()));
  }
  validator.Date(attestation.has_attested_on(), attestation.attested_on(),
                 root("attested_on"), false);
  const int max_year = static_cast<int>(as_of.year()) + L::kMaxYearsAhead;
  if (attestation.cycle_year() < L::kMinYear ||
      attestation.cycle_year() > max_year) {
    validator.Fail(
        root("cycle_year"),
        absl::StrCat("must be a year from ", L::kMinYear, " to ", max_year));
  }
  validator.Count(attestation.years_size(), L::kMaxAttestedYears,
                  root("years"));
  std::vector<int> seen;
  for (int i = 0; i < attestation.years_size() && i < L::kMaxAttestedYears;
       ++i) {
    const v1::AttestedYear& year = attestation.years(i);
    const Path path = root("years", i);
    if (year.year() < L::kMinYear || year.year() > as_of.year()) {
      validator.Fail(path("year"),
                     absl::StrCat("must be a year from ", L::kMinYear, " to ",
                                  as_of.year(), " (not in the future)"));
    } else if (std::find(seen.begin(), seen.end(), year.year()) != seen.end()) {
      validator.Fail(path("year"),
                     absl::StrCat(year.year(), " is attested twice"));
    }
    seen.push_back(year.year());
    validator.Hours(year.training_hours(), path("training_hours"),
                    L::kMaxYearlyHours, true);
    validator.Hours(year.rsc_hours(), path("rsc_hours"), L::kMaxYearlyHours,
                    true);
  }
  return validator.Take();
}

std::string DescribeViolations(const FieldViolations& violations) {
  return absl::StrJoin(violations, "; ",
                       [](std::string* out, const FieldViolation& v) {
                         absl::StrAppend(out, v.field, ": ", v.description);
                       });
}

}  // namespace imh::eligibility

#include "services/registry/validation.h"

#include <algorithm>
#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/digest.h"
#include "common/field_checks.h"
#include "services/registry/page_token.h"
#include "services/registry/status_transitions.h"

namespace imh::registry {
namespace {

constexpr size_t kMaxIdLength = FieldLimits::kMaxIdLength;
constexpr size_t kMaxNameLength = 200;
constexpr size_t kMaxCountyLength = 100;
constexpr size_t kMaxReasonLength = 500;
constexpr size_t kMaxCommentLength = 2000;
constexpr size_t kMaxDecisionRecordBytes = 64 * 1024;
constexpr int kMaxAcknowledgements = 100;
constexpr int kEarliestYear = FieldLimits::kEarliestYear;
constexpr double kMaxHours = 100000;

// Collects violations under a path prefix.
class Checker {
 public:
  explicit Checker(FieldViolations& out, std::string prefix = "")
      : out_(out), prefix_(std::move(prefix)) {}

  Checker Nested(absl::string_view field) const {
    return Checker(out_, Path(field));
  }
  // Element `index` of the list `list` ("questions[3]"), its path written
  // only if a violation is added: most requests have none. Must not outlive
  // this checker; `list` must outlive both.
  Checker Element(absl::string_view list, int index) const {
    Checker element(out_);
    element.parent_ = this;
    element.list_ = list;
    element.index_ = index;
    return element;
  }
  std::string Path(absl::string_view field) const {
    const std::string prefix =
        parent_ == nullptr
            ? prefix_
            : parent_->Path(absl::StrCat(list_, "[", index_, "]"));
    return prefix.empty() ? std::string(field)
                          : absl::StrCat(prefix, ".", field);
  }
  size_t count() const { return out_.size(); }
  void Add(absl::string_view field, std::string description) {
    out_.push_back({Path(field), std::move(description)});
  }

  // Identifiers and text: the shared field checks (common/field_checks.h).
  void Id(absl::string_view field, const std::string& value, bool required) {
    Check(field, value.empty(), required, [&] { return CheckId(value); });
  }

  void Text(absl::string_view field, const std::string& value, size_t max,
            bool required) {
    Check(field, value.empty(), required,
          [&] { return CheckText(value, max); });
  }

  // A complete calendar date, optionally not after `latest`.
  void Date(absl::string_view field, const google::type::Date& date,
            bool required, std::optional<absl::CivilDay> latest = {}) {
    Check(field, IsUnsetDate(date), required,
          [&] { return CheckDate(date, latest); });
  }

  void Category(absl::string_view field, const std::string& code,
                const imh::Rulebook& rulebook, bool required) {
    if (code.empty()) {
      if (required) Add(field, "required");
      return;
    }
    if (rulebook.FindCategory(code) == nullptr) {
      Add(field, absl::StrCat("'", code, "' is not a category of rulebook ",
                              rulebook.version()));
    }
  }

  void Year(absl::string_view field, int year, int latest, bool required) {
    if (year == 0 && !required) return;
    if (year < kEarliestYear || year > latest) {
      Add(field,
          absl::StrCat("must be a year from ", kEarliestYear, " to ", latest));
    }
  }

  void EndorsementNumber(absl::string_view field, const std::string& number,
                         bool required) {
    Check(field, number.empty(), required,
          [&] { return CheckEndorsementNumber(number); });
  }

  void Status(absl::string_view field, int status, bool required) {
    if (status == v1::ENDORSEMENT_STATUS_UNSPECIFIED) {
      if (required) Add(field, "required");
      return;
    }
    if (!v1::EndorsementStatus_IsValid(status)) {
      Add(field, absl::StrCat(status, " is not an endorsement status"));
    }
  }

  void Hours(absl::string_view field, double hours) {
    if (std::string problem = CheckHours(hours, kMaxHours, /*zero_ok=*/true);
        !problem.empty()) {
      Add(field, std::move(problem));
    }
  }

 private:
  // "required" for an empty value that is required; else the check's verdict
  // on a non-empty one.
  template <typename Verdict>
  void Check(absl::string_view field, bool empty, bool required,
             Verdict verdict) {
    if (empty) {
      if (required) Add(field, "required");
      return;
    }
    if (std::string problem = verdict(); !problem.empty()) {
      Add(field, std::move(problem));
    }
  }

  FieldViolations& out_;
  std::string prefix_;
  // Set for an Element: the path is the parent's, then list[index].
  const Checker* parent_ = nullptr;
  absl::string_view list_;
  int index_ = 0;
};

// A signed decision's shape; whether it verifies is the store's question.
void CheckSignedDecision(Checker& check, absl::string_view field, bool present,
                         const decision::v1::SignedDecision& decision) {
  if (!present) {
    check.Add(field,
              "is required: the signed_decision of an eligibility "
              "response");
    return;
  }
  if (decision.record().empty() ||
      decision.record().size() > kMaxDecisionRecordBytes) {
    check.Add(absl::StrCat(field, ".record"),
              absl::StrCat("must be 1-", kMaxDecisionRecordBytes, " bytes"));
  }
  if (decision.signature().size() != 64) {
    check.Add(absl::StrCat(field, ".signature"),
              "must be a 64-byte Ed25519 signature");
  }
  check.Id(absl::StrCat(field, ".key_id"), decision.key_id(), true);
}

// Decodes a page token bound to the filters' `digest` into `after_id` (0
// without a token).
void CheckPageToken(Checker& check, const std::string& token, uint64_t digest,
                    int64_t* after_id) {
  *after_id = 0;
  if (token.empty()) return;
  const absl::StatusOr<PageCursor> cursor = DecodePageToken(token);
  if (!cursor.ok()) {
    check.Add("page_token", std::string(cursor.status().message()));
  } else if (cursor->filter_digest != digest) {
    check.Add("page_token", "was issued for different filters");
  } else {
    *after_id = cursor->after_id;
  }
}

void CheckPerson(Checker check, const v1::Person& person) {
  check.Id("person_id", person.person_id(), true);
  check.Text("display_name", person.display_name(), kMaxNameLength, true);
  check.Text("county", person.county(), kMaxCountyLength, true);
  check.Year("membership_paid_through_year",
             person.membership_paid_through_year(), 2200, false);
}

// An imported history: ACTIVE on granted_on first, dates not decreasing, each
// step an allowed transition.
void CheckHistory(Checker check, const v1::Endorsement& endorsement,
                  absl::CivilDay today) {
  std::optional<absl::CivilDay> previous_day;
  v1::EndorsementStatus previous = v1::ENDORSEMENT_STATUS_UNSPECIFIED;
  for (int i = 0; i < endorsement.history_size(); ++i) {
    const v1::StatusChange& change = endorsement.history(i);
    Checker entry = check.Nested(absl::StrCat("history[", i, "]"));
    const size_t violations_before = entry.count();
    entry.Status("status", change.status(), true);
    entry.Date("effective_on", change.effective_on(), true, today);
    entry.Text("reason", change.reason(), kMaxReasonLength, false);
    entry.Text("actor", change.actor(), kMaxIdLength * 2, false);
    // Order and transitions only mean something between valid entries.
    if (entry.count() != violations_before) return;
    const absl::CivilDay day = ToCivilDayUnchecked(change.effective_on());
    if (i == 0) {
      if (change.status() != v1::ENDORSEMENT_STATUS_ACTIVE) {
        entry.Add("status", "the first entry is the grant: ACTIVE");
      }
      if (IsCompleteDate(endorsement.granted_on()) &&
          day != ToCivilDayUnchecked(endorsement.granted_on())) {
        entry.Add("effective_on", "the first entry is dated granted_on");
      }
    } else {
      if (day < *previous_day) {
        entry.Add("effective_on", "before the previous entry");
      }
      if (!IsAllowedTransition(previous, change.status())) {
        entry.Add("status", absl::StrCat("cannot follow ",
                                         v1::EndorsementStatus_Name(previous)));
      }
    }
    previous_day = day;
    previous = change.status();
  }
}

}  // namespace

FieldViolations ValidateCreatePerson(const v1::CreatePersonRequest& request) {
  FieldViolations out;
  Checker check(out);
  if (!request.has_person()) {
    check.Add("person", "required");
  } else {
    CheckPerson(check.Nested("person"), request.person());
  }
  check.Id("request_id", request.request_id(), false);
  return out;
}

FieldViolations ValidateGetPerson(const v1::GetPersonRequest& request) {
  FieldViolations out;
  Checker(out).Id("person_id", request.person_id(), true);
  return out;
}

FieldViolations ValidateGetEndorsement(
    const v1::GetEndorsementRequest& request) {
  FieldViolations out;
  Checker(out).EndorsementNumber("endorsement_number",
                                 request.endorsement_number(), true);
  return out;
}

uint64_t ListFilterDigest(const v1::ListEndorsementsRequest& request,
                          const imh::Rulebook& rulebook) {
  const rulebook::v1::Category* category =
      rulebook.FindCategory(request.category());
  return Fnv1a64(absl::StrCat(category ? category->code() : request.category(),
                              "\n", request.status(), "\n",
                              absl::AsciiStrToLower(request.name()), "\n",
                              absl::AsciiStrToLower(request.county())));
}

FieldViolations ValidateListEndorsements(
    const v1::ListEndorsementsRequest& request, const imh::Rulebook& rulebook,
    int64_t* after_id) {
  FieldViolations out;
  Checker check(out);
  *after_id = 0;
  if (request.page_size() < 0) check.Add("page_size", "must not be negative");
  check.Category("category", request.category(), rulebook, false);
  check.Status("status", request.status(), false);
  check.Text("name", request.name(), kMaxNameLength, false);
  check.Text("county", request.county(), kMaxCountyLength, false);
  if (!request.page_token().empty()) {
    const absl::StatusOr<PageCursor> cursor =
        DecodePageToken(request.page_token());
    if (!cursor.ok()) {
      check.Add("page_token", std::string(cursor.status().message()));
    } else if (cursor->filter_digest != ListFilterDigest(request, rulebook)) {
      check.Add("page_token", "was issued for different filters");
    } else {
      *after_id = cursor->after_id;
    }
  }
  return out;
}

ListFilter ListFilterOf(const v1::ListEndorsementsRequest& request,
                        const imh::Rulebook& rulebook) {
  ListFilter filter;
  if (!request.category().empty()) {
    filter.category = rulebook.FindCategory(request.category())->code();
  }
  filter.status = request.status();
  filter.name = request.name();
  filter.county = request.county();
  return filter;
}

FieldViolations ValidateUpdateEndorsementStatus(
    const v1::UpdateEndorsementStatusRequest& request, absl::CivilDay today) {
  FieldViolations out;
  Checker check(out);
  check.EndorsementNumber("endorsement_number", request.endorsement_number(),
                          true);
  check.Status("status", request.status(), true);
  check.Date("effective_on", request.effective_on(), true, today);
  check.Text("reason", request.reason(), kMaxReasonLength, true);
  if (request.etag().size() > kMaxIdLength) {
    check.Add("etag", "not an etag from this registry");
  }
  check.Id("request_id", request.request_id(), false);
  return out;
}

FieldViolations ValidateRecordMembership(
    const v1::RecordMembershipRequest& request, absl::CivilDay today) {
  FieldViolations out;
  Checker check(out);
  check.Id("person_id", request.person_id(), true);
  // Dues for next year are paid in December.
  check.Year("year", request.year(), static_cast<int>(today.year()) + 1, true);
  check.Id("request_id", request.request_id(), false);
  return out;
}

FieldViolations ValidateRecordRenewal(const v1::RecordRenewalRequest& request) {
  FieldViolations out;
  Checker check(out);
  check.EndorsementNumber("endorsement_number", request.endorsement_number(),
                          true);
  CheckSignedDecision(check, "signed_decision", request.has_signed_decision(),
                      request.signed_decision());
  check.Id("request_id", request.request_id(), false);
  return out;
}

FieldViolations ValidateSubmitApplication(
    const v1::SubmitApplicationRequest& request,
    const imh::Rulebook& rulebook) {
  FieldViolations out;
  Checker check(out);
  check.Id("person_id", request.person_id(), true);
  check.Category("category", request.category(), rulebook, true);
  CheckSignedDecision(check, "signed_decision", request.has_signed_decision(),
                      request.signed_decision());
  check.Id("request_id", request.request_id(), false);
  return out;
}

FieldViolations ValidateReviewApplication(
    const v1::ReviewApplicationRequest& request) {
  FieldViolations out;
  Checker check(out);
  check.Id("application_id", request.application_id(), true);
  if (request.verdict() != v1::REVIEW_VERDICT_APPROVE &&
      request.verdict() != v1::REVIEW_VERDICT_DECLINE) {
    check.Add("verdict", "must be REVIEW_VERDICT_APPROVE or _DECLINE");
  }
  if (request.acknowledged_advisories_size() > kMaxAcknowledgements) {
    check.Add("acknowledged_advisories",
              absl::StrCat("at most ", kMaxAcknowledgements));
  } else {
    for (int i = 0; i < request.acknowledged_advisories_size(); ++i) {
      check.Id(absl::StrCat("acknowledged_advisories[", i, "]"),
               request.acknowledged_advisories(i), true);
    }
  }
  check.Text("comment", request.comment(), kMaxCommentLength,
             request.verdict() == v1::REVIEW_VERDICT_DECLINE);
  check.Id("request_id", request.request_id(), false);
  return out;
}

FieldViolations ValidateGetApplication(
    const v1::GetApplicationRequest& request) {
  FieldViolations out;
  Checker(out).Id("application_id", request.application_id(), true);
  return out;
}

FieldViolations ValidateListApplications(
    const v1::ListApplicationsRequest& request, int64_t* after_id) {
  FieldViolations out;
  Checker check(out);
  if (request.page_size() < 0) check.Add("page_size", "must not be negative");
  if (!v1::ApplicationState_IsValid(request.state())) {
    check.Add("state", "not an application state");
  }
  check.Id("person_id", request.person_id(), false);
  CheckPageToken(check, request.page_token(), ListApplicationsDigest(request),
                 after_id);
  return out;
}

uint64_t ListApplicationsDigest(const v1::ListApplicationsRequest& request) {
  return Fnv1a64(absl::StrCat("applications\n", request.state(), "\n",
                              request.person_id()));
}

FieldViolations ValidateListRenewalsDue(
    const v1::ListRenewalsDueRequest& request, int64_t* after_id) {
  FieldViolations out;
  Checker check(out);
  if (request.page_size() < 0) check.Add("page_size", "must not be negative");
  check.Year("cycle_year", request.cycle_year(), 2200, true);
  CheckPageToken(check, request.page_token(), ListRenewalsDueDigest(request),
                 after_id);
  return out;
}

uint64_t ListRenewalsDueDigest(const v1::ListRenewalsDueRequest& request) {
  return Fnv1a64(absl::StrCat("renewals-due\n", request.cycle_year()));
}

FieldViolations ValidateListMembershipsDue(
    const v1::ListMembershipsDueRequest& request, int64_t* after_id) {
  FieldViolations out;
  Checker check(out);
  if (request.page_size() < 0) check.Add("page_size", "must not be negative");
  check.Year("year", request.year(), 2200, true);
  CheckPageToken(check, request.page_token(), ListMembershipsDueDigest(request),
                 after_id);
  return out;
}

uint64_t ListMembershipsDueDigest(
    const v1::ListMembershipsDueRequest& request) {
  return Fnv1a64(absl::StrCat("memberships-due\n", request.year()));
}

FieldViolations ValidateProcessLapses(const v1::ProcessLapsesRequest& request,
                                      absl::CivilDay today) {
  FieldViolations out;
  Checker check(out);
  check.Date("as_of", request.as_of(), true, today);
  check.Id("request_id", request.request_id(), false);
  return out;
}

FieldViolations ValidateVerifyCredentials(
    const v1::VerifyCredentialsRequest& request, const imh::Rulebook& rulebook,
    const RegistryLimits& limits) {
  FieldViolations out;
  Checker check(out);
  if (request.questions_size() == 0) {
    check.Add("questions", "at least one question");
  } else if (request.questions_size() > limits.max_verify_questions) {
    check.Add("questions", absl::StrCat("at most ", limits.max_verify_questions,
                                        " per request"));
    return out;
  }
  for (int i = 0; i < request.questions_size(); ++i) {
    const v1::CredentialQuestion& question = request.questions(i);
    Checker q = check.Element("questions", i);
    switch (question.subject_case()) {
      case v1::CredentialQuestion::kPersonId:
        q.Id("person_id", question.person_id(), true);
        break;
      case v1::CredentialQuestion::kEndorsementNumber:
        q.EndorsementNumber("endorsement_number", question.endorsement_number(),
                            true);
        break;
      default:
        q.Add("person_id", "a person_id or an endorsement_number is required");
    }
    if (question.categories_size() == 0) {
      q.Add("categories", "at least one category");
    } else if (question.categories_size() >
               limits.max_categories_per_question) {
      q.Add("categories",
            absl::StrCat("at most ", limits.max_categories_per_question));
    } else {
      for (int c = 0; c < question.categories_size(); ++c) {
        const std::string& code = question.categories(c);
        // What Category refuses, tested first so that the field's name is
        // written only for a code it refuses.
        if (code.empty() || rulebook.FindCategory(code) == nullptr) {
          q.Category(absl::StrCat("categories[", c, "]"), code, rulebook, true);
        }
      }
    }
    if (question.has_as_of()) q.Date("as_of", question.as_of(), true);
    if (question.has_through()) {
      if (!question.has_as_of()) {
        q.Add("as_of", "required with through (the span's first day)");
      }
      const size_t before = q.count();
      q.Date("through", question.through(), true);
      if (q.count() == before && question.has_as_of() &&
          IsCompleteDate(question.as_of()) &&
          ToCivilDayUnchecked(question.through()) <
              ToCivilDayUnchecked(question.as_of())) {
        q.Add("through", "must not be before as_of");
      }
    }
  }
  return out;
}

FieldViolations ValidateBackupRegistry(
    const v1::BackupRegistryRequest& request) {
  FieldViolations out;
  const std::string& name = request.file_name();
  const bool allowed_characters =
      std::all_of(name.begin(), name.end(), [](char c) {
        return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' ||
               c == '_' || c == '-';
      });
  if (name.empty() || name.size() > 100 || !allowed_characters ||
      name[0] == '.') {
    out.push_back({"file_name",
                   "1-100 characters of A-Z, a-z, 0-9, '.', '_' and '-', "
                   "not starting with '.'"});
  }
  return out;
}

FieldViolations ValidateWatchChanges(const v1::WatchChangesRequest& request) {
  FieldViolations out;
  if (request.after_sequence() < 0) {
    Checker(out).Add("after_sequence", "must not be negative");
  }
  return out;
}

FieldViolations ValidateImportRequest(
    const v1::ImportEndorsementsRequest& request,
    const RegistryLimits& limits) {
  FieldViolations out;
  Checker check(out);
  if (request.records_size() == 0) {
    check.Add("records", "at least one record");
  } else if (request.records_size() > limits.max_import_records) {
    check.Add("records", absl::StrCat("at most ", limits.max_import_records,
                                      " per request; send several"));
  }
  check.Id("request_id", request.request_id(), false);
  return out;
}

std::vector<v1::ImportRejection> ValidateImportRecords(
    const v1::ImportEndorsementsRequest& request, const imh::Rulebook& rulebook,
    absl::CivilDay today) {
  std::vector<v1::ImportRejection> rejections;
  for (int i = 0; i < request.records_size(); ++i) {
    const v1::RegistryRecord& record = request.records(i);
    FieldViolations out;
    Checker check(out, absl::StrCat("records[", i, "]"));
    if (!record.has_person()) {
      check.Add("person", "required");
    } else {
      CheckPerson(check.Nested("person"), record.person());
    }
    if (!record.has_endorsement()) {
      check.Add("endorsement", "required");
    } else {
      const v1::Endorsement& endorsement = record.endorsement();
      Checker e = check.Nested("endorsement");
      e.EndorsementNumber("endorsement_number",
                          endorsement.endorsement_number(), true);
      e.Category("category", endorsement.category(), rulebook, true);
      e.Date("granted_on", endorsement.granted_on(), true, today);
      if (!endorsement.person_id().empty() &&
          endorsement.person_id() != record.person().person_id()) {
        e.Add("person_id", "differs from person.person_id");
      }
      e.Year("next_renewal_cycle_year", endorsement.next_renewal_cycle_year(),
             2200, false);
      CheckHistory(e, endorsement, today);
    }
    if (out.empty()) continue;
    v1::ImportRejection& rejection = rejections.emplace_back();
    rejection.set_index(i);
    for (FieldViolation& violation : out) {
      auto* v = rejection.add_violations();
      v->set_field(std::move(violation.field));
      v->set_description(std::move(violation.description));
    }
  }
  return rejections;
}

}  // namespace imh::registry

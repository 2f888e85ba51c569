// Applications, reviews and the grants they lead to (RULES.md s.6, "review
// and grant"). Each write runs inside RegistryStore::RunWrite.

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/dates.h"
#include "common/endorsement_status.h"
#include "google/protobuf/util/time_util.h"
#include "services/registry/decision_checks.h"
#include "services/registry/renewal_cycle.h"
#include "services/registry/store.h"
#include "services/registry/store_internal.h"

namespace imh::registry {
namespace {

using decision::v1::DecisionRecord;
using google::protobuf::util::TimeUtil;

constexpr char kApplicationSelect[] =
    "SELECT a.id, a.application_id, a.person_id, a.category, a.state,"
    " a.signed_decision, a.valid_through, e.number, a.submitted_at_us,"
    " a.submitted_by FROM applications a LEFT JOIN endorsements e"
    " ON e.id = a.endorsement_id ";

bool NumberTaken(sql::Database& db, const std::string& number) {
  sql::Statement taken(db, "SELECT 1 FROM endorsements WHERE number = ?");
  taken.bind(1, number);
  return taken.executeStep();
}

// "VA-IFRS-000042", numbered after the rows so far; skips numbers taken by
// imported records.
std::string NewEndorsementNumber(sql::Database& db,
                                 const std::string& category) {
  int64_t serial =
      db.execAndGet("SELECT COALESCE(MAX(id), 0) + 1 FROM endorsements")
          .getInt64();
  std::string number;
  do {
    number = absl::StrFormat("VA-%s-%06d", category, serial++);
  } while (NumberTaken(db, number));
  return number;
}

std::string NewApplicationId(sql::Database& db) {
  return absl::StrFormat(
      "A-%06d",
      db.execAndGet("SELECT COALESCE(MAX(id), 0) + 1 FROM applications")
          .getInt64());
}

// FailedPrecondition when the person already holds a live endorsement (one
// that a status change, not a new grant, would continue) of the category.
absl::Status CheckNoLiveEndorsement(sql::Database& db,
                                    const std::string& person_id,
                                    const std::string& category) {
  sql::Statement held(
      db,
      "SELECT number, status FROM endorsements WHERE person_id = ? AND"
      " category = ? AND status IN (?, ?, ?)");
  held.bind(1, person_id);
  held.bind(2, category);
  held.bind(3, static_cast<int>(v1::ENDORSEMENT_STATUS_ACTIVE));
  held.bind(4, static_cast<int>(v1::ENDORSEMENT_STATUS_LAPSED));
  held.bind(5, static_cast<int>(v1::ENDORSEMENT_STATUS_SUSPENDED));
  if (!held.executeStep()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      person_id, " already has ", category, " endorsement ",
      held.getColumn(0).getString(), " (",
      StatusWord(
          static_cast<v1::EndorsementStatus>(held.getColumn(1).getInt())),
      "): change its status instead"));
}

// Whether the decision is about `person_id`: by the person id it names, or
// by an endorsement number of theirs. FailedPrecondition otherwise.
absl::Status CheckSubject(sql::Database& db, const DecisionRecord& record,
                          const std::string& person_id) {
  const auto& subject = record.subject();
  if (!subject.person_id().empty()) {
    if (subject.person_id() == person_id) return absl::OkStatus();
    return absl::FailedPreconditionError(
        absl::StrCat("decision ", record.decision_id(), " is about ",
                     subject.person_id(), ", not ", person_id));
  }
  if (!subject.endorsement_number().empty()) {
    sql::Statement holder(
        db, "SELECT person_id FROM endorsements WHERE number = ?");
    holder.bind(1, subject.endorsement_number());
    if (holder.executeStep() && holder.getColumn(0).getString() == person_id) {
      return absl::OkStatus();
    }
    return absl::FailedPreconditionError(absl::StrCat(
        "decision ", record.decision_id(), " names endorsement ",
        subject.endorsement_number(), ", which is not ", person_id, "'s"));
  }
  return absl::FailedPreconditionError(
      absl::StrCat("decision ", record.decision_id(),
                   " names no registry person: the portfolio's applicant "
                   "needs a person_id"));
}

const decision::v1::CategoryOutcome* OutcomeFor(const DecisionRecord& record,
                                                const std::string& category) {
  for (const auto& outcome : record.categories()) {
    if (outcome.category() == category) return &outcome;
  }
  return nullptr;
}

v1::Application ApplicationFromRow(sql::Database& db,
                                   const imh::Rulebook* rulebook,
                                   sql::Statement& row) {
  v1::Application application;
  const int64_t id = row.getColumn(0).getInt64();
  application.set_application_id(row.getColumn(1).getString());
  application.set_person_id(row.getColumn(2).getString());
  application.set_category(row.getColumn(3).getString());
  application.set_state(
      static_cast<v1::ApplicationState>(row.getColumn(4).getInt()));
  const sql::Column blob = row.getColumn(5);
  application.mutable_signed_decision()->ParseFromArray(blob.getBlob(),
                                                        blob.getBytes());
  application.mutable_decision()->ParseFromString(
      application.signed_decision().record());
  if (const auto* outcome =
          OutcomeFor(application.decision(), application.category())) {
    *application.mutable_advisory_rule_ids() = outcome->advisory_rule_ids();
  }
  *application.mutable_valid_through() = ToProtoDate(
      ParseDay(row.getColumn(6).getString()).value_or(absl::CivilDay()));
  if (!row.getColumn(7).isNull()) {
    application.set_endorsement_number(row.getColumn(7).getString());
  }
  *application.mutable_submitted_at() =
      TimeUtil::MicrosecondsToTimestamp(row.getColumn(8).getInt64());
  application.set_submitted_by(row.getColumn(9).getString());
  if (rulebook != nullptr) {
    application.set_required_approvals(
        RequiredReviewers(*rulebook, TodayInVirginia()).value_or(0));
  }
  sql::Statement reviews(
      db,
      "SELECT reviewer, verdict, acknowledged, comment, reviewed_at_us FROM"
      " reviews WHERE application_id = ? ORDER BY reviewed_at_us, reviewer");
  reviews.bind(1, id);
  while (reviews.executeStep()) {
    v1::Review& review = *application.add_reviews();
    review.set_reviewer(reviews.getColumn(0).getString());
    review.set_verdict(
        static_cast<v1::ReviewVerdict>(reviews.getColumn(1).getInt()));
    for (absl::string_view rule : absl::StrSplit(
             reviews.getColumn(2).getString(), ',', absl::SkipEmpty())) {
      review.add_acknowledged_advisories(std::string(rule));
    }
    review.set_comment(reviews.getColumn(3).getString());
    *review.mutable_reviewed_at() =
        TimeUtil::MicrosecondsToTimestamp(reviews.getColumn(4).getInt64());
  }
  return application;
}

}  // namespace

std::vector<v1::Application> LoadApplications(
    sql::Database& db, const imh::Rulebook* rulebook, const std::string& where,
    const std::function<void(sql::Statement&)>& bind,
    std::vector<int64_t>* row_ids) {
  sql::Statement rows(db, absl::StrCat(kApplicationSelect, where));
  bind(rows);
  std::vector<v1::Application> applications;
  while (rows.executeStep()) {
    if (row_ids != nullptr) row_ids->push_back(rows.getColumn(0).getInt64());
    applications.push_back(ApplicationFromRow(db, rulebook, rows));
  }
  return applications;
}

std::optional<v1::Application> LoadApplication(
    sql::Database& db, const imh::Rulebook* rulebook,
    const std::string& application_id, int64_t* row_id) {
  std::vector<int64_t> ids;
  std::vector<v1::Application> found = LoadApplications(
      db, rulebook, "WHERE a.application_id = ?",
      [&](sql::Statement& s) { s.bind(1, application_id); }, &ids);
  if (found.empty()) return std::nullopt;
  if (row_id != nullptr) *row_id = ids.front();
  return std::move(found.front());
}

void ReadGrantDetails(sql::Database& db, v1::Endorsement& endorsement) {
  if (!endorsement.grant().has_reviewed()) return;
  v1::GrantBasis::Reviewed& reviewed =
      *endorsement.mutable_grant()->mutable_reviewed();
  std::optional<v1::Application> application =
      LoadApplication(db, nullptr, reviewed.application_id());
  if (!application) return;
  const DecisionRecord& decision = application->decision();
  reviewed.set_decision_id(decision.decision_id());
  reviewed.set_decision_rulebook_version(decision.rulebook_version());
  *reviewed.mutable_decided_as_of() = decision.as_of();
  reviewed.set_decision_key_id(decision.key_id());
  reviewed.clear_approvals();
  for (const v1::Review& review : application->reviews()) {
    if (review.verdict() != v1::REVIEW_VERDICT_APPROVE) continue;
    v1::GrantApproval& approval = *reviewed.add_approvals();
    approval.set_reviewer(review.reviewer());
    *approval.mutable_approved_at() = review.reviewed_at();
    *approval.mutable_acknowledged_advisories() =
        review.acknowledged_advisories();
  }
}

namespace {

// Grants the application's endorsement, ACTIVE from `today`, its history
// naming the decision and the approving reviewers; returns its row id.
absl::StatusOr<int64_t> GrantFromApplication(
    WriteTx& tx, const v1::Application& application,
    const DecisionRecord& record, const std::vector<std::string>& approvers,
    absl::CivilDay today) {
  if (absl::Status live = CheckNoLiveEndorsement(tx.db, application.person_id(),
                                                 application.category());
      !live.ok()) {
    return live;
  }
  absl::StatusOr<int> cycle = FirstCycleYear(tx.rulebook, today);
  if (!cycle.ok()) return cycle.status();
  const std::string number =
      NewEndorsementNumber(tx.db, application.category());
  sql::Statement insert(
      tx.db,
      "INSERT INTO endorsements (number, person_id, category, granted_on,"
      " status, status_since, next_cycle_year, version, grant_kind,"
      " application_id) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?) RETURNING id");
  insert.bind(1, number);
  insert.bind(2, application.person_id());
  insert.bind(3, application.category());
  insert.bind(4, FormatDay(today));
  insert.bind(5, static_cast<int>(v1::ENDORSEMENT_STATUS_ACTIVE));
  insert.bind(6, FormatDay(today));
  insert.bind(7, *cycle);
  insert.bind(8, kGrantReviewed);
  insert.bind(9, application.application_id());
  insert.executeStep();
  const int64_t id = insert.getColumn(0).getInt64();
  insert.reset();
  tx.AppendStatus(
      id, v1::ENDORSEMENT_STATUS_ACTIVE, today,
      absl::StrCat("granted on decision ", record.decision_id(),
                   " (application ", application.application_id(),
                   "), approved by ", absl::StrJoin(approvers, " and ")),
      record.decision_id(), approvers);
  sql::Statement granted(tx.db,
                         "UPDATE applications SET state = ?,"
                         " endorsement_id = ? WHERE application_id = ?");
  granted.bind(1, static_cast<int>(v1::APPLICATION_STATE_GRANTED));
  granted.bind(2, id);
  granted.bind(3, application.application_id());
  granted.exec();
  tx.AddChange(v1::CHANGE_KIND_ENDORSEMENT_CREATED, application.person_id(), id,
               application.application_id());
  tx.audit_detail = absl::StrCat("APPROVE; granted ", number);
  return id;
}

}  // namespace

absl::StatusOr<v1::SubmitApplicationResponse> RegistryStore::SubmitApplication(
    const v1::SubmitApplicationRequest& request, const WriteContext& context,
    absl::CivilDay today) {
  return Write<v1::SubmitApplicationResponse>(
      "SubmitApplication", request, context,
      [&](WriteTx& tx, v1::SubmitApplicationResponse& out) -> absl::Status {
        absl::StatusOr<DecisionRecord> record =
            VerifySignedDecision(keyring_, request.signed_decision());
        if (!record.ok()) return record.status();
        if (record->kind() != decision::v1::DECISION_KIND_PORTFOLIO) {
          return absl::FailedPreconditionError(
              absl::StrCat("decision ", record->decision_id(),
                           " is not a portfolio decision"));
        }
        if (absl::Status fresh =
                CheckDecisionFresh(*record, tx.rulebook, today);
            !fresh.ok()) {
          return fresh;
        }
        if (!LoadPerson(tx.db, request.person_id())) {
          return absl::NotFoundError(absl::StrCat(
              "person ", request.person_id(), " is not on the registry"));
        }
        const std::string category =
            tx.rulebook.FindCategory(request.category())->code();
        if (absl::Status subject =
                CheckSubject(tx.db, *record, request.person_id());
            !subject.ok()) {
          return subject;
        }
        const decision::v1::CategoryOutcome* outcome =
            OutcomeFor(*record, category);
        if (outcome == nullptr) {
          return absl::FailedPreconditionError(
              absl::StrCat("decision ", record->decision_id(),
                           " does not decide ", category));
        }
        if (outcome->outcome() != decision::v1::DECISION_OUTCOME_ELIGIBLE) {
          return absl::FailedPreconditionError(
              absl::StrCat("decision ", record->decision_id(), " is ",
                           OutcomeName(outcome->outcome()), " for ", category,
                           ", not ELIGIBLE"));
        }
        sql::Statement used(tx.db,
                            "SELECT application_id, state FROM"
                            " applications WHERE decision_id = ?");
        used.bind(1, record->decision_id());
        if (used.executeStep()) {
          const bool granted =
              used.getColumn(1).getInt() == v1::APPLICATION_STATE_GRANTED;
          return absl::FailedPreconditionError(absl::StrCat(
              "decision ", record->decision_id(),
              granted ? " was already used for a grant (application "
                      : " was already submitted (application ",
              used.getColumn(0).getString(), ")"));
        }
        if (absl::Status live =
                CheckNoLiveEndorsement(tx.db, request.person_id(), category);
            !live.ok()) {
          return live;
        }
        absl::StatusOr<absl::CivilDay> valid_through =
            DecisionValidThrough(*record, tx.rulebook, today);
        if (!valid_through.ok()) return valid_through.status();
        const std::string application_id = NewApplicationId(tx.db);
        const std::string blob = request.signed_decision().SerializeAsString();
        sql::Statement insert(
            tx.db,
            "INSERT INTO applications (application_id, person_id, category,"
            " state, decision_id, signed_decision, valid_through,"
            " submitted_at_us, submitted_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?,"
            " ?)");
        insert.bind(1, application_id);
        insert.bind(2, request.person_id());
        insert.bind(3, category);
        insert.bind(4, static_cast<int>(v1::APPLICATION_STATE_PENDING));
        insert.bind(5, record->decision_id());
        insert.bind(6, blob.data(), static_cast<int>(blob.size()));
        insert.bind(7, FormatDay(*valid_through));
        insert.bind(8, absl::ToUnixMicros(tx.now));
        insert.bind(9, tx.context.actor);
        insert.exec();
        tx.AddChange(v1::CHANGE_KIND_APPLICATION_SUBMITTED, request.person_id(),
                     std::nullopt, application_id);
        tx.audit_target = absl::StrCat("application:", application_id);
        tx.audit_detail = absl::StrCat(category, " for ", request.person_id(),
                                       " on decision ", record->decision_id());
        *out.mutable_application() =
            *LoadApplication(tx.db, &tx.rulebook, application_id);
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::ReviewApplicationResponse> RegistryStore::ReviewApplication(
    const v1::ReviewApplicationRequest& request, const WriteContext& context,
    absl::CivilDay today) {
  return Write<v1::ReviewApplicationResponse>(
      "ReviewApplication", request, context,
      [&](WriteTx& tx, v1::ReviewApplicationResponse& out) -> absl::Status {
        int64_t id = 0;
        std::optional<v1::Application> application =
            LoadApplication(tx.db, &tx.rulebook, request.application_id(), &id);
        if (!application) {
          return absl::NotFoundError(absl::StrCat("application ",
                                                  request.application_id(),
                                                  " is not on the registry"));
        }
        if (application->state() != v1::APPLICATION_STATE_PENDING) {
          return absl::FailedPreconditionError(absl::StrCat(
              "application ", request.application_id(), " is ",
              application->state() == v1::APPLICATION_STATE_GRANTED
                  ? absl::StrCat("granted (", application->endorsement_number(),
                                 ")")
                  : std::string("declined"),
              ": it takes no more reviews"));
        }
        const std::string& reviewer = tx.context.actor;
        for (const v1::Review& review : application->reviews()) {
          if (review.reviewer() == reviewer) {
            return absl::FailedPreconditionError(absl::StrCat(
                reviewer, " already reviewed application ",
                request.application_id(), ": a second vote does not count"));
          }
        }
        // The key may have been taken off the ring since submission.
        absl::StatusOr<DecisionRecord> record =
            VerifySignedDecision(keyring_, application->signed_decision());
        if (!record.ok()) return record.status();
        if (absl::Status fresh =
                CheckDecisionFresh(*record, tx.rulebook, today);
            !fresh.ok()) {
          return fresh;
        }
        const auto& advisories = application->advisory_rule_ids();
        const auto& acknowledged = request.acknowledged_advisories();
        if (request.verdict() == v1::REVIEW_VERDICT_APPROVE) {
          std::vector<std::string> missing;
          for (const std::string& rule : advisories) {
            if (std::find(acknowledged.begin(), acknowledged.end(), rule) ==
                acknowledged.end()) {
              missing.push_back(rule);
            }
          }
          if (!missing.empty()) {
            return absl::FailedPreconditionError(absl::StrCat(
                "an approval acknowledges every advisory finding; not "
                "acknowledged: ",
                absl::StrJoin(missing, ", ")));
          }
        }
        for (const std::string& rule : acknowledged) {
          if (std::find(advisories.begin(), advisories.end(), rule) ==
              advisories.end()) {
            return absl::FailedPreconditionError(absl::StrCat(
                rule, " is not an advisory finding of application ",
                request.application_id()));
          }
        }
        sql::Statement insert(tx.db,
                              "INSERT INTO reviews VALUES (?, ?, ?, ?, ?, ?)");
        insert.bind(1, id);
        insert.bind(2, reviewer);
        insert.bind(3, static_cast<int>(request.verdict()));
        insert.bind(4, absl::StrJoin(acknowledged, ","));
        insert.bind(5, request.comment());
        insert.bind(6, absl::ToUnixMicros(tx.now));
        insert.exec();
        tx.AddChange(v1::CHANGE_KIND_APPLICATION_REVIEWED,
                     application->person_id(), std::nullopt,
                     request.application_id());
        tx.audit_target =
            absl::StrCat("application:", request.application_id());
        tx.audit_detail = v1::ReviewVerdict_Name(request.verdict());

        std::vector<std::string> approvers;
        for (const v1::Review& review : application->reviews()) {
          if (review.verdict() == v1::REVIEW_VERDICT_APPROVE) {
            approvers.push_back(review.reviewer());
          }
        }
        if (request.verdict() == v1::REVIEW_VERDICT_DECLINE) {
          sql::Statement decline(
              tx.db, "UPDATE applications SET state = ? WHERE id = ?");
          decline.bind(1, static_cast<int>(v1::APPLICATION_STATE_DECLINED));
          decline.bind(2, id);
          decline.exec();
        } else {
          approvers.push_back(reviewer);
          absl::StatusOr<int> required = RequiredReviewers(tx.rulebook, today);
          if (!required.ok()) return required.status();
          if (static_cast<int>(approvers.size()) >= *required) {
            absl::StatusOr<int64_t> granted = GrantFromApplication(
                tx, *application, *record, approvers, today);
            if (!granted.ok()) return granted.status();
            *out.mutable_endorsement() = *LoadEndorsementById(tx.db, *granted);
          }
        }
        *out.mutable_application() =
            *LoadApplication(tx.db, &tx.rulebook, request.application_id());
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::Application> RegistryStore::GetApplication(
    const std::string& application_id) {
  try {
    auto lease = readers_->Acquire();
    std::optional<v1::Application> application =
        LoadApplication((*lease)->db, rulebook_, application_id);
    if (!application) {
      return absl::NotFoundError(absl::StrCat("application ", application_id,
                                              " is not on the registry"));
    }
    return std::move(*application);
  } catch (const std::exception& error) {
    return FromSqlite(error, "reading an application");
  }
}

absl::StatusOr<ApplicationPage> RegistryStore::ListApplications(
    v1::ApplicationState state, const std::string& person_id, int64_t after_id,
    int page_size) {
  try {
    auto lease = readers_->Acquire();
    std::string where = "WHERE a.id > ?";
    if (state != v1::APPLICATION_STATE_UNSPECIFIED) {
      absl::StrAppend(&where, " AND a.state = ?");
    }
    if (!person_id.empty()) absl::StrAppend(&where, " AND a.person_id = ?");
    absl::StrAppend(&where, " ORDER BY a.id LIMIT ?");
    std::vector<int64_t> ids;
    std::vector<v1::Application> rows =
        LoadApplications((*lease)->db, rulebook_, where,
                         [&](sql::Statement& s) {
                           int index = 1;
                           s.bind(index++, after_id);
                           if (state != v1::APPLICATION_STATE_UNSPECIFIED) {
                             s.bind(index++, static_cast<int>(state));
                           }
                           if (!person_id.empty()) s.bind(index++, person_id);
                           s.bind(index, page_size + 1);
                         },
                         &ids);
    ApplicationPage page;
    for (size_t i = 0; i < rows.size(); ++i) {
      if (static_cast<int>(i) == page_size) {
        page.next_after_id = ids[i - 1];
        break;
      }
      page.applications.push_back(std::move(rows[i]));
    }
    return page;
  } catch (const std::exception& error) {
    return FromSqlite(error, "listing applications");
  }
}

}  // namespace imh::registry

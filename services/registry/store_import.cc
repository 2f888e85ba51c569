// Bulk import: one transaction for the whole request; a record the data
// refuses is listed, the others are committed.

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/endorsement_status.h"
#include "google/protobuf/util/time_util.h"
#include "services/registry/lapse_rule.h"
#include "services/registry/renewal_cycle.h"
#include "services/registry/store.h"
#include "services/registry/store_internal.h"
#include "services/registry/text_fold.h"

namespace imh::registry {
namespace {

// The reason of a history entry an import adds (a record without history).
constexpr char kImportedReason[] = "imported";

// ACTIVE, LAPSED and SUSPENDED: continued by a status change, not a grant.
bool IsLiveStatus(v1::EndorsementStatus status) {
  return status == v1::ENDORSEMENT_STATUS_ACTIVE ||
         status == v1::ENDORSEMENT_STATUS_LAPSED ||
         status == v1::ENDORSEMENT_STATUS_SUSPENDED;
}

google::rpc::BadRequest::FieldViolation Violation(int index,
                                                  absl::string_view field,
                                                  std::string description) {
  google::rpc::BadRequest::FieldViolation violation;
  violation.set_field(absl::StrCat("records[", index, "].", field));
  violation.set_description(std::move(description));
  return violation;
}

// The statements of one import, prepared once for all its records.
struct ImportStatements {
  explicit ImportStatements(sql::Database& db)
      : find_person(db,
                    "SELECT display_name, county, membership_paid_through"
                    " FROM people WHERE person_id = ?"),
        insert_person(db,
                      "INSERT INTO people (person_id, display_name, county,"
                      " membership_paid_through, name_folded, county_folded)"
                      " VALUES (?, ?, ?, ?, ?, ?)"),
        raise_membership(db,
                         "UPDATE people SET membership_paid_through = ?"
                         " WHERE person_id = ?"),
        number_taken(db, "SELECT 1 FROM endorsements WHERE number = ?"),
        live_in_category(db,
                         "SELECT number, status FROM endorsements WHERE"
                         " person_id = ? AND category = ? AND status IN"
                         " (?, ?, ?) LIMIT 1"),
        insert_endorsement(
            db,
            "INSERT INTO endorsements (number, person_id, category,"
            " granted_on, status, status_since, next_cycle_year, version,"
            " lapses_on, lapse_cause, grant_kind, imported_at_us,"
            " imported_by) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)"
            " RETURNING id"),
        insert_history(db,
                       "INSERT INTO status_history (endorsement_id, seq,"
                       " status, effective_on, reason, actor,"
                       " recorded_at_us, write_no) VALUES (?, ?, ?, ?, ?, ?,"
                       " ?, (SELECT writes FROM write_clock))") {}
  sql::Statement find_person;
  sql::Statement insert_person;
  sql::Statement raise_membership;
  sql::Statement number_taken;
  sql::Statement live_in_category;
  sql::Statement insert_endorsement;
  sql::Statement insert_history;
};

// Checks the record against the data and writes it; returns the violations
// instead when the data refuses it (nothing of it written then).
std::vector<google::rpc::BadRequest::FieldViolation> ImportRecord(
    WriteTx& tx, ImportStatements& sql, int index,
    const v1::RegistryRecord& record) {
  const v1::Person& person = record.person();
  const v1::Endorsement& endorsement = record.endorsement();
  std::vector<google::rpc::BadRequest::FieldViolation> violations;

  const rulebook::v1::Category* category =
      tx.rulebook.FindCategory(endorsement.category());
  if (category == nullptr) {
    violations.push_back(Violation(index, "endorsement.category",
                                   "not a category of the rulebook"));
  }
  const absl::CivilDay granted = ToCivilDayUnchecked(endorsement.granted_on());
  int cycle = endorsement.next_renewal_cycle_year();
  if (cycle == 0) {
    absl::StatusOr<int> first = FirstCycleYear(tx.rulebook, granted);
    if (first.ok()) {
      cycle = *first;
    } else {
      violations.push_back(Violation(index, "endorsement.granted_on",
                                     std::string(first.status().message())));
    }
  } else if (!IsCycleYear(tx.rulebook, cycle)) {
    violations.push_back(
        Violation(index, "endorsement.next_renewal_cycle_year",
                  absl::StrCat(cycle, " is not a renewal cycle year")));
  }

  sql.number_taken.reset();
  sql.number_taken.bind(1, endorsement.endorsement_number());
  if (sql.number_taken.executeStep()) {
    violations.push_back(
        Violation(index, "endorsement.endorsement_number",
                  absl::StrCat(endorsement.endorsement_number(),
                               " is already on the registry")));
  }

  // An endorsement is live while a status change, not a new grant, would
  // continue it: at most one per person and category (as a grant enforces),
  // earlier records of this import included.
  const v1::EndorsementStatus final_status =
      endorsement.history().empty()
          ? v1::ENDORSEMENT_STATUS_ACTIVE
          : endorsement.history(endorsement.history_size() - 1).status();
  if (category != nullptr && IsLiveStatus(final_status)) {
    sql.live_in_category.reset();
    sql.live_in_category.bind(1, person.person_id());
    sql.live_in_category.bind(2, category->code());
    sql.live_in_category.bind(3,
                              static_cast<int>(v1::ENDORSEMENT_STATUS_ACTIVE));
    sql.live_in_category.bind(4,
                              static_cast<int>(v1::ENDORSEMENT_STATUS_LAPSED));
    sql.live_in_category.bind(
        5, static_cast<int>(v1::ENDORSEMENT_STATUS_SUSPENDED));
    if (sql.live_in_category.executeStep()) {
      violations.push_back(Violation(
          index, "endorsement.category",
          absl::StrCat(person.person_id(), " already has ", category->code(),
                       " endorsement ",
                       sql.live_in_category.getColumn(0).getString(), " (",
                       StatusWord(static_cast<v1::EndorsementStatus>(
                           sql.live_in_category.getColumn(1).getInt())),
                       "): one live endorsement per person and category")));
    }
  }

  sql.find_person.reset();
  sql.find_person.bind(1, person.person_id());
  const bool person_known = sql.find_person.executeStep();
  int known_paid_through = 0;
  if (person_known) {
    if (sql.find_person.getColumn(0).getString() != person.display_name()) {
      violations.push_back(
          Violation(index, "person.display_name",
                    absl::StrCat(person.person_id(),
                                 " is on the registry under another name")));
    }
    if (sql.find_person.getColumn(1).getString() != person.county()) {
      violations.push_back(
          Violation(index, "person.county",
                    absl::StrCat(person.person_id(),
                                 " is on the registry in another county")));
    }
    known_paid_through = sql.find_person.getColumn(2).getInt();
  }
  if (!violations.empty()) return violations;

  if (!person_known) {
    sql.insert_person.reset();
    sql.insert_person.bind(1, person.person_id());
    sql.insert_person.bind(2, person.display_name());
    sql.insert_person.bind(3, person.county());
    sql.insert_person.bind(4, person.membership_paid_through_year());
    sql.insert_person.bind(5, FoldForSearch(person.display_name()));
    sql.insert_person.bind(6, FoldForSearch(person.county()));
    sql.insert_person.exec();
    // No PERSON_CREATED entry: the ENDORSEMENT_IMPORTED one names the person.
  } else if (person.membership_paid_through_year() > known_paid_through) {
    sql.raise_membership.reset();
    sql.raise_membership.bind(1, person.membership_paid_through_year());
    sql.raise_membership.bind(2, person.person_id());
    sql.raise_membership.exec();
    RefreshLapseDays(tx.db, tx.rulebook, "e.person_id = ?",
                     [&](sql::Statement& s) { s.bind(1, person.person_id()); });
  }
  const int paid_through =
      std::max(known_paid_through, person.membership_paid_through_year());
  // Imported membership is the paid-through year on the person; the
  // memberships table records payments made through the registry.

  // An empty history means ACTIVE since the grant.
  std::vector<std::pair<v1::EndorsementStatus, absl::CivilDay>> history;
  for (const v1::StatusChange& change : endorsement.history()) {
    history.emplace_back(change.status(),
                         ToCivilDayUnchecked(change.effective_on()));
  }
  if (history.empty()) {
    history.emplace_back(v1::ENDORSEMENT_STATUS_ACTIVE, granted);
  }
  sql.insert_endorsement.reset();
  sql.insert_endorsement.bind(1, endorsement.endorsement_number());
  sql.insert_endorsement.bind(2, person.person_id());
  sql.insert_endorsement.bind(3, category->code());
  sql.insert_endorsement.bind(4, FormatDay(granted));
  sql.insert_endorsement.bind(5, static_cast<int>(history.back().first));
  sql.insert_endorsement.bind(6, FormatDay(history.back().second));
  sql.insert_endorsement.bind(7, cycle);
  std::string lapse_day;
  if (history.back().first == v1::ENDORSEMENT_STATUS_ACTIVE) {
    const LapseDay lapse =
        LapseDayOf({granted, history.back().second, cycle, paid_through,
                    tx.rulebook.proto().renewal().membership_required()});
    lapse_day = FormatDay(lapse.day);
    sql.insert_endorsement.bind(8, lapse_day);
    sql.insert_endorsement.bind(9, static_cast<int>(lapse.cause));
  } else {
    sql.insert_endorsement.bind(8);
    sql.insert_endorsement.bind(9, 0);
  }
  sql.insert_endorsement.bind(10, kGrantImported);
  sql.insert_endorsement.bind(11, absl::ToUnixMicros(tx.now));
  sql.insert_endorsement.bind(12, tx.context.actor);
  sql.insert_endorsement.executeStep();
  const int64_t id = sql.insert_endorsement.getColumn(0).getInt64();
  sql.insert_endorsement.reset();
  // The endorsement as this import leaves it, for the change feed, built
  // here rather than read back (an import may bring a million).
  v1::Endorsement state;
  state.set_endorsement_number(endorsement.endorsement_number());
  state.set_person_id(person.person_id());
  state.set_display_name(person.display_name());
  state.set_county(person.county());
  state.set_category(category->code());
  *state.mutable_granted_on() = ToProtoDate(granted);
  state.set_status(history.back().first);
  *state.mutable_status_since() = ToProtoDate(history.back().second);
  state.set_next_renewal_cycle_year(cycle);
  state.set_etag(EtagOf(0));
  if (!lapse_day.empty()) {
    *state.mutable_lapses_on() = ToProtoDate(*ParseDay(lapse_day));
  }
  v1::GrantBasis::Imported& imported =
      *state.mutable_grant()->mutable_imported();
  *imported.mutable_imported_at() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
          absl::ToUnixMicros(tx.now));
  imported.set_imported_by(tx.context.actor);
  for (size_t i = 0; i < history.size(); ++i) {
    const bool given = i < static_cast<size_t>(endorsement.history_size());
    const std::string reason =
        given ? endorsement.history(i).reason() : std::string(kImportedReason);
    const std::string& actor = given && !endorsement.history(i).actor().empty()
                                   ? endorsement.history(i).actor()
                                   : tx.context.actor;
    sql.insert_history.reset();
    sql.insert_history.bind(1, id);
    sql.insert_history.bind(2, static_cast<int64_t>(i + 1));
    sql.insert_history.bind(3, static_cast<int>(history[i].first));
    sql.insert_history.bind(4, FormatDay(history[i].second));
    sql.insert_history.bind(5, reason);
    sql.insert_history.bind(6, actor);
    sql.insert_history.bind(7, absl::ToUnixMicros(tx.now));
    sql.insert_history.exec();
    v1::StatusChange& change = *state.add_history();
    change.set_status(history[i].first);
    *change.mutable_effective_on() = ToProtoDate(history[i].second);
    change.set_reason(reason);
    change.set_actor(actor);
  }
  tx.AddChange(v1::CHANGE_KIND_ENDORSEMENT_IMPORTED, person.person_id(), id, "",
               &state);
  return {};
}

}  // namespace

absl::StatusOr<v1::ImportEndorsementsResponse>
RegistryStore::ImportEndorsements(const v1::ImportEndorsementsRequest& request,
                                  std::vector<v1::ImportRejection> rejected,
                                  const WriteContext& context) {
  return Write<v1::ImportEndorsementsResponse>(
      "ImportEndorsements", request, context,
      [&](WriteTx& tx, v1::ImportEndorsementsResponse& out) -> absl::Status {
        auto& result = out;
        std::vector<bool> skip(request.records_size(), false);
        for (const v1::ImportRejection& rejection : rejected) {
          skip[rejection.index()] = true;
        }
        size_t next_rejection = 0;
        const int64_t last_person = LastPersonId(tx.db);
        ImportStatements sql(tx.db);
        int imported = 0;
        for (int i = 0; i < request.records_size(); ++i) {
          // Rejections stay in record order, validation's and the data's.
          while (next_rejection < rejected.size() &&
                 rejected[next_rejection].index() <= i) {
            *result.add_rejections() = std::move(rejected[next_rejection++]);
          }
          if (skip[i]) continue;
          auto violations = ImportRecord(tx, sql, i, request.records(i));
          if (violations.empty()) {
            ++imported;
            continue;
          }
          v1::ImportRejection* rejection = result.add_rejections();
          rejection->set_index(i);
          for (auto& violation : violations) {
            *rejection->add_violations() = std::move(violation);
          }
        }
        while (next_rejection < rejected.size()) {
          *result.add_rejections() = std::move(rejected[next_rejection++]);
        }
        // The new names once, after the last person: see IndexNamesAfter.
        IndexNamesAfter(tx.db, last_person);
        result.set_imported_count(imported);
        tx.audit_target = "registry";
        tx.audit_detail = absl::StrCat(imported, " imported, ",
                                       result.rejections_size(), " rejected");
        return absl::OkStatus();
      });
}

}  // namespace imh::registry

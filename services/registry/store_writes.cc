// The registry's writes. Each runs inside RegistryStore::RunWrite: one
// transaction with its idempotency record, audit record and feed entries.

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/dates.h"
#include "common/endorsement_status.h"
#include "services/registry/renewal_cycle.h"
#include "services/registry/status_transitions.h"
#include "services/registry/store.h"
#include "services/registry/store_internal.h"

namespace imh::registry {
namespace {

absl::CivilDay Day(const google::type::Date& date) {
  return ToCivilDayUnchecked(date);
}

std::string Canonical(const imh::Rulebook& rulebook, const std::string& code) {
  const rulebook::v1::Category* category = rulebook.FindCategory(code);
  return category ? category->code() : code;
}

bool NumberTaken(SQLite::Database& db, const std::string& number) {
  SQLite::Statement taken(db, "SELECT 1 FROM endorsements WHERE number = ?");
  taken.bind(1, number);
  return taken.executeStep();
}

int64_t EndorsementId(SQLite::Database& db, const std::string& number) {
  SQLite::Statement id(db, "SELECT id FROM endorsements WHERE number = ?");
  id.bind(1, number);
  return id.executeStep() ? id.getColumn(0).getInt64() : 0;
}

// "VA-IFRS-000042", numbered after the rows so far; skips numbers taken by
// imported records.
std::string NewEndorsementNumber(SQLite::Database& db,
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

void InsertMembershipYear(WriteTx& tx, const std::string& person_id, int year) {
  SQLite::Statement insert(
      tx.db, "INSERT OR IGNORE INTO memberships VALUES (?, ?, ?)");
  insert.bind(1, person_id);
  insert.bind(2, year);
  insert.bind(3, absl::ToUnixMicros(tx.now));
  insert.exec();
}

void InsertPerson(WriteTx& tx, const v1::Person& person) {
  SQLite::Statement insert(
      tx.db,
      "INSERT INTO people (person_id, display_name, county,"
      " membership_paid_through) VALUES (?, ?, ?, ?)");
  insert.bind(1, person.person_id());
  insert.bind(2, person.display_name());
  insert.bind(3, person.county());
  insert.bind(4, person.membership_paid_through_year());
  insert.exec();
  if (person.membership_paid_through_year() > 0) {
    InsertMembershipYear(tx, person.person_id(),
                         person.membership_paid_through_year());
  }
  tx.AddChange(v1::CHANGE_KIND_PERSON_CREATED, person.person_id(),
               std::nullopt);
}

absl::Status NotFound(absl::string_view what, absl::string_view id) {
  return absl::NotFoundError(
      absl::StrCat(what, " ", id, " is not on the registry"));
}

}  // namespace

absl::StatusOr<v1::CreatePersonResponse> RegistryStore::CreatePerson(
    const v1::CreatePersonRequest& request, const WriteContext& context) {
  return Write<v1::CreatePersonResponse>(
      "CreatePerson", request, context,
      [&](WriteTx& tx, v1::CreatePersonResponse& out) -> absl::Status {
        const v1::Person& person = request.person();
        if (LoadPerson(tx.db, person.person_id())) {
          return absl::AlreadyExistsError(absl::StrCat(
              "person ", person.person_id(), " is already on the registry"));
        }
        InsertPerson(tx, person);
        tx.audit_target = absl::StrCat("person:", person.person_id());
        *out.mutable_person() = *LoadPerson(tx.db, person.person_id());
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::CreateEndorsementResponse> RegistryStore::CreateEndorsement(
    const v1::CreateEndorsementRequest& request, const WriteContext& context) {
  return Write<v1::CreateEndorsementResponse>(
      "CreateEndorsement", request, context,
      [&](WriteTx& tx, v1::CreateEndorsementResponse& out) -> absl::Status {
        if (!LoadPerson(tx.db, request.person_id())) {
          return NotFound("person", request.person_id());
        }
        const std::string category = Canonical(tx.rulebook, request.category());
        SQLite::Statement held(
            tx.db,
            "SELECT number, status FROM endorsements WHERE person_id = ? AND"
            " category = ? AND status IN (?, ?, ?)");
        held.bind(1, request.person_id());
        held.bind(2, category);
        held.bind(3, static_cast<int>(v1::ENDORSEMENT_STATUS_ACTIVE));
        held.bind(4, static_cast<int>(v1::ENDORSEMENT_STATUS_LAPSED));
        held.bind(5, static_cast<int>(v1::ENDORSEMENT_STATUS_SUSPENDED));
        if (held.executeStep()) {
          return absl::FailedPreconditionError(
              absl::StrCat(request.person_id(), " already has ", category,
                           " endorsement ", held.getColumn(0).getString(), " (",
                           StatusWord(static_cast<v1::EndorsementStatus>(
                               held.getColumn(1).getInt())),
                           "): change its status instead"));
        }
        std::string number = request.endorsement_number();
        if (number.empty()) {
          number = NewEndorsementNumber(tx.db, category);
        } else if (NumberTaken(tx.db, number)) {
          return absl::AlreadyExistsError(
              absl::StrCat("endorsement ", number, " already exists"));
        }
        const absl::CivilDay granted = Day(request.granted_on());
        absl::StatusOr<int> cycle = FirstCycleYear(tx.rulebook, granted);
        if (!cycle.ok()) return cycle.status();
        SQLite::Statement insert(
            tx.db,
            "INSERT INTO endorsements (number, person_id, category, granted_on,"
            " status, status_since, next_cycle_year, version)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 0)");
        insert.bind(1, number);
        insert.bind(2, request.person_id());
        insert.bind(3, category);
        insert.bind(4, FormatDay(granted));
        insert.bind(5, static_cast<int>(v1::ENDORSEMENT_STATUS_ACTIVE));
        insert.bind(6, FormatDay(granted));
        insert.bind(7, *cycle);
        insert.exec();
        const int64_t id = tx.db.getLastInsertRowid();
        tx.AppendStatus(id, v1::ENDORSEMENT_STATUS_ACTIVE, granted,
                        request.reason().empty() ? "endorsement granted"
                                                 : request.reason());
        tx.AddChange(v1::CHANGE_KIND_ENDORSEMENT_CREATED, request.person_id(),
                     id);
        tx.audit_target = absl::StrCat("endorsement:", number);
        tx.audit_detail =
            absl::StrCat(category, " granted ", FormatDay(granted));
        *out.mutable_endorsement() = *LoadEndorsementById(tx.db, id);
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::UpdateEndorsementStatusResponse>
RegistryStore::UpdateEndorsementStatus(
    const v1::UpdateEndorsementStatusRequest& request,
    const WriteContext& context) {
  return Write<v1::UpdateEndorsementStatusResponse>(
      "UpdateEndorsementStatus", request, context,
      [&](WriteTx& tx,
          v1::UpdateEndorsementStatusResponse& out) -> absl::Status {
        const std::optional<v1::Endorsement> current =
            LoadEndorsement(tx.db, request.endorsement_number());
        if (!current) {
          return NotFound("endorsement", request.endorsement_number());
        }
        if (!request.etag().empty() && request.etag() != current->etag()) {
          return absl::AbortedError(
              absl::StrCat("endorsement ", request.endorsement_number(),
                           " changed since it was read (etag ", request.etag(),
                           ", now ", current->etag(), "): read it again"));
        }
        if (!IsAllowedTransition(current->status(), request.status())) {
          return absl::FailedPreconditionError(
              absl::StrCat("endorsement ", request.endorsement_number(), " is ",
                           StatusWord(current->status()), "; it cannot become ",
                           StatusWord(request.status())));
        }
        const absl::CivilDay effective = Day(request.effective_on());
        const absl::CivilDay since = Day(current->status_since());
        if (effective < since) {
          return absl::FailedPreconditionError(absl::StrCat(
              "effective_on ", FormatDay(effective), " is before the current ",
              StatusWord(current->status()), " status began (",
              FormatDay(since), ")"));
        }
        const int64_t id = EndorsementId(tx.db, request.endorsement_number());
        tx.AppendStatus(id, request.status(), effective, request.reason());
        tx.AddChange(v1::CHANGE_KIND_STATUS_CHANGED, current->person_id(), id);
        tx.audit_target =
            absl::StrCat("endorsement:", request.endorsement_number());
        tx.audit_detail = absl::StrCat(StatusWord(current->status()), " -> ",
                                       StatusWord(request.status()), " on ",
                                       FormatDay(effective));
        *out.mutable_endorsement() = *LoadEndorsementById(tx.db, id);
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::RecordMembershipResponse> RegistryStore::RecordMembership(
    const v1::RecordMembershipRequest& request, const WriteContext& context) {
  return Write<v1::RecordMembershipResponse>(
      "RecordMembership", request, context,
      [&](WriteTx& tx, v1::RecordMembershipResponse& out) -> absl::Status {
        if (!LoadPerson(tx.db, request.person_id())) {
          return NotFound("person", request.person_id());
        }
        SQLite::Statement seen(
            tx.db,
            "SELECT 1 FROM memberships WHERE person_id = ? AND year = ?");
        seen.bind(1, request.person_id());
        seen.bind(2, request.year());
        if (seen.executeStep()) {
          return absl::AlreadyExistsError(
              absl::StrCat("membership ", request.year(), " of ",
                           request.person_id(), " is already recorded"));
        }
        InsertMembershipYear(tx, request.person_id(), request.year());
        SQLite::Statement extend(
            tx.db,
            "UPDATE people SET membership_paid_through ="
            " MAX(membership_paid_through, ?) WHERE person_id = ?");
        extend.bind(1, request.year());
        extend.bind(2, request.person_id());
        extend.exec();
        tx.AddChange(v1::CHANGE_KIND_MEMBERSHIP_RECORDED, request.person_id(),
                     std::nullopt);
        tx.audit_target = absl::StrCat("person:", request.person_id());
        tx.audit_detail = absl::StrCat("membership ", request.year());
        *out.mutable_person() = *LoadPerson(tx.db, request.person_id());
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::RecordRenewalResponse> RegistryStore::RecordRenewal(
    const v1::RecordRenewalRequest& request, const WriteContext& context) {
  return Write<v1::RecordRenewalResponse>(
      "RecordRenewal", request, context,
      [&](WriteTx& tx, v1::RecordRenewalResponse& out) -> absl::Status {
        const std::optional<v1::Endorsement> current =
            LoadEndorsement(tx.db, request.endorsement_number());
        if (!current) {
          return NotFound("endorsement", request.endorsement_number());
        }
        if (current->status() != v1::ENDORSEMENT_STATUS_ACTIVE &&
            current->status() != v1::ENDORSEMENT_STATUS_LAPSED) {
          return absl::FailedPreconditionError(absl::StrCat(
              "endorsement ", request.endorsement_number(), " is ",
              StatusWord(current->status()), ": it cannot be renewed"));
        }
        if (request.cycle_year() != current->next_renewal_cycle_year()) {
          return absl::FailedPreconditionError(absl::StrCat(
              "endorsement ", request.endorsement_number(),
              " is next due in the ", current->next_renewal_cycle_year(),
              " cycle, not ", request.cycle_year()));
        }
        if (Day(request.attested_on()) < Day(current->granted_on())) {
          return absl::FailedPreconditionError(
              "attested_on is before the endorsement was granted");
        }
        absl::StatusOr<int> next =
            CycleAfter(tx.rulebook, request.cycle_year());
        if (!next.ok()) return next.status();
        const int64_t id = EndorsementId(tx.db, request.endorsement_number());
        SQLite::Statement insert(
            tx.db, "INSERT INTO renewals VALUES (?, ?, ?, ?, ?, ?, ?)");
        insert.bind(1, id);
        insert.bind(2, request.cycle_year());
        insert.bind(3, FormatDay(Day(request.attested_on())));
        insert.bind(4, request.training_hours());
        insert.bind(5, request.reflective_supervision_hours());
        insert.bind(6, request.decision_id());
        insert.bind(7, absl::ToUnixMicros(tx.now));
        insert.exec();
        SQLite::Statement move(tx.db,
                               "UPDATE endorsements SET next_cycle_year = ?,"
                               " version = version + 1 WHERE id = ?");
        move.bind(1, *next);
        move.bind(2, id);
        move.exec();
        tx.AddChange(v1::CHANGE_KIND_RENEWAL_RECORDED, current->person_id(),
                     id);
        tx.audit_target =
            absl::StrCat("endorsement:", request.endorsement_number());
        tx.audit_detail = absl::StrCat("renewed for ", request.cycle_year(),
                                       "; next due ", *next);
        *out.mutable_endorsement() = *LoadEndorsementById(tx.db, id);
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::ProcessLapsesResponse> RegistryStore::ProcessLapses(
    const v1::ProcessLapsesRequest& request, const WriteContext& context) {
  return Write<v1::ProcessLapsesResponse>(
      "ProcessLapses", request, context,
      [&](WriteTx& tx, v1::ProcessLapsesResponse& out) -> absl::Status {
        const absl::CivilDay as_of = Day(request.as_of());
        const int year = static_cast<int>(as_of.year());
        // Both causes, per ACTIVE endorsement whose status began by as_of;
        // the earlier cause wins.
        SQLite::Statement due(
            tx.db,
            "SELECT e.id, e.number, e.person_id, e.status_since,"
            " e.next_cycle_year, p.membership_paid_through"
            " FROM endorsements e JOIN people p ON p.person_id = e.person_id"
            " WHERE e.status = ? AND e.status_since <= ?"
            " AND (e.next_cycle_year < ? OR p.membership_paid_through < ?)"
            " ORDER BY e.id");
        due.bind(1, static_cast<int>(v1::ENDORSEMENT_STATUS_ACTIVE));
        due.bind(2, FormatDay(as_of));
        due.bind(3, year);
        due.bind(4, year);
        struct Lapse {
          int64_t id;
          std::string person_id;
          v1::LapsedEndorsement entry;
          std::string reason;
        };
        std::vector<Lapse> lapses;
        while (due.executeStep()) {
          const absl::CivilDay since =
              ParseDay(due.getColumn(3).getString()).value_or(absl::CivilDay());
          const int cycle = due.getColumn(4).getInt();
          const int paid = due.getColumn(5).getInt();
          Lapse lapse{due.getColumn(0).getInt64(),
                      due.getColumn(2).getString(),
                      {},
                      ""};
          const absl::CivilDay renewal_day(cycle + 1, 1, 1);
          const absl::CivilDay membership_day(paid + 1, 1, 1);
          const bool renewal_missed = cycle < year;
          const bool membership_missed = paid < year;
          absl::CivilDay effective;
          if (renewal_missed &&
              (!membership_missed || renewal_day <= membership_day)) {
            effective = renewal_day;
            lapse.entry.set_cause(v1::LAPSE_CAUSE_RENEWAL_MISSED);
            lapse.reason = absl::StrCat("renewal cycle ", cycle,
                                        " not renewed by ", cycle, "-12-31");
          } else {
            effective = membership_day;
            lapse.entry.set_cause(v1::LAPSE_CAUSE_MEMBERSHIP_NOT_RENEWED);
            lapse.reason =
                paid > 0 ? absl::StrCat("membership not renewed after ", paid)
                         : "no membership on record";
          }
          effective = std::max(effective, since);
          lapse.entry.set_endorsement_number(due.getColumn(1).getString());
          *lapse.entry.mutable_effective_on() = ToProtoDate(effective);
          lapses.push_back(std::move(lapse));
        }
        auto& result = out;
        for (Lapse& lapse : lapses) {
          tx.AppendStatus(lapse.id, v1::ENDORSEMENT_STATUS_LAPSED,
                          Day(lapse.entry.effective_on()), lapse.reason);
          tx.AddChange(v1::CHANGE_KIND_STATUS_CHANGED, lapse.person_id,
                       lapse.id);
          *result.add_lapsed() = std::move(lapse.entry);
        }
        tx.audit_target = "registry";
        tx.audit_detail =
            absl::StrCat(lapses.size(), " lapsed as of ", FormatDay(as_of));
        return absl::OkStatus();
      });
}

}  // namespace imh::registry

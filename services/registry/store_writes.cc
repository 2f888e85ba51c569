// The registry's writes. Each runs inside RegistryStore::RunWrite: one
// transaction with its idempotency record, audit record and feed entries.

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/dates.h"
#include "common/endorsement_status.h"
#include "services/registry/decision_checks.h"
#include "services/registry/renewal_cycle.h"
#include "services/registry/status_transitions.h"
#include "services/registry/store.h"
#include "services/registry/store_internal.h"
#include "services/registry/text_fold.h"

namespace imh::registry {
namespace {

absl::CivilDay Day(const google::type::Date& date) {
  return ToCivilDayUnchecked(date);
}

int64_t EndorsementId(sql::Database& db, const std::string& number) {
  sql::Statement id(db, "SELECT id FROM endorsements WHERE number = ?");
  id.bind(1, number);
  return id.executeStep() ? id.getColumn(0).getInt64() : 0;
}

void InsertMembershipYear(WriteTx& tx, const std::string& person_id, int year) {
  sql::Statement insert(tx.db,
                        "INSERT INTO memberships VALUES (?, ?, ?)"
                        " ON CONFLICT DO NOTHING");
  insert.bind(1, person_id);
  insert.bind(2, year);
  insert.bind(3, absl::ToUnixMicros(tx.now));
  insert.exec();
}

void InsertPerson(WriteTx& tx, const v1::Person& person) {
  const int64_t last_person = LastPersonId(tx.db);
  sql::Statement insert(tx.db,
                        "INSERT INTO people (person_id, display_name, county,"
                        " membership_paid_through, name_folded, county_folded)"
                        " VALUES (?, ?, ?, ?, ?, ?)");
  insert.bind(1, person.person_id());
  insert.bind(2, person.display_name());
  insert.bind(3, person.county());
  insert.bind(4, person.membership_paid_through_year());
  insert.bind(5, FoldForSearch(person.display_name()));
  insert.bind(6, FoldForSearch(person.county()));
  insert.exec();
  IndexNamesAfter(tx.db, last_person);
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

absl::StatusOr<v1::UpdateEndorsementStatusResponse>
RegistryStore::UpdateEndorsementStatus(
    const v1::UpdateEndorsementStatusRequest& request,
    const WriteContext& context, absl::CivilDay today) {
  return Write<v1::UpdateEndorsementStatusResponse>(
      "UpdateEndorsementStatus", request, context,
      [&](WriteTx& tx,
          v1::UpdateEndorsementStatusResponse& out) -> absl::Status {
        std::optional<v1::Endorsement> current =
            LoadEndorsement(tx.db, request.endorsement_number());
        if (!current) {
          return NotFound("endorsement", request.endorsement_number());
        }
        // The etag the caller could have read; a lapse recorded now, being
        // due already, does not make it stale.
        const std::string etag_read = current->etag();
        if (!tx.LapseDue(today, "e.number = ?", [&](sql::Statement& s) {
                 s.bind(1, request.endorsement_number());
               }).empty()) {
          current = LoadEndorsement(tx.db, request.endorsement_number());
        }
        if (!request.etag().empty() && request.etag() != etag_read) {
          return absl::AbortedError(
              absl::StrCat("endorsement ", request.endorsement_number(),
                           " changed since it was read (etag ", request.etag(),
                           ", now ", etag_read, "): read it again"));
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
    const v1::RecordMembershipRequest& request, const WriteContext& context,
    absl::CivilDay today) {
  return Write<v1::RecordMembershipResponse>(
      "RecordMembership", request, context,
      [&](WriteTx& tx, v1::RecordMembershipResponse& out) -> absl::Status {
        if (!LoadPerson(tx.db, request.person_id())) {
          return NotFound("person", request.person_id());
        }
        const auto of_person = [&](sql::Statement& s) {
          s.bind(1, request.person_id());
        };
        tx.LapseDue(today, "e.person_id = ?", of_person);
        sql::Statement seen(
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
        sql::Statement extend(
            tx.db,
            "UPDATE people SET membership_paid_through = CASE WHEN"
            " membership_paid_through > ?1 THEN membership_paid_through ELSE"
            " ?1 END WHERE person_id = ?2");
        extend.bind(1, request.year());
        extend.bind(2, request.person_id());
        extend.exec();
        RefreshLapseDays(tx.db, tx.rulebook, "e.person_id = ?", of_person);
        tx.AddChange(v1::CHANGE_KIND_MEMBERSHIP_RECORDED, request.person_id(),
                     std::nullopt);
        tx.audit_target = absl::StrCat("person:", request.person_id());
        tx.audit_detail = absl::StrCat("membership ", request.year());
        *out.mutable_person() = *LoadPerson(tx.db, request.person_id());
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::RecordRenewalResponse> RegistryStore::RecordRenewal(
    const v1::RecordRenewalRequest& request, const WriteContext& context,
    absl::CivilDay today) {
  return Write<v1::RecordRenewalResponse>(
      "RecordRenewal", request, context,
      [&](WriteTx& tx, v1::RecordRenewalResponse& out) -> absl::Status {
        absl::StatusOr<decision::v1::DecisionRecord> record =
            VerifySignedDecision(keyring_, request.signed_decision());
        if (!record.ok()) return record.status();
        const decision::v1::RenewalOutcome& renewal = record->renewal();
        if (record->kind() != decision::v1::DECISION_KIND_RENEWAL) {
          return absl::FailedPreconditionError(
              absl::StrCat("decision ", record->decision_id(),
                           " is not a renewal decision (EvaluateRenewal)"));
        }
        if (renewal.endorsement_number() != request.endorsement_number()) {
          return absl::FailedPreconditionError(
              absl::StrCat("decision ", record->decision_id(), " renews ",
                           renewal.endorsement_number(), ", not ",
                           request.endorsement_number()));
        }
        const auto this_one = [&](sql::Statement& s) {
          s.bind(1, request.endorsement_number());
        };
        tx.LapseDue(today, "e.number = ?", this_one);
        const std::optional<v1::Endorsement> current =
            LoadEndorsement(tx.db, request.endorsement_number());
        if (!current) {
          return NotFound("endorsement", request.endorsement_number());
        }
        if (!record->subject().person_id().empty() &&
            record->subject().person_id() != current->person_id()) {
          return absl::FailedPreconditionError(
              absl::StrCat("decision ", record->decision_id(), " is about ",
                           record->subject().person_id(), ", not the holder ",
                           current->person_id()));
        }
        if (current->status() != v1::ENDORSEMENT_STATUS_ACTIVE &&
            current->status() != v1::ENDORSEMENT_STATUS_LAPSED) {
          return absl::FailedPreconditionError(absl::StrCat(
              "endorsement ", request.endorsement_number(), " is ",
              StatusWord(current->status()), ": it cannot be renewed"));
        }
        if (renewal.cycle_year() != current->next_renewal_cycle_year()) {
          return absl::FailedPreconditionError(
              absl::StrCat("decision ", record->decision_id(), " attests the ",
                           renewal.cycle_year(), " cycle; endorsement ",
                           request.endorsement_number(), " is due in the ",
                           current->next_renewal_cycle_year(), " cycle"));
        }
        if (renewal.outcome() != decision::v1::DECISION_OUTCOME_ELIGIBLE) {
          return absl::FailedPreconditionError(
              absl::StrCat("decision ", record->decision_id(), " is ",
                           OutcomeName(renewal.outcome()),
                           ": the attestation is not complete for the ",
                           renewal.cycle_year(), " cycle"));
        }
        if (absl::Status fresh =
                CheckDecisionFresh(*record, tx.rulebook, today);
            !fresh.ok()) {
          return fresh;
        }
        sql::Statement used(
            tx.db,
            "SELECT e.number, r.cycle_year FROM renewals r JOIN endorsements e"
            " ON e.id = r.endorsement_id WHERE r.decision_id = ?");
        used.bind(1, record->decision_id());
        if (used.executeStep()) {
          return absl::FailedPreconditionError(absl::StrCat(
              "decision ", record->decision_id(), " was already used for the ",
              used.getColumn(1).getInt(), " renewal of ",
              used.getColumn(0).getString()));
        }
        const absl::CivilDay attested = Day(renewal.attested_on());
        if (attested < Day(current->granted_on())) {
          return absl::FailedPreconditionError(
              "the attestation is dated before the endorsement was granted");
        }
        absl::StatusOr<int> next =
            CycleAfter(tx.rulebook, renewal.cycle_year());
        if (!next.ok()) return next.status();
        const int64_t id = EndorsementId(tx.db, request.endorsement_number());
        sql::Statement insert(
            tx.db,
            "INSERT INTO renewals (endorsement_id, cycle_year, attested_on,"
            " training_hours, rsc_hours, decision_id, recorded_at_us,"
            " recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        insert.bind(1, id);
        insert.bind(2, renewal.cycle_year());
        insert.bind(3, FormatDay(attested));
        insert.bind(4, renewal.training_hours());
        insert.bind(5, renewal.rsc_hours());
        insert.bind(6, record->decision_id());
        insert.bind(7, absl::ToUnixMicros(tx.now));
        insert.bind(8, tx.context.actor);
        insert.exec();
        sql::Statement move(tx.db,
                            "UPDATE endorsements SET next_cycle_year = ?,"
                            " version = version + 1 WHERE id = ?");
        move.bind(1, *next);
        move.bind(2, id);
        move.exec();
        RefreshLapseDays(tx.db, tx.rulebook, "e.id = ?",
                         [&](sql::Statement& s) { s.bind(1, id); });
        tx.AddChange(v1::CHANGE_KIND_RENEWAL_RECORDED, current->person_id(),
                     id);
        tx.audit_target =
            absl::StrCat("endorsement:", request.endorsement_number());
        tx.audit_detail =
            absl::StrCat("renewed for ", renewal.cycle_year(), " on decision ",
                         record->decision_id(), "; next due ", *next);
        *out.mutable_endorsement() = *LoadEndorsementById(tx.db, id);
        return absl::OkStatus();
      });
}

namespace {

void RecordLapseRun(WriteTx& tx, absl::CivilDay as_of, bool scheduled,
                    int lapsed) {
  sql::Statement run(tx.db,
                     "INSERT INTO lapse_runs (as_of, runner, scheduled,"
                     " lapsed, at_us) VALUES (?, ?, ?, ?, ?)");
  run.bind(1, FormatDay(as_of));
  run.bind(2, tx.context.actor);
  run.bind(3, scheduled ? 1 : 0);
  run.bind(4, lapsed);
  run.bind(5, absl::ToUnixMicros(tx.now));
  run.exec();
  tx.audit_target = "registry";
  tx.audit_detail = absl::StrCat(lapsed, " lapsed as of ", FormatDay(as_of),
                                 scheduled ? " (scheduled run)" : "");
}

}  // namespace

absl::StatusOr<v1::ProcessLapsesResponse> RegistryStore::ProcessLapses(
    const v1::ProcessLapsesRequest& request, const WriteContext& context) {
  return Write<v1::ProcessLapsesResponse>(
      "ProcessLapses", request, context,
      [&](WriteTx& tx, v1::ProcessLapsesResponse& out) -> absl::Status {
        const absl::CivilDay as_of = Day(request.as_of());
        for (v1::LapsedEndorsement& lapsed :
             tx.LapseDue(as_of, "1 = 1", [](sql::Statement&) {})) {
          *out.add_lapsed() = std::move(lapsed);
        }
        RecordLapseRun(tx, as_of, false, out.lapsed_size());
        return absl::OkStatus();
      });
}

absl::StatusOr<std::optional<v1::ProcessLapsesResponse>>
RegistryStore::RunScheduledLapses(absl::CivilDay today,
                                  const WriteContext& context) {
  v1::ProcessLapsesRequest request;
  *request.mutable_as_of() = ToProtoDate(today);
  absl::StatusOr<v1::ProcessLapsesResponse> result =
      Write<v1::ProcessLapsesResponse>(
          "ProcessLapses", request, context,
          [&](WriteTx& tx, v1::ProcessLapsesResponse& out) -> absl::Status {
            sql::Statement done(tx.db,
                                "SELECT runner FROM lapse_runs WHERE"
                                " as_of = ? AND scheduled = 1");
            done.bind(1, FormatDay(today));
            if (done.executeStep()) {
              // Rolls back: today's run is recorded; nothing to write.
              return absl::AlreadyExistsError(done.getColumn(0).getString());
            }
            for (v1::LapsedEndorsement& lapsed :
                 tx.LapseDue(today, "1 = 1", [](sql::Statement&) {})) {
              *out.add_lapsed() = std::move(lapsed);
            }
            RecordLapseRun(tx, today, true, out.lapsed_size());
            return absl::OkStatus();
          });
  if (absl::IsAlreadyExists(result.status())) {
    return std::optional<v1::ProcessLapsesResponse>();
  }
  if (!result.ok()) return result.status();
  return std::optional<v1::ProcessLapsesResponse>(std::move(*result));
}

}  // namespace imh::registry

// Bulk import: one transaction for the whole request; a record the data
// refuses is listed, the others are committed. The checks read what the
// registry holds about the request's numbers and people for the whole request
// at once, and the accepted records are written together, each table in
// multi-row statements: an import of ten thousand records is about a hundred
// statements a table rather than eight a record.

#include <algorithm>
#include <deque>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/endorsement_status.h"
#include "google/protobuf/util/time_util.h"
#include "services/registry/lapse_rule.h"
#include "services/registry/renewal_cycle.h"
#include "services/registry/sql/multi_row.h"
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

// What the registry holds about a request's numbers and people, read for the
// whole request at once, and what the request's accepted records add to it:
// the checks of each record see the registry and the records before it.
// Keys are views of the request's strings (it outlives this) or of the
// strings read, which this keeps.
class ImportState {
 public:
  // Reads, for the records not in `skip`, which numbers are taken, which
  // people are on the registry and their live endorsements.
  ImportState(sql::Database& db, const v1::ImportEndorsementsRequest& request,
              const std::vector<bool>& skip);

  struct Person {
    absl::string_view display_name;
    absl::string_view county;
    int paid_through = 0;
  };
  struct Live {
    absl::string_view number;
    v1::EndorsementStatus status;
  };

  bool NumberTaken(absl::string_view number) const {
    return taken_.contains(number);
  }
  // Null when neither the registry nor an earlier record has the person.
  Person* FindPerson(absl::string_view person_id) {
    auto it = people_.find(person_id);
    return it == people_.end() ? nullptr : &it->second;
  }
  // The person's live endorsement of the category; null when none.
  const Live* LiveIn(absl::string_view person_id,
                     absl::string_view category) const {
    auto it = live_.find(std::make_pair(person_id, category));
    return it == live_.end() ? nullptr : &it->second;
  }

  // Each view must outlive this: the request's strings, or the rulebook's.
  void AddNumber(absl::string_view number) { taken_.insert(number); }
  void AddPerson(absl::string_view person_id, Person person) {
    people_.emplace(person_id, person);
  }
  void AddLive(absl::string_view person_id, absl::string_view category,
               Live live) {
    live_.emplace(std::make_pair(person_id, category), live);
  }

 private:
  // A string read from the registry, kept for the views of it.
  absl::string_view Keep(std::string text) {
    return read_.emplace_back(std::move(text));
  }

  std::deque<std::string> read_;
  absl::flat_hash_set<absl::string_view> taken_;
  absl::flat_hash_map<absl::string_view, Person> people_;
  absl::flat_hash_map<std::pair<absl::string_view, absl::string_view>, Live>
      live_;
};

ImportState::ImportState(sql::Database& db,
                         const v1::ImportEndorsementsRequest& request,
                         const std::vector<bool>& skip) {
  std::vector<const std::string*> numbers;
  std::vector<const std::string*> person_ids;
  absl::flat_hash_set<absl::string_view> listed;
  for (int i = 0; i < request.records_size(); ++i) {
    if (skip[i]) continue;
    const v1::RegistryRecord& record = request.records(i);
    numbers.push_back(&record.endorsement().endorsement_number());
    if (listed.insert(record.person().person_id()).second) {
      person_ids.push_back(&record.person().person_id());
    }
  }
  taken_.reserve(numbers.size());
  people_.reserve(person_ids.size());
  sql::MultiRow taken(db, "SELECT number FROM endorsements WHERE number IN (",
                      "?", ")");
  taken.Run(
      numbers.size(),
      [&](sql::Statement& s, size_t i, int at) { s.bind(at, *numbers[i]); },
      [&](sql::Statement& s) {
        taken_.insert(Keep(s.getColumn(0).getString()));
      });
  sql::MultiRow people(db,
                       "SELECT person_id, display_name, county,"
                       " membership_paid_through FROM people"
                       " WHERE person_id IN (",
                       "?", ")");
  std::vector<absl::string_view> known;
  people.Run(
      person_ids.size(),
      [&](sql::Statement& s, size_t i, int at) { s.bind(at, *person_ids[i]); },
      [&](sql::Statement& s) {
        const absl::string_view person_id = Keep(s.getColumn(0).getString());
        const absl::string_view name = Keep(s.getColumn(1).getString());
        const absl::string_view county = Keep(s.getColumn(2).getString());
        if (people_
                .try_emplace(person_id,
                             Person{name, county, s.getColumn(3).getInt()})
                .second) {
          known.push_back(person_id);
        }
      });
  sql::MultiRow live(
      db,
      absl::StrCat("SELECT person_id, category, number, status FROM"
                   " endorsements WHERE status IN (",
                   static_cast<int>(v1::ENDORSEMENT_STATUS_ACTIVE), ", ",
                   static_cast<int>(v1::ENDORSEMENT_STATUS_LAPSED), ", ",
                   static_cast<int>(v1::ENDORSEMENT_STATUS_SUSPENDED),
                   ") AND person_id IN ("),
      "?", ")");
  live.Run(
      known.size(),
      [&](sql::Statement& s, size_t i, int at) {
        s.bind(at, std::string(known[i]));
      },
      [&](sql::Statement& s) {
        const absl::string_view person_id = Keep(s.getColumn(0).getString());
        const absl::string_view category = Keep(s.getColumn(1).getString());
        const absl::string_view number = Keep(s.getColumn(2).getString());
        live_.try_emplace(std::make_pair(person_id, category),
                          Live{number, static_cast<v1::EndorsementStatus>(
                                           s.getColumn(3).getInt())});
      });
}

// An accepted record, held until it is written with the others: what the
// record does not say itself.
struct PendingEndorsement {
  const v1::RegistryRecord* record;
  // The rulebook's code of its category.
  const std::string* category;
  int cycle;
  // ACTIVE ones only.
  std::optional<LapseDay> lapse;
};

// The record's status history as imported: an empty one means ACTIVE since
// the grant. Entry `i` of `HistoryLength(record)`.
int HistoryLength(const v1::RegistryRecord& record) {
  return std::max(1, record.endorsement().history_size());
}
v1::EndorsementStatus HistoryStatus(const v1::RegistryRecord& record, int i) {
  return record.endorsement().history().empty()
             ? v1::ENDORSEMENT_STATUS_ACTIVE
             : record.endorsement().history(i).status();
}
absl::CivilDay HistoryDay(const v1::RegistryRecord& record, int i) {
  return ToCivilDayUnchecked(
      record.endorsement().history().empty()
          ? record.endorsement().granted_on()
          : record.endorsement().history(i).effective_on());
}
const std::string& HistoryReason(const v1::RegistryRecord& record, int i) {
  static const std::string* const kImported = new std::string(kImportedReason);
  return record.endorsement().history().empty()
             ? *kImported
             : record.endorsement().history(i).reason();
}
const std::string& HistoryActor(const v1::RegistryRecord& record, int i,
                                const std::string& importer) {
  return record.endorsement().history().empty() ||
                 record.endorsement().history(i).actor().empty()
             ? importer
             : record.endorsement().history(i).actor();
}

// The accepted records not yet written, and the people they bring.
class PendingWrites {
 public:
  explicit PendingWrites(WriteTx& tx);

  void AddPerson(const v1::Person& person) { people_.push_back(&person); }
  void AddEndorsement(PendingEndorsement endorsement) {
    endorsements_.push_back(endorsement);
  }

  // Writes everything held, in record order: the people, the endorsements,
  // their history and their change-feed entries, each table in multi-row
  // statements.
  void Flush();

 private:
  // The endorsement as this import leaves it, for the change feed: built
  // when written rather than read back (an import may bring a million), one
  // at a time.
  void FillState(const PendingEndorsement& pending,
                 v1::Endorsement& state) const;

  WriteTx& tx_;
  std::vector<const v1::Person*> people_;
  std::vector<PendingEndorsement> endorsements_;
  sql::MultiRow insert_people_;
  sql::MultiRow insert_endorsements_;
  sql::MultiRow insert_history_;
};

PendingWrites::PendingWrites(WriteTx& tx)
    : tx_(tx),
      insert_people_(tx.db,
                     "INSERT INTO people (person_id, display_name, county,"
                     " membership_paid_through, name_folded, county_folded)"
                     " VALUES ",
                     "(?, ?, ?, ?, ?, ?)", ""),
      insert_endorsements_(
          tx.db,
          "INSERT INTO endorsements (number, person_id, category, granted_on,"
          " status, status_since, next_cycle_year, version, lapses_on,"
          " lapse_cause, grant_kind, imported_at_us, imported_by) VALUES ",
          "(?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)", " RETURNING id, number"),
      insert_history_(tx.db,
                      "INSERT INTO status_history (endorsement_id, seq,"
                      " status, effective_on, reason, actor,"
                      " recorded_at_us, write_no) VALUES ",
                      "(?, ?, ?, ?, ?, ?, ?, ?)", "") {}

void PendingWrites::FillState(const PendingEndorsement& pending,
                              v1::Endorsement& state) const {
  const v1::RegistryRecord& record = *pending.record;
  const int last = HistoryLength(record) - 1;
  state.set_endorsement_number(record.endorsement().endorsement_number());
  state.set_person_id(record.person().person_id());
  state.set_display_name(record.person().display_name());
  state.set_county(record.person().county());
  state.set_category(*pending.category);
  *state.mutable_granted_on() = record.endorsement().granted_on();
  state.set_status(HistoryStatus(record, last));
  *state.mutable_status_since() = ToProtoDate(HistoryDay(record, last));
  state.set_next_renewal_cycle_year(pending.cycle);
  state.set_etag(EtagOf(0));
  if (pending.lapse) {
    *state.mutable_lapses_on() = ToProtoDate(pending.lapse->day);
  }
  v1::GrantBasis::Imported& imported =
      *state.mutable_grant()->mutable_imported();
  *imported.mutable_imported_at() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
          absl::ToUnixMicros(tx_.now));
  imported.set_imported_by(tx_.context.actor);
  for (int i = 0; i <= last; ++i) {
    v1::StatusChange& change = *state.add_history();
    change.set_status(HistoryStatus(record, i));
    *change.mutable_effective_on() = ToProtoDate(HistoryDay(record, i));
    change.set_reason(HistoryReason(record, i));
    change.set_actor(HistoryActor(record, i, tx_.context.actor));
  }
}

void PendingWrites::Flush() {
  insert_people_.Run(people_.size(), [&](sql::Statement& s, size_t i, int at) {
    const v1::Person& person = *people_[i];
    s.bind(at, person.person_id());
    s.bind(at + 1, person.display_name());
    s.bind(at + 2, person.county());
    s.bind(at + 3, person.membership_paid_through_year());
    s.bind(at + 4, FoldForSearch(person.display_name()));
    s.bind(at + 5, FoldForSearch(person.county()));
  });
  // No PERSON_CREATED entry: the ENDORSEMENT_IMPORTED one names the person.
  people_.clear();
  if (endorsements_.empty()) return;

  const int64_t at_us = absl::ToUnixMicros(tx_.now);
  // Each endorsement's row id, found by its number in what the INSERT
  // returns (an engine need not return rows in the order given).
  absl::flat_hash_map<absl::string_view, size_t> index_of;
  index_of.reserve(endorsements_.size());
  for (size_t i = 0; i < endorsements_.size(); ++i) {
    index_of.emplace(
        endorsements_[i].record->endorsement().endorsement_number(), i);
  }
  std::vector<int64_t> ids(endorsements_.size(), 0);
  insert_endorsements_.Run(
      endorsements_.size(),
      [&](sql::Statement& s, size_t i, int at) {
        const PendingEndorsement& pending = endorsements_[i];
        const v1::RegistryRecord& record = *pending.record;
        const int last = HistoryLength(record) - 1;
        s.bind(at, record.endorsement().endorsement_number());
        s.bind(at + 1, record.person().person_id());
        s.bind(at + 2, *pending.category);
        s.bind(
            at + 3,
            FormatDay(ToCivilDayUnchecked(record.endorsement().granted_on())));
        s.bind(at + 4, static_cast<int>(HistoryStatus(record, last)));
        s.bind(at + 5, FormatDay(HistoryDay(record, last)));
        s.bind(at + 6, pending.cycle);
        if (pending.lapse) {
          s.bind(at + 7, FormatDay(pending.lapse->day));
          s.bind(at + 8, static_cast<int>(pending.lapse->cause));
        } else {
          s.bind(at + 7);
          s.bind(at + 8, 0);
        }
        s.bind(at + 9, kGrantImported);
        s.bind(at + 10, at_us);
        s.bind(at + 11, tx_.context.actor);
      },
      [&](sql::Statement& s) {
        ids[index_of.at(s.getColumn(1).getString())] =
            s.getColumn(0).getInt64();
      });

  // Each history entry as (endorsement, entry).
  std::vector<std::pair<size_t, int>> entries;
  entries.reserve(endorsements_.size());
  for (size_t e = 0; e < endorsements_.size(); ++e) {
    for (int h = 0; h < HistoryLength(*endorsements_[e].record); ++h) {
      entries.emplace_back(e, h);
    }
  }
  const int64_t write_no =
      tx_.db.execAndGet("SELECT writes FROM write_clock").getInt64();
  insert_history_.Run(entries.size(), [&](sql::Statement& s, size_t i, int at) {
    const auto [e, h] = entries[i];
    const v1::RegistryRecord& record = *endorsements_[e].record;
    s.bind(at, ids[e]);
    s.bind(at + 1, static_cast<int64_t>(h + 1));
    s.bind(at + 2, static_cast<int>(HistoryStatus(record, h)));
    s.bind(at + 3, FormatDay(HistoryDay(record, h)));
    s.bind(at + 4, HistoryReason(record, h));
    s.bind(at + 5, HistoryActor(record, h, tx_.context.actor));
    s.bind(at + 6, at_us);
    s.bind(at + 7, write_no);
  });

  tx_.AddChanges(v1::CHANGE_KIND_ENDORSEMENT_IMPORTED, endorsements_.size(),
                 [&](size_t i, v1::Endorsement& state) {
                   FillState(endorsements_[i], state);
                   return WriteTx::EndorsementChange{
                       &endorsements_[i].record->person().person_id(), ids[i]};
                 });
  endorsements_.clear();
}

// Checks the record against the registry and the records before it, and
// holds it for writing (a membership raise of a known person is written at
// once, after what is held); returns the violations instead when the data
// refuses it (nothing of it held or written then).
std::vector<google::rpc::BadRequest::FieldViolation> ImportRecord(
    WriteTx& tx, ImportState& known, PendingWrites& pending, int index,
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

  if (known.NumberTaken(endorsement.endorsement_number())) {
    violations.push_back(
        Violation(index, "endorsement.endorsement_number",
                  absl::StrCat(endorsement.endorsement_number(),
                               " is already on the registry")));
  }

  // An endorsement is live while a status change, not a new grant, would
  // continue it: at most one per person and category (as a grant enforces),
  // earlier records of this import included.
  const int last = HistoryLength(record) - 1;
  const v1::EndorsementStatus final_status = HistoryStatus(record, last);
  if (category != nullptr && IsLiveStatus(final_status)) {
    if (const ImportState::Live* live =
            known.LiveIn(person.person_id(), category->code())) {
      violations.push_back(Violation(
          index, "endorsement.category",
          absl::StrCat(person.person_id(), " already has ", category->code(),
                       " endorsement ", live->number, " (",
                       StatusWord(live->status),
                       "): one live endorsement per person and category")));
    }
  }

  ImportState::Person* on_file = known.FindPerson(person.person_id());
  if (on_file != nullptr) {
    if (on_file->display_name != person.display_name()) {
      violations.push_back(
          Violation(index, "person.display_name",
                    absl::StrCat(person.person_id(),
                                 " is on the registry under another name")));
    }
    if (on_file->county != person.county()) {
      violations.push_back(
          Violation(index, "person.county",
                    absl::StrCat(person.person_id(),
                                 " is on the registry in another county")));
    }
  }
  if (!violations.empty()) return violations;

  if (on_file == nullptr) {
    pending.AddPerson(person);
    known.AddPerson(person.person_id(),
                    {person.display_name(), person.county(),
                     person.membership_paid_through_year()});
  } else if (person.membership_paid_through_year() > on_file->paid_through) {
    // The lapse days of the person's endorsements move, those of earlier
    // records of this import included: they are written first.
    pending.Flush();
    sql::Statement raise(tx.db,
                         "UPDATE people SET membership_paid_through = ?"
                         " WHERE person_id = ?");
    raise.bind(1, person.membership_paid_through_year());
    raise.bind(2, person.person_id());
    raise.exec();
    RefreshLapseDays(tx.db, tx.rulebook, "e.person_id = ?",
                     [&](sql::Statement& s) { s.bind(1, person.person_id()); });
    on_file->paid_through = person.membership_paid_through_year();
  }
  // The larger of the record's year and the one on file.
  const int paid_through = on_file == nullptr
                               ? person.membership_paid_through_year()
                               : on_file->paid_through;
  // Imported membership is the paid-through year on the person; the
  // memberships table records payments made through the registry.

  PendingEndorsement accepted{&record, &category->code(), cycle, std::nullopt};
  if (final_status == v1::ENDORSEMENT_STATUS_ACTIVE) {
    accepted.lapse =
        LapseDayOf({granted, HistoryDay(record, last), cycle, paid_through,
                    tx.rulebook.proto().renewal().membership_required()});
  }
  known.AddNumber(endorsement.endorsement_number());
  if (IsLiveStatus(final_status)) {
    known.AddLive(person.person_id(), category->code(),
                  {endorsement.endorsement_number(), final_status});
  }
  pending.AddEndorsement(accepted);
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
        ImportState known(tx.db, request, skip);
        PendingWrites pending(tx);
        int imported = 0;
        for (int i = 0; i < request.records_size(); ++i) {
          // Rejections stay in record order, validation's and the data's.
          while (next_rejection < rejected.size() &&
                 rejected[next_rejection].index() <= i) {
            *result.add_rejections() = std::move(rejected[next_rejection++]);
          }
          if (skip[i]) continue;
          auto violations =
              ImportRecord(tx, known, pending, i, request.records(i));
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
        pending.Flush();
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

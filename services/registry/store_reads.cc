// The registry's reads: each from one snapshot of a pooled read connection.

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/dates.h"
#include "common/endorsement_status.h"
#include "google/protobuf/util/time_util.h"
#include "services/registry/store.h"
#include "services/registry/store_internal.h"
#include "services/registry/text_fold.h"

namespace imh::registry {
namespace {

// One candidate endorsement of a verification subject.
struct Candidate {
  int64_t id;
  std::string number;
  std::string category;
  absl::CivilDay granted;
  v1::EndorsementStatus status;
  absl::CivilDay status_since;
  std::string person_id;
  // While ACTIVE: the day it is lapsed under the rules, and why.
  std::optional<absl::CivilDay> lapses_on;
  v1::LapseCause lapse_cause;
  // Its grant day and dated history, read when a day before status_since is
  // first asked about (once for every day of a span question).
  std::optional<v1::Endorsement> history = std::nullopt;
};

absl::CivilDay DayColumn(const sql::Column& column) {
  const std::string_view text = column.getView();
  return ParseDay(absl::string_view(text.data(), text.size()))
      .value_or(absl::CivilDay());
}

// The candidate of a row of by_person, by_number or by_people_or_numbers.
Candidate CandidateOf(sql::Statement& row) {
  return {row.getColumn(0).getInt64(),
          row.getColumn(1).getString(),
          row.getColumn(2).getString(),
          DayColumn(row.getColumn(3)),
          static_cast<v1::EndorsementStatus>(row.getColumn(4).getInt()),
          DayColumn(row.getColumn(5)),
          row.getColumn(6).getString(),
          row.getColumn(7).isNull()
              ? std::nullopt
              : std::optional<absl::CivilDay>(DayColumn(row.getColumn(7))),
          static_cast<v1::LapseCause>(row.getColumn(8).getInt())};
}

const v1::Endorsement& HistoryOf(Reader& reader, Candidate& candidate) {
  if (!candidate.history) {
    candidate.history.emplace();
    *candidate.history->mutable_granted_on() = ToProtoDate(candidate.granted);
    ReadHistory(reader.history, candidate.id, *candidate.history);
  }
  return *candidate.history;
}

// The status on `day`. The current status answers any day from its start;
// only earlier days need the history.
StatusOnDay StatusOn(Reader& reader, Candidate& candidate, absl::CivilDay day) {
  if (day < candidate.granted) return {};
  if (day >= candidate.status_since) {
    // Lapsed under the rules from its lapse day, recorded yet or not.
    if (candidate.status == v1::ENDORSEMENT_STATUS_ACTIVE &&
        candidate.lapses_on && day >= *candidate.lapses_on) {
      return {v1::ENDORSEMENT_STATUS_LAPSED, *candidate.lapses_on};
    }
    return {candidate.status, candidate.status_since};
  }
  return EndorsementStatusOn(HistoryOf(reader, candidate), day);
}

// The subject's endorsements, in id order.
std::vector<Candidate> CandidatesOf(Reader& reader,
                                    const VerifyQuestion& question) {
  sql::Statement& lookup =
      question.by_person ? reader.by_person : reader.by_number;
  lookup.reset();
  lookup.bind(1, question.subject);
  std::vector<Candidate> candidates;
  while (lookup.executeStep()) candidates.push_back(CandidateOf(lookup));
  return candidates;
}

bool InCategories(const VerifyQuestion& question, const Candidate& candidate) {
  return std::find(question.categories.begin(), question.categories.end(),
                   candidate.category) != question.categories.end();
}

// The answer to `question` on `day` from its subject's endorsements (in id
// order). Fills `out`, which must be empty.
void AnswerOn(Reader& reader, const VerifyQuestion& question,
              std::vector<Candidate>& candidates, absl::CivilDay day,
              v1::CredentialAnswer* out) {
  v1::CredentialAnswer& answer = *out;
  if (!candidates.empty()) answer.set_person_id(candidates.front().person_id);
  answer.set_status(v1::CREDENTIAL_STATUS_NOT_HELD);
  if (candidates.empty()) {
    answer.set_detail("not in the registry");
    return;
  }
  bool any_in_categories = false;
  for (Candidate& candidate : candidates) {
    if (!InCategories(question, candidate)) continue;
    any_in_categories = true;
    const StatusOnDay on_day = StatusOn(reader, candidate, day);
    answer.set_endorsement_number(candidate.number);
    answer.set_category(candidate.category);
    answer.set_status_on_date(on_day.status);
    if (on_day.status == v1::ENDORSEMENT_STATUS_ACTIVE) {
      answer.set_status(v1::CREDENTIAL_STATUS_HELD);
      *answer.mutable_status_since() = ToProtoDate(on_day.since);
      answer.clear_detail();
      return;
    }
    if (on_day.status == v1::ENDORSEMENT_STATUS_UNSPECIFIED) {
      answer.clear_status_since();
      answer.set_detail(absl::StrCat(candidate.category, " not granted until ",
                                     FormatDay(candidate.granted)));
    } else {
      *answer.mutable_status_since() = ToProtoDate(on_day.since);
      answer.set_detail(absl::StrCat(candidate.category, " ",
                                     StatusWord(on_day.status), " since ",
                                     FormatDay(on_day.since)));
    }
  }
  if (!any_in_categories) answer.set_detail("holds none of these categories");
}

// The days in (from, through] on which the answer about `candidates` may
// differ from the day before: the answer on a day compares it only with the
// candidates' grant, status, lapse and history days, so between two of them
// it stays the same.
std::vector<absl::CivilDay> ChangeDays(Reader& reader,
                                       const VerifyQuestion& question,
                                       std::vector<Candidate>& candidates,
                                       absl::CivilDay from,
                                       absl::CivilDay through) {
  std::vector<absl::CivilDay> days;
  auto add = [&](absl::CivilDay day) {
    if (day > from && day <= through) days.push_back(day);
  };
  for (Candidate& candidate : candidates) {
    if (!InCategories(question, candidate)) continue;
    add(candidate.granted);
    add(candidate.status_since);
    if (candidate.lapses_on) add(*candidate.lapses_on);
    if (from >= candidate.status_since) continue;  // no history day is asked
    for (const v1::StatusChange& change :
         HistoryOf(reader, candidate).history()) {
      if (IsCompleteDate(change.effective_on())) {
        add(ToCivilDayUnchecked(change.effective_on()));
      }
    }
  }
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());
  return days;
}

// What a reader of the answer on a day sees (the person aside, which is the
// same on every day).
bool SameAnswer(const v1::CredentialAnswer& a, const v1::CredentialAnswer& b) {
  return a.status() == b.status() &&
         a.endorsement_number() == b.endorsement_number() &&
         a.category() == b.category() &&
         a.status_on_date() == b.status_on_date() &&
         a.has_status_since() == b.has_status_since() &&
         a.status_since().year() == b.status_since().year() &&
         a.status_since().month() == b.status_since().month() &&
         a.status_since().day() == b.status_since().day() &&
         a.detail() == b.detail();
}

// The answer to `question`: on its day, and for a span question on each day
// through its last, as changes. Fills `out`, which must be empty.
void AnswerFrom(Reader& reader, const VerifyQuestion& question,
                std::vector<Candidate>& candidates, v1::CredentialAnswer* out) {
  AnswerOn(reader, question, candidates, question.on, out);
  if (!question.through) return;
  const v1::CredentialAnswer* previous = out;
  for (const absl::CivilDay day : ChangeDays(reader, question, candidates,
                                             question.on, *question.through)) {
    v1::CredentialAnswer on_day;
    AnswerOn(reader, question, candidates, day, &on_day);
    if (SameAnswer(on_day, *previous)) continue;
    on_day.clear_person_id();
    v1::CredentialChange* change = out->add_changes();
    *change->mutable_from() = ToProtoDate(day);
    *change->mutable_answer() = std::move(on_day);
    previous = &change->answer();
  }
  *out->mutable_through() = ToProtoDate(*question.through);
}

// A PostgreSQL text array literal of `values`: {"a","b"}, each quoted.
std::string TextArray(const std::vector<const std::string*>& values) {
  std::string out = "{";
  for (const std::string* value : values) {
    if (out.size() > 1) out.push_back(',');
    out.push_back('"');
    for (const char c : *value) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

// Every question's candidates read in one statement (by_people_or_numbers),
// then each answered as on SQLite.
void AnswerInOneRead(
    Reader& reader, const std::vector<VerifyQuestion>& questions,
    google::protobuf::RepeatedPtrField<v1::CredentialAnswer>* answers) {
  std::vector<const std::string*> people, numbers;
  absl::flat_hash_map<std::string, std::vector<Candidate>> of_person, of_number;
  for (const VerifyQuestion& question : questions) {
    auto& subjects = question.by_person ? of_person : of_number;
    if (subjects.try_emplace(question.subject).second) {
      (question.by_person ? people : numbers).push_back(&question.subject);
    }
  }
  sql::Statement& read = *reader.by_people_or_numbers;
  read.reset();
  read.bind(1, TextArray(people));
  read.bind(2, TextArray(numbers));
  while (read.executeStep()) {
    Candidate candidate = CandidateOf(read);
    if (auto it = of_number.find(candidate.number); it != of_number.end()) {
      it->second.push_back(candidate);
    }
    if (auto it = of_person.find(candidate.person_id); it != of_person.end()) {
      it->second.push_back(std::move(candidate));
    }
  }
  read.reset();
  for (const VerifyQuestion& question : questions) {
    AnswerFrom(
        reader, question,
        (question.by_person ? of_person : of_number).at(question.subject),
        answers->Add());
  }
}

// One page from `rows` (kEndorsementSelect rows in id order, at most
// page_size + 1 of them), with each history when `history` is given.
ListPage ReadEndorsementPage(sql::Statement& rows, int page_size,
                             sql::Statement* history) {
  ListPage page;
  int64_t last_id = 0;
  while (rows.executeStep()) {
    if (static_cast<int>(page.endorsements.size()) == page_size) {
      page.next_after_id = last_id;
      break;
    }
    v1::Endorsement& endorsement = page.endorsements.emplace_back();
    last_id = ReadEndorsementRow(rows, endorsement);
    if (history != nullptr) ReadHistory(*history, last_id, endorsement);
  }
  return page;
}

}  // namespace

absl::StatusOr<v1::GetPersonResponse> RegistryStore::GetPerson(
    const std::string& person_id) {
  try {
    auto lease = readers_->Acquire();
    sql::Database& db = (*lease)->db;
    std::optional<v1::Person> person = LoadPerson(db, person_id);
    if (!person) {
      return absl::NotFoundError(
          absl::StrCat("person ", person_id, " is not on the registry"));
    }
    v1::GetPersonResponse response;
    *response.mutable_person() = std::move(*person);
    sql::Statement rows(db,
                        absl::StrCat(kEndorsementSelect,
                                     "WHERE e.person_id = ? ORDER BY e.id"));
    rows.bind(1, person_id);
    while (rows.executeStep()) {
      v1::Endorsement* endorsement = response.add_endorsements();
      const int64_t id = ReadEndorsementRow(rows, *endorsement);
      ReadHistory((*lease)->history, id, *endorsement);
      ReadGrantDetails(db, *endorsement);
    }
    sql::Statement years(
        db, "SELECT year FROM memberships WHERE person_id = ? ORDER BY year");
    years.bind(1, person_id);
    while (years.executeStep()) {
      response.add_membership_years(years.getColumn(0).getInt());
    }
    sql::Statement renewals(
        db,
        "SELECT e.number, r.cycle_year, r.attested_on, r.training_hours,"
        " r.rsc_hours, r.decision_id, r.recorded_at_us, r.recorded_by"
        " FROM renewals r JOIN endorsements e ON e.id = r.endorsement_id"
        " WHERE e.person_id = ? ORDER BY r.recorded_at_us, e.id");
    renewals.bind(1, person_id);
    while (renewals.executeStep()) {
      v1::Renewal& renewal = *response.add_renewals();
      renewal.set_endorsement_number(renewals.getColumn(0).getString());
      renewal.set_cycle_year(renewals.getColumn(1).getInt());
      *renewal.mutable_attested_on() =
          ToProtoDate(DayColumn(renewals.getColumn(2)));
      renewal.set_training_hours(renewals.getColumn(3).getDouble());
      renewal.set_reflective_supervision_hours(
          renewals.getColumn(4).getDouble());
      renewal.set_decision_id(renewals.getColumn(5).getString());
      *renewal.mutable_recorded_at() =
          google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
              renewals.getColumn(6).getInt64());
      renewal.set_recorded_by(renewals.getColumn(7).getString());
    }
    for (v1::Application& application :
         LoadApplications(db, rulebook_, "WHERE a.person_id = ? ORDER BY a.id",
                          [&](sql::Statement& s) { s.bind(1, person_id); })) {
      *response.add_applications() = std::move(application);
    }
    return response;
  } catch (const std::exception& error) {
    return FromSqlite(error, "reading a person");
  }
}

absl::StatusOr<v1::Endorsement> RegistryStore::GetEndorsement(
    const std::string& number) {
  try {
    auto lease = readers_->Acquire();
    std::optional<v1::Endorsement> endorsement =
        LoadEndorsement((*lease)->db, number);
    if (!endorsement) {
      return absl::NotFoundError(
          absl::StrCat("endorsement ", number, " is not on the registry"));
    }
    return std::move(*endorsement);
  } catch (const std::exception& error) {
    return FromSqlite(error, "reading an endorsement");
  }
}

absl::StatusOr<ListPage> RegistryStore::ListEndorsements(
    const ListFilter& filter, int64_t after_id, int page_size) {
  try {
    auto lease = readers_->Acquire();
    sql::Database& db = (*lease)->db;
    // Names and counties compare folded (case and accents, every script).
    // A name of 3 or more characters is found through the trigram index of
    // folded names, driving the query; a shorter one is looked for in each
    // folded name. Either way % and _ are literal.
    const std::string name = FoldForSearch(filter.name);
    // PostgreSQL: LIKE over the pg_trgm index (which takes any length).
    const bool postgres = db.engine() == sql::Engine::kPostgres;
    const bool by_index = !postgres && CodePointCount(name) >= 3;
    std::string from = kEndorsementSelect;
    if (by_index) {
      absl::StrAppend(&from, "JOIN people_names f ON f.rowid = p.id ");
    }
    std::string where = "WHERE e.id > ?";
    if (by_index) absl::StrAppend(&where, " AND f.name_folded MATCH ?");
    if (!filter.category.empty())
      absl::StrAppend(&where, " AND e.category = ?");
    if (filter.status != v1::ENDORSEMENT_STATUS_UNSPECIFIED) {
      absl::StrAppend(&where, " AND e.status = ?");
    }
    if (!name.empty() && postgres) {
      absl::StrAppend(&where, " AND p.name_folded LIKE ? ESCAPE '!'");
    } else if (!name.empty() && !by_index) {
      absl::StrAppend(&where, " AND instr(p.name_folded, ?) > 0");
    }
    if (!filter.county.empty())
      absl::StrAppend(&where, " AND p.county_folded = ?");
    sql::Statement rows(db,
                        absl::StrCat(from, where, " ORDER BY e.id LIMIT ?"));
    int index = 1;
    rows.bind(index++, after_id);
    // One FTS5 phrase: the folded name, quotes doubled.
    if (by_index) {
      rows.bind(index++,
                absl::StrCat("\"", absl::StrReplaceAll(name, {{"\"", "\"\""}}),
                             "\""));
    }
    if (!filter.category.empty()) rows.bind(index++, filter.category);
    if (filter.status != v1::ENDORSEMENT_STATUS_UNSPECIFIED) {
      rows.bind(index++, static_cast<int>(filter.status));
    }
    if (!name.empty() && postgres) {
      rows.bind(index++,
                absl::StrCat("%",
                             absl::StrReplaceAll(
                                 name, {{"!", "!!"}, {"%", "!%"}, {"_", "!_"}}),
                             "%"));
    } else if (!name.empty() && !by_index) {
      rows.bind(index++, name);
    }
    if (!filter.county.empty()) {
      rows.bind(index++, FoldForSearch(filter.county));
    }
    rows.bind(index, page_size + 1);
    return ReadEndorsementPage(rows, page_size, &(*lease)->history);
  } catch (const std::exception& error) {
    return FromSqlite(error, "listing endorsements");
  }
}

std::vector<v1::CredentialAnswer> RegistryStore::Verify(
    const std::vector<VerifyQuestion>& questions) {
  google::protobuf::RepeatedPtrField<v1::CredentialAnswer> answers;
  Verify(questions, &answers);
  return {std::make_move_iterator(answers.begin()),
          std::make_move_iterator(answers.end())};
}

void RegistryStore::Verify(
    const std::vector<VerifyQuestion>& questions,
    google::protobuf::RepeatedPtrField<v1::CredentialAnswer>* answers) {
  const int first = answers->size();
  size_t answered = 0;
  try {
    // On PostgreSQL, where a statement is a round trip: one read for every
    // question, outside a transaction (the history a past day needs is
    // append-only, so a later read of it agrees with the first).
    auto lease = readers_->Acquire(/*snapshot=*/false);
    if ((*lease)->by_people_or_numbers != nullptr) {
      AnswerInOneRead(**lease, questions, answers);
      answered = questions.size();
    }
    for (; answered < questions.size(); ++answered) {
      std::vector<Candidate> candidates =
          CandidatesOf(**lease, questions[answered]);
      AnswerFrom(**lease, questions[answered], candidates, answers->Add());
    }
  } catch (const std::exception& error) {
    // The answers finished before the fault stand; the one it interrupted
    // and the rest are UNKNOWN.
    const absl::Status status = FromSqlite(error, "registry storage fault");
    const int kept = first + static_cast<int>(answered);
    answers->DeleteSubrange(kept, answers->size() - kept);
    for (; answered < questions.size(); ++answered) {
      v1::CredentialAnswer* answer = answers->Add();
      answer->set_status(v1::CREDENTIAL_STATUS_UNKNOWN);
      answer->set_detail(std::string(status.message()));
    }
  }
}

absl::StatusOr<std::vector<Change>> RegistryStore::ChangesAfter(
    int64_t after_sequence, int limit) {
  try {
    auto lease = readers_->Acquire();
    sql::Database& db = (*lease)->db;
    sql::Statement rows(db,
                        "SELECT sequence, kind, at_us, person_id,"
                        " endorsement_id, application_id, endorsement_state"
                        " FROM changes WHERE sequence > ? ORDER BY sequence"
                        " LIMIT ?");
    rows.bind(1, after_sequence);
    rows.bind(2, limit);
    std::vector<Change> changes;
    // Changes recorded before the registry kept each change's state (schema
    // 3) carry the endorsement as it is now.
    std::vector<std::pair<size_t, int64_t>> without_state;
    while (rows.executeStep()) {
      Change& change = changes.emplace_back();
      change.sequence = rows.getColumn(0).getInt64();
      change.kind = static_cast<v1::ChangeKind>(rows.getColumn(1).getInt());
      change.at = absl::FromUnixMicros(rows.getColumn(2).getInt64());
      change.person_id = rows.getColumn(3).getString();
      if (!rows.getColumn(5).isNull()) {
        change.application_id = rows.getColumn(5).getString();
      }
      if (rows.getColumn(4).isNull()) continue;
      const sql::Column state = rows.getColumn(6);
      v1::Endorsement endorsement;
      if (!state.isNull() &&
          endorsement.ParseFromArray(state.getBlob(), state.getBytes())) {
        change.endorsement = std::move(endorsement);
      } else {
        without_state.emplace_back(changes.size() - 1,
                                   rows.getColumn(4).getInt64());
      }
    }
    for (const auto& [index, endorsement_id] : without_state) {
      changes[index].endorsement = LoadEndorsementById(db, endorsement_id);
    }
    return changes;
  } catch (const std::exception& error) {
    return FromSqlite(error, "reading the change feed");
  }
}

absl::StatusOr<ListPage> RegistryStore::ListRenewalsDue(int cycle_year,
                                                        int64_t after_id,
                                                        int page_size,
                                                        absl::CivilDay today) {
  try {
    auto lease = readers_->Acquire();
    sql::Statement rows(
        (*lease)->db,
        absl::StrCat(
            kEndorsementSelect,
            "WHERE e.id > ? AND e.next_cycle_year = ? AND"
            " e.status = ? AND e.lapses_on > ? ORDER BY e.id LIMIT ?"));
    rows.bind(1, after_id);
    rows.bind(2, cycle_year);
    rows.bind(3, static_cast<int>(v1::ENDORSEMENT_STATUS_ACTIVE));
    rows.bind(4, FormatDay(today));
    rows.bind(5, page_size + 1);
    return ReadEndorsementPage(rows, page_size, nullptr);
  } catch (const std::exception& error) {
    return FromSqlite(error, "listing renewals due");
  }
}

absl::StatusOr<PeoplePage> RegistryStore::ListMembershipsDue(
    int year, int64_t after_id, int page_size, absl::CivilDay today) {
  try {
    auto lease = readers_->Acquire();
    // A grant implies membership through its year (RULES.md s.6).
    sql::Statement rows(
        (*lease)->db,
        "SELECT p.id, p.person_id, p.display_name, p.county,"
        " p.membership_paid_through FROM people p WHERE p.id > ? AND"
        " p.membership_paid_through < ? AND EXISTS (SELECT 1 FROM"
        " endorsements e WHERE e.person_id = p.person_id AND e.status = ?"
        " AND e.lapses_on > ?"
        " AND CAST(substr(e.granted_on, 1, 4) AS INTEGER) < ?)"
        " ORDER BY p.id LIMIT ?");
    rows.bind(1, after_id);
    rows.bind(2, year);
    rows.bind(3, static_cast<int>(v1::ENDORSEMENT_STATUS_ACTIVE));
    rows.bind(4, FormatDay(today));
    rows.bind(5, year);
    rows.bind(6, page_size + 1);
    PeoplePage page;
    int64_t last_id = after_id;
    while (rows.executeStep()) {
      if (static_cast<int>(page.people.size()) == page_size) {
        page.next_after_id = last_id;
        break;
      }
      last_id = rows.getColumn(0).getInt64();
      v1::Person& person = page.people.emplace_back();
      person.set_person_id(rows.getColumn(1).getString());
      person.set_display_name(rows.getColumn(2).getString());
      person.set_county(rows.getColumn(3).getString());
      person.set_membership_paid_through_year(rows.getColumn(4).getInt());
    }
    return page;
  } catch (const std::exception& error) {
    return FromSqlite(error, "listing memberships due");
  }
}

}  // namespace imh::registry

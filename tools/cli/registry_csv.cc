#include "tools/cli/registry_csv.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <iterator>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/dates.h"

namespace imh::tools {
namespace {

namespace reg = registry::v1;

constexpr const char* kColumns[] = {"person_id",
                                    "display_name",
                                    "county",
                                    "membership_paid_through_year",
                                    "endorsement_number",
                                    "category",
                                    "granted_on",
                                    "status",
                                    "status_since",
                                    "next_renewal_cycle_year",
                                    "history"};

std::string Quoted(absl::string_view field) {
  if (field.find_first_of(",\"\r\n") == absl::string_view::npos) {
    return std::string(field);
  }
  std::string out = "\"";
  for (const char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string DateText(const google::type::Date& date) {
  if (!IsCompleteDate(date)) return "";
  return FormatDay(ToCivilDayUnchecked(date));
}

std::string StatusText(reg::EndorsementStatus status) {
  if (status == reg::ENDORSEMENT_STATUS_UNSPECIFIED) return "";
  std::string name = reg::EndorsementStatus_Name(status);
  return name.substr(std::string("ENDORSEMENT_STATUS_").size());
}

std::string HistoryJson(const reg::Endorsement& endorsement) {
  if (endorsement.history().empty()) return "";
  // A message holding just the history prints it as {"history":[...]}; the
  // column keeps the list.
  reg::Endorsement only_history;
  *only_history.mutable_history() = endorsement.history();
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  (void)google::protobuf::util::MessageToJsonString(only_history, &json,
                                                    options);
  const size_t open = json.find('[');
  const size_t close = json.rfind(']');
  return json.substr(open, close - open + 1);
}

absl::Status ColumnError(int line, absl::string_view column,
                         absl::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat("line ", line, ", column ", column, ": ", problem));
}

}  // namespace

std::string RegistryCsvHeader() {
  return absl::StrCat(absl::StrJoin(kColumns, ","), "\r\n");
}

std::string RegistryCsvRow(const reg::RegistryRecord& record) {
  const reg::Person& person = record.person();
  const reg::Endorsement& endorsement = record.endorsement();
  const std::string fields[] = {
      person.person_id(),
      person.display_name(),
      person.county(),
      person.membership_paid_through_year() == 0
          ? ""
          : absl::StrCat(person.membership_paid_through_year()),
      endorsement.endorsement_number(),
      endorsement.category(),
      DateText(endorsement.granted_on()),
      StatusText(endorsement.status()),
      DateText(endorsement.status_since()),
      endorsement.next_renewal_cycle_year() == 0
          ? ""
          : absl::StrCat(endorsement.next_renewal_cycle_year()),
      HistoryJson(endorsement)};
  std::string row;
  for (size_t i = 0; i < std::size(fields); ++i) {
    if (i > 0) row.push_back(',');
    row.append(Quoted(fields[i]));
  }
  row.append("\r\n");
  return row;
}

absl::StatusOr<std::vector<CsvRow>> SplitCsv(absl::string_view text) {
  std::vector<CsvRow> rows;
  CsvRow row;
  std::string field;
  int line = 1;
  row.line = 1;
  bool in_quotes = false;
  bool field_was_quoted = false;
  bool row_has_content = false;
  auto end_field = [&] {
    row.fields.push_back(std::move(field));
    field.clear();
    field_was_quoted = false;
  };
  auto end_row = [&] {
    end_field();
    // A line with nothing on it is not a row.
    if (row_has_content) rows.push_back(std::move(row));
    row = CsvRow();
    row_has_content = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    switch (c) {
      case '"':
        if (!field.empty() || field_was_quoted) {
          return absl::InvalidArgumentError(absl::StrCat(
              "line ", line, ": a quote inside an unquoted field"));
        }
        in_quotes = true;
        field_was_quoted = true;
        row_has_content = true;
        break;
      case ',':
        end_field();
        row_has_content = true;
        break;
      case '\r':
        break;
      case '\n':
        end_row();
        ++line;
        row.line = line;
        break;
      default:
        if (field_was_quoted) {
          return absl::InvalidArgumentError(absl::StrCat(
              "line ", line, ": text after the closing quote of a field"));
        }
        field.push_back(c);
        row_has_content = true;
    }
  }
  if (in_quotes) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", row.line, ": a quoted field never ends"));
  }
  end_row();
  return rows;
}

absl::StatusOr<std::vector<CsvRecord>> ParseRegistryCsv(
    absl::string_view text) {
  absl::StatusOr<std::vector<CsvRow>> rows = SplitCsv(text);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return absl::InvalidArgumentError("the file is empty");
  absl::flat_hash_map<std::string, int> column_of;
  const CsvRow& header = rows->front();
  for (size_t i = 0; i < header.fields.size(); ++i) {
    const std::string& name = header.fields[i];
    if (std::find(std::begin(kColumns), std::end(kColumns), name) ==
        std::end(kColumns)) {
      return absl::InvalidArgumentError(
          absl::StrCat("line 1: unknown column \"", name,
                       "\"; the columns are ", absl::StrJoin(kColumns, ",")));
    }
    if (!column_of.emplace(name, static_cast<int>(i)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("line 1: column \"", name, "\" appears twice"));
    }
  }
  std::vector<CsvRecord> records;
  records.reserve(rows->size() - 1);
  for (size_t r = 1; r < rows->size(); ++r) {
    const CsvRow& row = (*rows)[r];
    if (row.fields.size() != header.fields.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", row.line, ": ", row.fields.size(),
                       " fields where the header has ", header.fields.size()));
    }
    auto get = [&](const char* column) -> const std::string& {
      static const std::string kEmpty;
      const auto it = column_of.find(column);
      return it == column_of.end() ? kEmpty : row.fields[it->second];
    };
    CsvRecord record;
    record.line = row.line;
    reg::Person& person = *record.record.mutable_person();
    reg::Endorsement& endorsement = *record.record.mutable_endorsement();
    person.set_person_id(get("person_id"));
    person.set_display_name(get("display_name"));
    person.set_county(get("county"));
    if (const std::string& year = get("membership_paid_through_year");
        !year.empty()) {
      int value = 0;
      if (!absl::SimpleAtoi(year, &value)) {
        return ColumnError(row.line, "membership_paid_through_year",
                           absl::StrCat("\"", year, "\" is not a year"));
      }
      person.set_membership_paid_through_year(value);
    }
    endorsement.set_person_id(get("person_id"));
    endorsement.set_display_name(get("display_name"));
    endorsement.set_endorsement_number(get("endorsement_number"));
    endorsement.set_category(get("category"));
    if (const std::string& granted = get("granted_on"); !granted.empty()) {
      absl::StatusOr<absl::CivilDay> day = ParseDay(granted);
      if (!day.ok()) {
        return ColumnError(row.line, "granted_on",
                           absl::StrCat("\"", granted, "\" is not YYYY-MM-DD"));
      }
      *endorsement.mutable_granted_on() = ToProtoDate(*day);
    }
    if (const std::string& cycle = get("next_renewal_cycle_year");
        !cycle.empty()) {
      int value = 0;
      if (!absl::SimpleAtoi(cycle, &value)) {
        return ColumnError(row.line, "next_renewal_cycle_year",
                           absl::StrCat("\"", cycle, "\" is not a year"));
      }
      endorsement.set_next_renewal_cycle_year(value);
    }
    if (const std::string& history = get("history"); !history.empty()) {
      reg::Endorsement parsed;
      google::protobuf::util::JsonParseOptions options;
      const auto status = google::protobuf::util::JsonStringToMessage(
          absl::StrCat("{\"history\":", history, "}"), &parsed, options);
      if (!status.ok()) {
        return ColumnError(row.line, "history",
                           absl::StrCat("not a JSON list of status changes: ",
                                        std::string(status.message())));
      }
      *endorsement.mutable_history() = parsed.history();
    }
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace imh::tools

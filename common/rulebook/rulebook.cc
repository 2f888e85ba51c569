#include "common/rulebook/rulebook.h"

#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/proto_files.h"
#include "common/rulebook/rulebook_check.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace imh {
namespace {

// Collects the text parser's errors with their positions.
class ErrorLines : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    lines_.push_back(absl::StrCat(line + 1, ":", column + 1, ": ", message));
  }
  void AddWarning(int line, google::protobuf::io::ColumnNumber column,
                  const std::string& message) override {
    AddError(line, column, message);
  }
  std::vector<std::string>& lines() { return lines_; }

 private:
  std::vector<std::string> lines_;
};

absl::Status Refuse(absl::string_view source,
                    const std::vector<std::string>& problems) {
  std::vector<std::string> prefixed;
  prefixed.reserve(problems.size());
  for (const std::string& problem : problems) {
    prefixed.push_back(absl::StrCat(source, ":", problem));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("rulebook refused:\n", absl::StrJoin(prefixed, "\n")));
}

}  // namespace

absl::StatusOr<Rulebook> Rulebook::Parse(absl::string_view text,
                                         absl::string_view source_name) {
  Rulebook rulebook;
  google::protobuf::TextFormat::ParseInfoTree locations;
  ErrorLines errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  parser.WriteLocationsTo(&locations);
  if (!parser.ParseFromString(std::string(text), &rulebook.proto_)) {
    return Refuse(source_name, errors.lines());
  }
  std::vector<std::string> problems =
      CheckRulebook(rulebook.proto_, &locations);
  if (!problems.empty()) return Refuse(source_name, problems);

  const auto& categories = rulebook.proto_.categories();
  for (int i = 0; i < categories.size(); ++i) {
    rulebook.category_index_[absl::AsciiStrToUpper(categories[i].code())] = i;
    for (const std::string& alias : categories[i].aliases()) {
      rulebook.category_index_[absl::AsciiStrToUpper(alias)] = i;
    }
  }
  rulebook.in_force_from_ = RulesInForceFrom(rulebook.proto_);
  return rulebook;
}

absl::StatusOr<Rulebook> Rulebook::Load(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFileToString(path);
  if (!text.ok()) return text.status();
  return Parse(*text, path);
}

const rulebook::v1::Category* Rulebook::FindCategory(
    absl::string_view code) const {
  // The index holds upper-case codes and aliases: a code found as given is
  // its own upper case, so the copy is made only for one that is not.
  auto it = category_index_.find(code);
  if (it == category_index_.end()) {
    it = category_index_.find(absl::AsciiStrToUpper(code));
    if (it == category_index_.end()) return nullptr;
  }
  return &proto_.categories(it->second);
}

std::string DefaultRulebookPath() {
  if (const char* path = std::getenv("IMH_RULEBOOK"); path && *path) {
    return path;
  }
  return IMH_DEFAULT_RULEBOOK_PATH;
}

absl::StatusOr<Rulebook> LoadRulebookOrDefault(const std::string& path) {
  return Rulebook::Load(path.empty() ? DefaultRulebookPath() : path);
}

}  // namespace imh

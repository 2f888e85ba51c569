#ifndef IMH_COMMON_RULEBOOK_RULEBOOK_H_
#define IMH_COMMON_RULEBOOK_RULEBOOK_H_

// The rule set in force, loaded from a textproto file and validated once.

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "imh/rulebook/v1/rulebook.pb.h"

namespace imh {

class Rulebook {
 public:
  // Parses and validates a rulebook in protobuf text format. On failure returns
  // InvalidArgument whose message lists every problem found, each as
  // "<source_name>:<line>:<column>: <entry path>: <problem>", e.g.
  // "va.textproto:57:5: categories[1](IFS).rsc.minimum_hours.values[1]:
  // effective_from must increase".
  static absl::StatusOr<Rulebook> Parse(absl::string_view text,
                                        absl::string_view source_name);

  // Reads `path` and Parse()s it; NotFound when the file cannot be read.
  static absl::StatusOr<Rulebook> Load(const std::string& path);

  const rulebook::v1::Rulebook& proto() const { return proto_; }
  const std::string& version() const { return proto_.version(); }

  // The category named by its canonical code or an alias, case-insensitively;
  // nullptr when the rulebook has none.
  const rulebook::v1::Category* FindCategory(absl::string_view code) const;

  // The first day on which every dated figure of the general and category rules
  // has a value; evaluations before it are refused.
  absl::CivilDay in_force_from() const { return in_force_from_; }

 private:
  rulebook::v1::Rulebook proto_;
  // Upper-cased code or alias -> index in proto_.categories().
  absl::flat_hash_map<std::string, int> category_index_;
  absl::CivilDay in_force_from_;
};

// Where the default Virginia rulebook lives: $IMH_RULEBOOK if set, else the
// copy in the source tree this binary was built from.
std::string DefaultRulebookPath();

// Rulebook::Load of `path`, or of DefaultRulebookPath() when `path` is empty
// (a binary's --rulebook flag left unset). Same errors as Load.
absl::StatusOr<Rulebook> LoadRulebookOrDefault(const std::string& path);

}  // namespace imh

#endif  // IMH_COMMON_RULEBOOK_RULEBOOK_H_

#ifndef IMH_COMMON_PROTO_FILES_H_
#define IMH_COMMON_PROTO_FILES_H_

// Reading files and protobuf JSON, with errors as values.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace imh {

// The whole file. NotFound when it cannot be opened; Internal on a read error.
absl::StatusOr<std::string> ReadFileToString(const std::string& path);

// Parses protobuf JSON (the canonical mapping) into `message`, which is cleared
// first. Unknown fields are an error. InvalidArgument names `source` and the
// parser's reason.
absl::Status ParseJson(absl::string_view json, absl::string_view source,
                       google::protobuf::Message* message);

// `text` with every line whose first non-blank characters are "//" made
// empty (line numbers stay as they were).
std::string BlankCommentLines(absl::string_view text);

// ReadFileToString + BlankCommentLines + ParseJson: a JSON file may explain
// itself in whole-line "//" comments (as `imh portfolio new` writes them).
absl::Status ReadJsonFile(const std::string& path,
                          google::protobuf::Message* message);

// The message's deterministic binary serialization: the same message gives the
// same bytes in every process (what digests and signatures are taken of).
std::string DeterministicBytes(const google::protobuf::Message& message);

// Canonical JSON, indented, with default-valued fields left out.
std::string ToJson(const google::protobuf::Message& message);

// The same on one line: for JSON Lines, one message per line.
std::string ToJsonLine(const google::protobuf::Message& message);

}  // namespace imh

#endif  // IMH_COMMON_PROTO_FILES_H_

#ifndef IMH_SERVICES_ELIGIBILITY_VERIFY_WIRE_H_
#define IMH_SERVICES_ELIGIBILITY_VERIFY_WIRE_H_

// VerifyCredentials on the wire, as the registry client sends and reads it:
// the request written as the bytes of imh.registry.v1.VerifyCredentialsRequest
// straight from the questions, the response read from its bytes straight into
// the answers the facts keep. Building and parsing the messages instead costs
// a few hundred small messages and strings per portfolio each way (a
// question's subject, codes and days; an answer's number, category, detail,
// holder and changes), for bytes written or read once.

#include <grpcpp/support/byte_buffer.h>

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/eligibility/verification.h"

namespace imh::eligibility {

// The serialized request asking `questions` in order, each with its subject
// (the person id when there is one, else the endorsement number), its
// category codes, its day and a span question's last day: byte for byte what
// serializing the message built field by field gives. One allocation (a single
// slice of the exact size). Never fails.
grpc::ByteBuffer VerifyRequestBytes(
    const std::vector<CredentialQuestion>& questions);

// What the registry answered, as the facts keep it.
struct RegistryAnswers {
  // One per answer, in the response's order: its status (HELD, NOT_HELD;
  // kUnknown for UNKNOWN and any other value), endorsement number, category,
  // detail and person id; for a span answer its last day and its changes,
  // each with its first day (a span whose last day or a change's first day
  // is not a real calendar day is dropped, changes and all: fail closed).
  std::vector<CredentialAnswer> answers;
  std::string rulebook_version;
};

// Reads the registry's response, as received, into `out` (which must be
// empty; its answers may have capacity reserved). An empty buffer is the
// empty message. Returns false for truncated or malformed wire data and for a
// string it reads that is not UTF-8, all of which protobuf's own parser
// refuses too; `out` is then unspecified. Fields it does not read (an
// answer's status on the day and that status' start, a change's own changes
// and last day, and any this version does not know) are skipped unchecked.
bool ReadVerifyResponse(const grpc::ByteBuffer& received, RegistryAnswers* out);
// The same, of bytes in one piece.
bool ReadVerifyResponse(absl::string_view bytes, RegistryAnswers* out);

}  // namespace imh::eligibility

#endif  // IMH_SERVICES_ELIGIBILITY_VERIFY_WIRE_H_

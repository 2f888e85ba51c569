// A VerifyCredentials response arrives from the network as any bytes at all.
// ReadVerifyResponse must read them without fault, and whatever protobuf's
// own parser accepts it must read to the same answers, span answers' changes
// included.

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/dates.h"
#include "google/protobuf/stubs/logging.h"
#include "imh/registry/v1/registry_service.pb.h"
#include "services/eligibility/verify_wire.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

namespace reg = imh::registry::v1;
using imh::eligibility::CredentialStatus;

CredentialStatus StatusOf(reg::CredentialStatus status) {
  return status == reg::CREDENTIAL_STATUS_HELD ? CredentialStatus::kHeld
         : status == reg::CREDENTIAL_STATUS_NOT_HELD
             ? CredentialStatus::kNotHeld
             : CredentialStatus::kUnknown;
}

bool SameFields(const imh::eligibility::CredentialAnswer& got,
                const reg::CredentialAnswer& want) {
  return got.status == StatusOf(want.status()) &&
         got.endorsement_number == want.endorsement_number() &&
         got.category == want.category() && got.detail == want.detail();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Protobuf logs every string it refuses as not UTF-8.
  static const google::protobuf::LogSilencer* const quiet =
      new google::protobuf::LogSilencer;
  (void)quiet;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  imh::eligibility::RegistryAnswers read;
  const bool ours = imh::eligibility::ReadVerifyResponse(bytes, &read);
  reg::VerifyCredentialsResponse parsed;
  if (!parsed.ParseFromString(bytes)) return 0;
  if (!ours) imh::fuzz::InvariantBroken("refused what protobuf parses");
  if (read.rulebook_version != parsed.rulebook_version() ||
      static_cast<int>(read.answers.size()) != parsed.answers_size()) {
    imh::fuzz::InvariantBroken("read other answers than protobuf");
  }
  for (int i = 0; i < parsed.answers_size(); ++i) {
    const reg::CredentialAnswer& want = parsed.answers(i);
    const imh::eligibility::CredentialAnswer& got = read.answers[i];
    if (!SameFields(got, want) || got.person_id != want.person_id()) {
      imh::fuzz::InvariantBroken("read an answer otherwise than protobuf");
    }
    // A span is kept when its last day and every change's first are real
    // days; else it is dropped with its changes (fail closed).
    bool days_ok = want.has_through() && imh::IsCompleteDate(want.through());
    for (const reg::CredentialChange& change : want.changes()) {
      days_ok =
          days_ok && change.has_from() && imh::IsCompleteDate(change.from());
    }
    if (!days_ok) {
      if (got.through.has_value() || !got.changes.empty()) {
        imh::fuzz::InvariantBroken("kept a span without real days");
      }
      continue;
    }
    if (got.through != imh::ToCivilDayUnchecked(want.through()) ||
        static_cast<int>(got.changes.size()) != want.changes_size()) {
      imh::fuzz::InvariantBroken("read another span than protobuf");
    }
    for (int c = 0; c < want.changes_size(); ++c) {
      if (got.changes[c].from !=
              imh::ToCivilDayUnchecked(want.changes(c).from()) ||
          !SameFields(got.changes[c], want.changes(c).answer()) ||
          got.changes[c].person_id != want.changes(c).answer().person_id()) {
        imh::fuzz::InvariantBroken("read a change otherwise than protobuf");
      }
    }
  }
  return 0;
}

// The registry client's halves of a verification without the RPC between
// them: the request bytes it writes (equal to what protobuf serializes for the
// same message), the response bytes it reads (as protobuf parses them, refused
// where protobuf refuses them), and the facts it files from a complete answer.

#include "services/eligibility/registry_client.h"

#include <gmock/gmock.h>
#include <grpcpp/support/proto_buffer_reader.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "google/protobuf/stubs/logging.h"
#include "imh/registry/v1/registry_service.pb.h"
#include "services/eligibility/verify_wire.h"

namespace imh::eligibility {
namespace {

namespace reg = registry::v1;
using ::testing::ElementsAre;

std::vector<CredentialQuestion> TwoQuestions() {
  return {
      {"P-1001",
       "VA-IFRS-000123",
       {"IFRS", "IMHM-C"},
       absl::CivilDay(2025, 3, 4)},
      {"", "VA-IFS-000777", {"IFS"}, absl::CivilDay(2026, 11, 20)},
  };
}

// The request's bytes parsed back into the message the registry reads.
reg::VerifyCredentialsRequest Parsed(grpc::ByteBuffer bytes) {
  reg::VerifyCredentialsRequest request;
  grpc::ProtoBufferReader reader(&bytes);
  EXPECT_TRUE(request.ParseFromZeroCopyStream(&reader));
  return request;
}

std::string Flattened(const grpc::ByteBuffer& bytes) {
  std::vector<grpc::Slice> slices;
  EXPECT_TRUE(bytes.Dump(&slices).ok());
  std::string flat;
  for (const grpc::Slice& slice : slices) {
    flat.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return flat;
}

// The same request built as a message, field by field, and serialized by
// protobuf: what the bytes must equal.
std::string SerializedMessageOf(
    const std::vector<CredentialQuestion>& questions) {
  reg::VerifyCredentialsRequest request;
  for (const CredentialQuestion& question : questions) {
    reg::CredentialQuestion* proto = request.add_questions();
    if (!question.person_id.empty()) {
      proto->set_person_id(question.person_id);
    } else {
      proto->set_endorsement_number(question.endorsement_number);
    }
    for (const std::string& category : question.categories) {
      proto->add_categories(category);
    }
    proto->mutable_as_of()->set_year(question.on.year());
    proto->mutable_as_of()->set_month(question.on.month());
    proto->mutable_as_of()->set_day(question.on.day());
    if (question.through) {
      proto->mutable_through()->set_year(question.through->year());
      proto->mutable_through()->set_month(question.through->month());
      proto->mutable_through()->set_day(question.through->day());
    }
  }
  return request.SerializeAsString();
}

TEST(VerifyRequestBytes, AskEveryQuestionInOrderByIdBeforeNumber) {
  const reg::VerifyCredentialsRequest request =
      Parsed(VerifyRequestBytes(TwoQuestions()));

  ASSERT_EQ(request.questions_size(), 2);
  const reg::CredentialQuestion& first = request.questions(0);
  // A person id names the subject; the number is not sent beside it.
  EXPECT_EQ(first.person_id(), "P-1001");
  EXPECT_EQ(first.endorsement_number(), "");
  EXPECT_THAT(first.categories(), ElementsAre("IFRS", "IMHM-C"));
  EXPECT_EQ(first.as_of().year(), 2025);
  EXPECT_EQ(first.as_of().month(), 3);
  EXPECT_EQ(first.as_of().day(), 4);
  const reg::CredentialQuestion& second = request.questions(1);
  EXPECT_EQ(second.subject_case(), reg::CredentialQuestion::kEndorsementNumber);
  EXPECT_EQ(second.endorsement_number(), "VA-IFS-000777");
  EXPECT_THAT(second.categories(), ElementsAre("IFS"));
  EXPECT_EQ(second.as_of().year(), 2026);
  EXPECT_EQ(second.as_of().month(), 11);
  EXPECT_EQ(second.as_of().day(), 20);
}

TEST(VerifyRequestBytes, EqualTheSerializedMessage) {
  EXPECT_EQ(Flattened(VerifyRequestBytes(TwoQuestions())),
            SerializedMessageOf(TwoQuestions()));
  EXPECT_EQ(Flattened(VerifyRequestBytes({})), "");
  // Lengths past one varint byte (a 300-byte subject, a 200-byte code, a
  // request of several hundred kilobytes), an empty subject (sent: the oneof
  // is set), years of one to five digits.
  std::vector<CredentialQuestion> questions = TwoQuestions();
  questions.push_back(
      {std::string(300, 'p'), "", {"IFRS"}, absl::CivilDay(1, 1, 1)});
  questions.push_back(
      {"", "", {std::string(200, 'c'), "IFS"}, absl::CivilDay(99999, 12, 31)});
  // Every third a span question, of 0 to 399 days after its first.
  for (int i = 0; i < 5000; ++i) {
    const absl::CivilDay on = absl::CivilDay(2020, 1, 1) + i;
    questions.push_back(
        {absl::StrCat("P-", i),
         "",
         {"IFRS", "IMHM-C", "IMHM-P", "IMHM-RF"},
         on,
         i % 3 == 0 ? std::optional(on + i % 400) : std::nullopt});
  }
  const grpc::ByteBuffer bytes = VerifyRequestBytes(questions);
  EXPECT_GT(bytes.Length(), size_t{200000});
  EXPECT_EQ(Flattened(bytes), SerializedMessageOf(questions));
  const reg::VerifyCredentialsRequest request = Parsed(bytes);
  ASSERT_EQ(request.questions_size(), static_cast<int>(questions.size()));
  EXPECT_EQ(request.questions(2).person_id(), std::string(300, 'p'));
  EXPECT_EQ(request.questions(3).subject_case(),
            reg::CredentialQuestion::kEndorsementNumber);
  EXPECT_EQ(request.questions(3).as_of().year(), 99999);
  EXPECT_FALSE(request.questions(3).has_through());
  // P-399: from 2021-02-03 through 399 days later.
  const reg::CredentialQuestion& span = request.questions(4 + 399);
  EXPECT_EQ(span.person_id(), "P-399");
  EXPECT_EQ(absl::CivilDay(span.through().year(), span.through().month(),
                           span.through().day()) -
                absl::CivilDay(span.as_of().year(), span.as_of().month(),
                               span.as_of().day()),
            399);
}

// `bytes` as received, split into slices of at most `slice_size` bytes (gRPC
// hands a message over in as many slices as it arrived in).
grpc::ByteBuffer Received(const std::string& bytes, size_t slice_size) {
  std::vector<grpc::Slice> slices;
  for (size_t at = 0; at < bytes.size(); at += slice_size) {
    slices.emplace_back(bytes.substr(at, slice_size));
  }
  return grpc::ByteBuffer(slices.data(), slices.size());
}

CredentialStatus StatusOf(reg::CredentialStatus status) {
  switch (status) {
    case reg::CREDENTIAL_STATUS_HELD:
      return CredentialStatus::kHeld;
    case reg::CREDENTIAL_STATUS_NOT_HELD:
      return CredentialStatus::kNotHeld;
    default:
      return CredentialStatus::kUnknown;
  }
}

bool SameFields(const CredentialAnswer& got,
                const reg::CredentialAnswer& want) {
  return got.status == StatusOf(want.status()) &&
         got.endorsement_number == want.endorsement_number() &&
         got.category == want.category() && got.detail == want.detail();
}

// Whether protobuf's parser accepts `bytes`, and if so that the reader
// accepts them too and read every field it keeps as protobuf did.
::testing::AssertionResult ReadsAsProtobufParses(const std::string& bytes) {
  RegistryAnswers read;
  const bool ours = ReadVerifyResponse(Received(bytes, 7), &read);
  reg::VerifyCredentialsResponse parsed;
  if (!parsed.ParseFromString(bytes)) {
    return ::testing::AssertionFailure() << "protobuf refuses them";
  }
  if (!ours)
    return ::testing::AssertionFailure() << "refused what protobuf parses";
  if (read.rulebook_version != parsed.rulebook_version()) {
    return ::testing::AssertionFailure() << "rulebook version differs";
  }
  if (static_cast<int>(read.answers.size()) != parsed.answers_size()) {
    return ::testing::AssertionFailure()
           << read.answers.size() << " answers, protobuf "
           << parsed.answers_size();
  }
  for (int i = 0; i < parsed.answers_size(); ++i) {
    const reg::CredentialAnswer& want = parsed.answers(i);
    const CredentialAnswer& got = read.answers[i];
    if (!SameFields(got, want) || got.person_id != want.person_id()) {
      return ::testing::AssertionFailure() << "answer " << i << " differs";
    }
    // A span is read when its days are real days, and dropped otherwise.
    bool days_ok = want.has_through() && IsCompleteDate(want.through());
    for (const reg::CredentialChange& change : want.changes()) {
      days_ok = days_ok && IsCompleteDate(change.from());
    }
    if (!days_ok) {
      if (got.through || !got.changes.empty()) {
        return ::testing::AssertionFailure()
               << "answer " << i << " keeps a span without real days";
      }
      continue;
    }
    if (got.through != ToCivilDayUnchecked(want.through()) ||
        static_cast<int>(got.changes.size()) != want.changes_size()) {
      return ::testing::AssertionFailure() << "answer " << i << "'s span";
    }
    for (int c = 0; c < want.changes_size(); ++c) {
      if (got.changes[c].from != ToCivilDayUnchecked(want.changes(c).from()) ||
          !SameFields(got.changes[c], want.changes(c).answer())) {
        return ::testing::AssertionFailure()
               << "answer " << i << "'s change " << c << " differs";
      }
    }
  }
  return ::testing::AssertionSuccess();
}

reg::VerifyCredentialsResponse FullResponse() {
  reg::VerifyCredentialsResponse response;
  response.set_rulebook_version("va-2026.1");
  reg::CredentialAnswer* held = response.add_answers();
  held->set_status(reg::CREDENTIAL_STATUS_HELD);
  held->set_endorsement_number("VA-IFRS-000123");
  held->set_category("IFRS");
  held->set_status_on_date(registry::v1::ENDORSEMENT_STATUS_ACTIVE);
  held->mutable_status_since()->set_year(2024);
  held->mutable_status_since()->set_month(2);
  held->mutable_status_since()->set_day(29);
  held->set_person_id("P-1001");
  reg::CredentialAnswer* lapsed = response.add_answers();
  lapsed->set_status(reg::CREDENTIAL_STATUS_NOT_HELD);
  lapsed->set_endorsement_number("VA-IFS-000777");
  lapsed->set_category("IFS");
  lapsed->set_status_on_date(registry::v1::ENDORSEMENT_STATUS_LAPSED);
  lapsed->set_detail("IFS lapsed since 2025-01-01 — Zoë's renewal");
  lapsed->set_person_id("P-2002");
  response.add_answers()->set_status(reg::CREDENTIAL_STATUS_UNKNOWN);
  // Empty: every field at its default.
  response.add_answers();
  reg::CredentialAnswer* long_detail = response.add_answers();
  long_detail->set_status(reg::CREDENTIAL_STATUS_NOT_HELD);
  long_detail->set_detail(std::string(400, 'x'));
  // A span answer: not granted on the first day, held from 2024-06-01,
  // lapsed from 2025-01-01, through 2025-03-01.
  reg::CredentialAnswer* span = response.add_answers();
  span->set_status(reg::CREDENTIAL_STATUS_NOT_HELD);
  span->set_detail("IFRS not granted until 2024-06-01");
  span->set_person_id("P-1001");
  *span->mutable_through() = ToProtoDate(absl::CivilDay(2025, 3, 1));
  reg::CredentialChange* granted = span->add_changes();
  *granted->mutable_from() = ToProtoDate(absl::CivilDay(2024, 6, 1));
  granted->mutable_answer()->set_status(reg::CREDENTIAL_STATUS_HELD);
  granted->mutable_answer()->set_endorsement_number("VA-IFRS-000123");
  granted->mutable_answer()->set_category("IFRS");
  reg::CredentialChange* lapsed_later = span->add_changes();
  *lapsed_later->mutable_from() = ToProtoDate(absl::CivilDay(2025, 1, 1));
  lapsed_later->mutable_answer()->set_status(reg::CREDENTIAL_STATUS_NOT_HELD);
  lapsed_later->mutable_answer()->set_detail("IFRS lapsed since 2025-01-01");
  return response;
}

TEST(VerifyResponseBytes, ReadAsProtobufParsesThemInAnySlicing) {
  const std::string bytes = FullResponse().SerializeAsString();
  EXPECT_TRUE(ReadsAsProtobufParses(bytes));
  for (size_t slice_size : {size_t{1}, size_t{3}, bytes.size()}) {
    RegistryAnswers read;
    ASSERT_TRUE(ReadVerifyResponse(Received(bytes, slice_size), &read));
    ASSERT_EQ(read.answers.size(), 6u);
    EXPECT_EQ(read.rulebook_version, "va-2026.1");
    EXPECT_EQ(read.answers[0].status, CredentialStatus::kHeld);
    EXPECT_EQ(read.answers[0].endorsement_number, "VA-IFRS-000123");
    EXPECT_EQ(read.answers[0].category, "IFRS");
    EXPECT_EQ(read.answers[0].person_id, "P-1001");
    EXPECT_EQ(read.answers[1].status, CredentialStatus::kNotHeld);
    EXPECT_EQ(read.answers[1].detail,
              "IFS lapsed since 2025-01-01 — Zoë's renewal");
    EXPECT_EQ(read.answers[2].status, CredentialStatus::kUnknown);
    EXPECT_EQ(read.answers[2].detail, "");
    // Unset status: not a known holding, so unknown.
    EXPECT_EQ(read.answers[3].status, CredentialStatus::kUnknown);
    EXPECT_EQ(read.answers[4].detail, std::string(400, 'x'));
    EXPECT_FALSE(read.answers[4].through.has_value());
    const CredentialAnswer& span = read.answers[5];
    EXPECT_EQ(span.status, CredentialStatus::kNotHeld);
    EXPECT_EQ(span.through, absl::CivilDay(2025, 3, 1));
    ASSERT_EQ(span.changes.size(), 2u);
    EXPECT_EQ(span.changes[0].from, absl::CivilDay(2024, 6, 1));
    EXPECT_EQ(span.changes[0].status, CredentialStatus::kHeld);
    EXPECT_EQ(span.changes[0].endorsement_number, "VA-IFRS-000123");
    EXPECT_EQ(span.changes[1].from, absl::CivilDay(2025, 1, 1));
    EXPECT_EQ(span.changes[1].detail, "IFRS lapsed since 2025-01-01");
  }
}

// Fail closed: a span whose last day or a change's first day is not a real
// day (month 13, no day at all) is dropped with its changes, so that the
// days after the first are not taken as answered.
TEST(VerifyResponseBytes, ASpanWithoutRealDaysIsDropped) {
  for (int broken = 0; broken < 3; ++broken) {
    reg::VerifyCredentialsResponse response = FullResponse();
    reg::CredentialAnswer& span = *response.mutable_answers(5);
    if (broken == 0) span.mutable_through()->set_month(13);
    if (broken == 1) span.mutable_changes(1)->clear_from();
    if (broken == 2) span.mutable_changes(0)->mutable_from()->set_day(31);
    const std::string bytes = response.SerializeAsString();
    EXPECT_TRUE(ReadsAsProtobufParses(bytes)) << broken;
    RegistryAnswers read;
    ASSERT_TRUE(ReadVerifyResponse(bytes, &read));
    EXPECT_FALSE(read.answers[5].through.has_value()) << broken;
    EXPECT_TRUE(read.answers[5].changes.empty()) << broken;
    EXPECT_EQ(read.answers[5].detail, "IFRS not granted until 2024-06-01");
  }
}

TEST(VerifyResponseBytes, NoBytesAreTheEmptyResponse) {
  RegistryAnswers read;
  EXPECT_TRUE(ReadVerifyResponse(grpc::ByteBuffer(), &read));
  EXPECT_TRUE(read.answers.empty());
  EXPECT_TRUE(ReadsAsProtobufParses(""));
}

TEST(VerifyResponseBytes, FieldsOfALaterVersionAreSkippedAsProtobufSkipsThem) {
  // A newer registry's fields, of every wire type, before, inside and after
  // the answers: field 15 as a varint, 16 as fixed64, 17 bytes, 18 a group
  // (with a field inside), 19 fixed32; and a known field number with another
  // wire type (status as bytes), which protobuf keeps as unknown.
  const std::string unknown =
      std::string("\x78\x96\x01", 3) +                       // 15: varint 150
      std::string("\x81\x01", 2) + std::string(8, '\x07') +  // 16: fixed64
      std::string("\x8a\x01\x02hi", 5) +                     // 17: "hi"
      std::string("\x93\x01\x08\x01\x94\x01", 6) +           // 18: group
      std::string("\x9d\x01", 2) + std::string(4, '\x01');   // 19: fixed32
  reg::CredentialAnswer answer;
  answer.set_status(reg::CREDENTIAL_STATUS_HELD);
  answer.set_category("IFRS");
  const std::string inner = unknown + std::string("\x0a\x01z", 3) +
                            answer.SerializeAsString() + unknown;
  std::string bytes = unknown;
  bytes.push_back('\x0a');  // answers
  bytes.push_back(static_cast<char>(inner.size()));
  bytes += inner;
  bytes += unknown;
  ASSERT_LT(inner.size(), 128u);
  EXPECT_TRUE(ReadsAsProtobufParses(bytes));
  RegistryAnswers read;
  ASSERT_TRUE(ReadVerifyResponse(Received(bytes, 5), &read));
  ASSERT_EQ(read.answers.size(), 1u);
  EXPECT_EQ(read.answers[0].status, CredentialStatus::kHeld);
  EXPECT_EQ(read.answers[0].category, "IFRS");
}

TEST(VerifyResponseBytes, OverlongEncodingsAreReadAsProtobufReadsThem) {
  // A five-byte tag: protobuf keeps its low 32 bits (here field 15, a
  // varint, skipped); a status as a ten-byte varint (low 32 bits: HELD); a
  // length of one written in five bytes.
  const std::string answer =
      std::string("\xf8\x80\x80\x80\x70\x01", 6) +
      std::string("\x08\x81\x80\x80\x80\x80\x80\x80\x80\x80\x01", 11) +
      std::string("\x1a\x81\x80\x80\x80\x00X", 7);
  std::string bytes = "\x0a";
  bytes.push_back(static_cast<char>(answer.size()));
  bytes += answer;
  EXPECT_TRUE(ReadsAsProtobufParses(bytes));
  RegistryAnswers read;
  ASSERT_TRUE(ReadVerifyResponse(bytes, &read));
  ASSERT_EQ(read.answers.size(), 1u);
  EXPECT_EQ(read.answers[0].status, CredentialStatus::kHeld);
  EXPECT_EQ(read.answers[0].category, "X");
}

TEST(VerifyResponseBytes, EveryCutIsReadOrRefusedAsProtobufDoes) {
  // Protobuf logs each string it refuses as not UTF-8.
  const google::protobuf::LogSilencer quiet;
  const std::string bytes = FullResponse().SerializeAsString();
  int accepted = 0;
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    const std::string prefix = bytes.substr(0, cut);
    reg::VerifyCredentialsResponse parsed;
    RegistryAnswers read;
    const bool ours = ReadVerifyResponse(Received(prefix, 4), &read);
    if (parsed.ParseFromString(prefix)) {
      EXPECT_TRUE(ReadsAsProtobufParses(prefix)) << "cut at " << cut;
      ++accepted;
    } else {
      EXPECT_FALSE(ours) << "cut at " << cut << " read, protobuf refuses it";
    }
  }
  // Cuts between the top-level fields parse (one per answer, and the empty
  // prefix); the rest do not.
  EXPECT_EQ(accepted, 7);
}

TEST(VerifyResponseBytes, MalformedBytesAreRefused) {
  // Protobuf logs each string it refuses as not UTF-8.
  const google::protobuf::LogSilencer quiet;
  const std::string valid = FullResponse().SerializeAsString();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"a zero tag", std::string("\x00", 1)},
      {"an answer longer than the bytes", std::string("\x0a\x05\x08\x01", 4)},
      {"an unterminated varint", std::string("\x0a\x02\x08\x80", 4)},
      {"a varint of eleven bytes",
       std::string("\x78") + std::string(10, '\xff') + std::string("\x01")},
      {"a tag of six bytes", std::string("\xf8\x80\x80\x80\x80\x00\x01", 7)},
      {"a length of six bytes",
       std::string("\x12\x81\x80\x80\x80\x80\x00x", 7)},
      {"a length of 2 GiB", std::string("\x12\x80\x80\x80\x80\x08", 6)},
      {"wire type 7", std::string("\x7f\x00", 2)},
      {"an end of group without its start", std::string("\x7c", 1)},
      {"a group never ended", std::string("\x7b\x08\x01", 3)},
      {"a group ended by another field's end", std::string("\x7b\x84\x01", 3)},
      {"a detail that is not UTF-8",
       std::string("\x0a\x04\x32\x02\xc3\x28", 6)},
      {"a rulebook version that is not UTF-8", std::string("\x12\x01\xff", 3)},
      {"trailing garbage", valid + std::string("\x0a", 1)},
  };
  for (const auto& [what, bytes] : cases) {
    reg::VerifyCredentialsResponse parsed;
    EXPECT_FALSE(parsed.ParseFromString(bytes)) << what << ": protobuf parses";
    RegistryAnswers read;
    EXPECT_FALSE(ReadVerifyResponse(Received(bytes, 3), &read)) << what;
  }
}

TEST(VerifyResponseBytes, ChangedBytesThatProtobufParsesAreReadAlike) {
  // Protobuf logs each string it refuses as not UTF-8.
  const google::protobuf::LogSilencer quiet;
  // Random single-byte changes to a valid response: whatever protobuf still
  // parses, the reader reads to the same answers. (It may also read some that
  // protobuf refuses: it does not check fields it skips, such as a date.)
  const std::string valid = FullResponse().SerializeAsString();
  std::mt19937 random(20261202);
  int parsed_count = 0;
  for (int trial = 0; trial < 5000; ++trial) {
    std::string bytes = valid;
    const int changes = 1 + static_cast<int>(random() % 3);
    for (int c = 0; c < changes; ++c) {
      bytes[random() % bytes.size()] = static_cast<char>(random() % 256);
    }
    reg::VerifyCredentialsResponse parsed;
    if (!parsed.ParseFromString(bytes)) {
      RegistryAnswers read;
      ReadVerifyResponse(Received(bytes, 9), &read);  // must not crash
      continue;
    }
    ++parsed_count;
    EXPECT_TRUE(ReadsAsProtobufParses(bytes)) << "trial " << trial;
  }
  EXPECT_GT(parsed_count, 500);
}

// The registry's response as the client reads it off the wire.
RegistryAnswers ReadOffTheWire(const reg::VerifyCredentialsResponse& response) {
  const std::string bytes = response.SerializeAsString();
  grpc::Slice slice(bytes);
  RegistryAnswers answers;
  EXPECT_TRUE(ReadVerifyResponse(grpc::ByteBuffer(&slice, 1), &answers));
  return answers;
}

TEST(RegistryClientAnswers, FilesEachAnswerUnderItsQuestionAndCountsUnknowns) {
  const std::vector<CredentialQuestion> questions = TwoQuestions();
  reg::VerifyCredentialsResponse response;
  response.set_rulebook_version("va-2026.1");
  reg::CredentialAnswer* held = response.add_answers();
  held->set_status(reg::CREDENTIAL_STATUS_HELD);
  held->set_endorsement_number("VA-IFRS-000123");
  held->set_category("IFRS");
  held->set_person_id("P-1001");
  // Unknown, and the registry said nothing about why.
  response.add_answers()->set_status(reg::CREDENTIAL_STATUS_UNKNOWN);

  const VerificationOutcome outcome =
      AnsweredOutcome(questions, ReadOffTheWire(response));

  EXPECT_EQ(outcome.questions, 2);
  EXPECT_EQ(outcome.unanswered, 1);
  EXPECT_EQ(outcome.detail, "the registry could not establish 1 of 2 facts");
  EXPECT_EQ(outcome.registry_rulebook_version, "va-2026.1");
  EXPECT_FALSE(outcome.caller_deadline_exceeded);
  const CredentialAnswer& first = outcome.facts.Find(
      "person:P-1001", "IFRS,IMHM-C", absl::CivilDay(2025, 3, 4));
  EXPECT_EQ(first.status, CredentialStatus::kHeld);
  EXPECT_EQ(first.endorsement_number, "VA-IFRS-000123");
  // A subject named by person id is its own key: nothing to resolve.
  EXPECT_EQ(outcome.facts.PersonOf("person:P-1001"), "");
  const CredentialAnswer& second = outcome.facts.Find(
      "endorsement:VA-IFS-000777", "IFS", absl::CivilDay(2026, 11, 20));
  EXPECT_EQ(second.status, CredentialStatus::kUnknown);
  EXPECT_EQ(second.detail, "the registry could not establish it");
  // Filed under its own question only: another day was never asked.
  EXPECT_EQ(
      outcome.facts
          .Find("person:P-1001", "IFRS,IMHM-C", absl::CivilDay(2025, 3, 5))
          .detail,
      "not asked of the registry");
}

TEST(RegistryClientAnswers, EveryAnswerKnownLeavesNoDetail) {
  const std::vector<CredentialQuestion> questions = {TwoQuestions()[0]};
  reg::VerifyCredentialsResponse response;
  response.add_answers()->set_status(reg::CREDENTIAL_STATUS_NOT_HELD);
  const VerificationOutcome outcome =
      AnsweredOutcome(questions, ReadOffTheWire(response));
  EXPECT_EQ(outcome.unanswered, 0);
  EXPECT_EQ(outcome.detail, "");
  EXPECT_EQ(
      outcome.facts
          .Find("person:P-1001", "IFRS,IMHM-C", absl::CivilDay(2025, 3, 4))
          .status,
      CredentialStatus::kNotHeld);
}

TEST(RegistryClientAnswers, ANumberIsResolvedToTheHolderTheRegistryNamed) {
  const std::vector<CredentialQuestion> questions = {TwoQuestions()[1]};
  reg::VerifyCredentialsResponse response;
  reg::CredentialAnswer* answer = response.add_answers();
  answer->set_status(reg::CREDENTIAL_STATUS_NOT_HELD);
  answer->set_person_id("P-2002");
  const VerificationOutcome outcome =
      AnsweredOutcome(questions, ReadOffTheWire(response));
  EXPECT_EQ(outcome.facts.PersonOf("endorsement:VA-IFS-000777"), "P-2002");
  EXPECT_EQ(outcome.facts.PersonOf("endorsement:VA-IFS-000778"), "");
}

// Span questions: an answer covering every day asked is answered; one that
// covers fewer days (a registry that answered the first day alone, or
// through an earlier day) counts as unanswered, its first day still filed.
TEST(RegistryClientAnswers, ASpanAnswerShortOfItsLastDayCountsAsUnanswered) {
  const absl::CivilDay first(2024, 1, 10), last(2025, 1, 10);
  const std::vector<CredentialQuestion> questions = {
      {"P-1", "", {"IFRS"}, first, last},
      {"P-2", "", {"IFRS"}, first, last},
      {"P-3", "", {"IFRS"}, first, last}};
  reg::VerifyCredentialsResponse response;
  for (int i = 0; i < 3; ++i) {
    reg::CredentialAnswer* answer = response.add_answers();
    answer->set_status(reg::CREDENTIAL_STATUS_HELD);
    if (i == 0) *answer->mutable_through() = ToProtoDate(last);
    if (i == 1) *answer->mutable_through() = ToProtoDate(last - 1);
  }
  const VerificationOutcome outcome =
      AnsweredOutcome(questions, ReadOffTheWire(response));
  EXPECT_EQ(outcome.unanswered, 2);
  EXPECT_EQ(outcome.detail, "the registry could not establish 2 of 3 facts");
  for (const char* subject : {"person:P-1", "person:P-2", "person:P-3"}) {
    EXPECT_EQ(outcome.facts.Find(subject, "IFRS", first).status,
              CredentialStatus::kHeld)
        << subject;
  }
  EXPECT_EQ(outcome.facts.Find("person:P-1", "IFRS", last).status,
            CredentialStatus::kHeld);
  EXPECT_EQ(outcome.facts.Find("person:P-2", "IFRS", last - 1).status,
            CredentialStatus::kHeld);
  EXPECT_EQ(outcome.facts.Find("person:P-2", "IFRS", last).status,
            CredentialStatus::kUnknown);
  EXPECT_EQ(outcome.facts.Find("person:P-3", "IFRS", first + 1).status,
            CredentialStatus::kUnknown);
}

}  // namespace
}  // namespace imh::eligibility

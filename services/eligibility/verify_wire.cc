#include "services/eligibility/verify_wire.h"

#include <grpc/slice.h>
#include <grpcpp/support/slice.h>

#include <cassert>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>

#include "absl/container/inlined_vector.h"
#include "absl/strings/string_view.h"
#include "common/dates.h"
#include "google/protobuf/stubs/common.h"

namespace imh::eligibility {
namespace {

// The wire tags (field number << 3 | wire type) of
// imh.registry.v1.VerifyCredentialsRequest, CredentialQuestion and
// google.type.Date: all below 16, so one byte each.
constexpr uint8_t kLengthDelimited = 2;
constexpr uint8_t kVarint = 0;
constexpr uint8_t Tag(int field, uint8_t wire_type) {
  return static_cast<uint8_t>(field << 3 | wire_type);
}
constexpr uint8_t kQuestionsTag = Tag(1, kLengthDelimited);
constexpr uint8_t kPersonIdTag = Tag(1, kLengthDelimited);
constexpr uint8_t kEndorsementNumberTag = Tag(2, kLengthDelimited);
constexpr uint8_t kCategoriesTag = Tag(3, kLengthDelimited);
constexpr uint8_t kAsOfTag = Tag(4, kLengthDelimited);
constexpr uint8_t kThroughTag = Tag(5, kLengthDelimited);
constexpr uint8_t kYearTag = Tag(1, kVarint);
constexpr uint8_t kMonthTag = Tag(2, kVarint);
constexpr uint8_t kDayTag = Tag(3, kVarint);

size_t VarintSize(uint64_t value) {
  size_t size = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++size;
  }
  return size;
}

uint8_t* WriteVarint(uint64_t value, uint8_t* target) {
  while (value >= 0x80) {
    *target++ = static_cast<uint8_t>(value | 0x80);
    value >>= 7;
  }
  *target++ = static_cast<uint8_t>(value);
  return target;
}

// An int32 field's varint: a negative value is sign-extended to 64 bits.
uint64_t Int32Varint(int32_t value) {
  return static_cast<uint64_t>(static_cast<int64_t>(value));
}

size_t LengthDelimitedSize(size_t length) {
  return 1 + VarintSize(length) + length;
}

uint8_t* WriteLengthDelimited(uint8_t tag, absl::string_view bytes,
                              uint8_t* target) {
  *target++ = tag;
  target = WriteVarint(bytes.size(), target);
  std::memcpy(target, bytes.data(), bytes.size());
  return target + bytes.size();
}

struct DateFields {
  int32_t year, month, day;
};

DateFields FieldsOf(absl::CivilDay day) {
  return {static_cast<int32_t>(day.year()), day.month(), day.day()};
}

// proto3: a field at its default (0) is not written.
size_t Int32FieldSize(int32_t value) {
  return value == 0 ? 0 : 1 + VarintSize(Int32Varint(value));
}

uint8_t* WriteInt32Field(uint8_t tag, int32_t value, uint8_t* target) {
  if (value == 0) return target;
  *target++ = tag;
  return WriteVarint(Int32Varint(value), target);
}

size_t DateSize(const DateFields& date) {
  return Int32FieldSize(date.year) + Int32FieldSize(date.month) +
         Int32FieldSize(date.day);
}

const std::string& Subject(const CredentialQuestion& question) {
  return question.person_id.empty() ? question.endorsement_number
                                    : question.person_id;
}

size_t QuestionSize(const CredentialQuestion& question) {
  // The subject is a oneof member: written even when empty.
  size_t size = LengthDelimitedSize(Subject(question).size());
  for (const std::string& code : question.categories) {
    size += LengthDelimitedSize(code.size());
  }
  // as_of is always set, so written even when every field is 0.
  size += LengthDelimitedSize(DateSize(FieldsOf(question.on)));
  if (question.through) {
    size += LengthDelimitedSize(DateSize(FieldsOf(*question.through)));
  }
  return size;
}

uint8_t* WriteDate(uint8_t tag, absl::CivilDay day, uint8_t* target) {
  const DateFields date = FieldsOf(day);
  *target++ = tag;
  target = WriteVarint(DateSize(date), target);
  target = WriteInt32Field(kYearTag, date.year, target);
  target = WriteInt32Field(kMonthTag, date.month, target);
  return WriteInt32Field(kDayTag, date.day, target);
}

uint8_t* WriteQuestion(const CredentialQuestion& question, size_t size,
                       uint8_t* target) {
  *target++ = kQuestionsTag;
  target = WriteVarint(size, target);
  target = WriteLengthDelimited(
      question.person_id.empty() ? kEndorsementNumberTag : kPersonIdTag,
      Subject(question), target);
  for (const std::string& code : question.categories) {
    target = WriteLengthDelimited(kCategoriesTag, code, target);
  }
  target = WriteDate(kAsOfTag, question.on, target);
  if (question.through)
    target = WriteDate(kThroughTag, *question.through, target);
  return target;
}

}  // namespace

grpc::ByteBuffer VerifyRequestBytes(
    const std::vector<CredentialQuestion>& questions) {
  // Each question's size is needed twice: in the total, and before its bytes.
  absl::InlinedVector<size_t, 256> sizes;
  sizes.reserve(questions.size());
  size_t total = 0;
  for (const CredentialQuestion& question : questions) {
    sizes.push_back(QuestionSize(question));
    total += LengthDelimitedSize(sizes.back());
  }
  grpc_slice bytes = grpc_slice_malloc(total);
  uint8_t* target = GRPC_SLICE_START_PTR(bytes);
  for (size_t i = 0; i < questions.size(); ++i) {
    target = WriteQuestion(questions[i], sizes[i], target);
  }
  assert(target == GRPC_SLICE_END_PTR(bytes));
  (void)target;
  grpc::Slice slice(bytes, grpc::Slice::STEAL_REF);
  return grpc::ByteBuffer(&slice, 1);
}

namespace {

// imh.registry.v1.VerifyCredentialsResponse and CredentialAnswer tags.
constexpr uint32_t kAnswersTag = Tag(1, kLengthDelimited);
constexpr uint32_t kRulebookVersionTag = Tag(2, kLengthDelimited);
constexpr uint32_t kAnswerStatusTag = Tag(1, kVarint);
constexpr uint32_t kAnswerNumberTag = Tag(2, kLengthDelimited);
constexpr uint32_t kAnswerCategoryTag = Tag(3, kLengthDelimited);
constexpr uint32_t kAnswerDetailTag = Tag(6, kLengthDelimited);
constexpr uint32_t kAnswerPersonIdTag = Tag(7, kLengthDelimited);
constexpr uint32_t kAnswerChangesTag = Tag(8, kLengthDelimited);
constexpr uint32_t kAnswerThroughTag = Tag(9, kLengthDelimited);
// imh.registry.v1.CredentialChange.
constexpr uint32_t kChangeFromTag = Tag(1, kLengthDelimited);
constexpr uint32_t kChangeAnswerTag = Tag(2, kLengthDelimited);
// google.type.Date, as read.
constexpr uint32_t kYearField = Tag(1, kVarint);
constexpr uint32_t kMonthField = Tag(2, kVarint);
constexpr uint32_t kDayField = Tag(3, kVarint);
// registry.v1.CredentialStatus values.
constexpr int32_t kHeld = 1;
constexpr int32_t kNotHeld = 2;
// Wire types past the two the messages use.
constexpr uint32_t kFixed64 = 1;
constexpr uint32_t kStartGroup = 3;
constexpr uint32_t kEndGroup = 4;
constexpr uint32_t kFixed32 = 5;
// Protobuf's own limit on nesting (groups, here, in unknown fields).
constexpr int kMaxDepth = 100;

// A cursor over bytes: every read checks the bytes left and returns false
// past them, as protobuf's parser refuses what it cannot read in full.
class Reader {
 public:
  Reader(const uint8_t* begin, const uint8_t* end) : at_(begin), end_(end) {}

  bool AtEnd() const { return at_ == end_; }

  // A varint of at most `max_bytes` bytes; bits past 64 are dropped, as
  // protobuf drops them.
  bool Varint(uint64_t* value, int max_bytes = 10) {
    uint64_t result = 0;
    for (int i = 0; i < max_bytes; ++i) {
      if (at_ == end_) return false;
      const uint8_t byte = *at_++;
      result |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
      if (byte < 0x80) {
        *value = result;
        return true;
      }
    }
    return false;
  }

  // A tag as protobuf reads one: at most five bytes, kept to 32 bits, with
  // a field number of at least 1.
  bool ReadTag(uint32_t* tag) {
    uint64_t value;
    if (!Varint(&value, 5)) return false;
    *tag = static_cast<uint32_t>(value);
    return (*tag >> 3) != 0;
  }

  // A length-delimited field's bytes. Its length is at most five bytes and
  // under 2 GiB (protobuf's own bounds), and within the bytes left.
  bool Bytes(absl::string_view* bytes) {
    constexpr uint64_t kMaxLength = std::numeric_limits<int32_t>::max() - 16;
    uint64_t length;
    if (!Varint(&length, 5) || length > kMaxLength ||
        length > static_cast<uint64_t>(end_ - at_)) {
      return false;
    }
    *bytes = absl::string_view(reinterpret_cast<const char*>(at_), length);
    at_ += length;
    return true;
  }

  // A proto3 string field: length-prefixed UTF-8. The last value read wins.
  bool Text(std::string* value) {
    absl::string_view bytes;
    if (!Bytes(&bytes) || !IsUtf8(bytes)) return false;
    value->assign(bytes.data(), bytes.size());
    return true;
  }

  bool Skip(uint64_t length) {
    if (length > static_cast<uint64_t>(end_ - at_)) return false;
    at_ += length;
    return true;
  }

  // Skips the value of a field this reader does not know, of any wire type
  // (a group up to its matching end).
  bool SkipValue(uint32_t tag, int depth = 0) {
    uint64_t ignored;
    absl::string_view bytes;
    switch (tag & 7) {
      case kVarint:
        return Varint(&ignored);
      case kFixed64:
        return Skip(8);
      case kLengthDelimited:
        return Bytes(&bytes);
      case kFixed32:
        return Skip(4);
      case kStartGroup: {
        if (depth >= kMaxDepth) return false;
        uint32_t inner;
        while (ReadTag(&inner)) {
          if ((inner & 7) == kEndGroup) return (inner >> 3) == (tag >> 3);
          if (!SkipValue(inner, depth + 1)) return false;
        }
        return false;  // no end
      }
      default:  // an end of group without its start, or wire type 6 or 7
        return false;
    }
  }

 private:
  static bool IsUtf8(absl::string_view bytes) {
    for (const char c : bytes) {
      if (static_cast<unsigned char>(c) >= 0x80) {
        return google::protobuf::internal::IsStructurallyValidUTF8(
            bytes.data(), static_cast<int>(bytes.size()));
      }
    }
    return true;  // ASCII, as registry answers almost always are
  }

  const uint8_t* at_;
  const uint8_t* end_;
};

// Reads fields to the reader's end: `field` reads those it knows and returns
// nullopt for the others, which are skipped.
template <typename ReadField>
bool ReadFields(Reader& in, ReadField field) {
  while (!in.AtEnd()) {
    uint32_t tag;
    if (!in.ReadTag(&tag)) return false;
    const std::optional<bool> known = field(tag);
    if (known.has_value()) {
      if (!*known) return false;
    } else if (!in.SkipValue(tag)) {
      return false;
    }
  }
  return true;
}

Reader ReaderOf(absl::string_view bytes) {
  return Reader(reinterpret_cast<const uint8_t*>(bytes.data()),
                reinterpret_cast<const uint8_t*>(bytes.data() + bytes.size()));
}

// A google.type.Date's fields as on the wire; a message read twice merges,
// as protobuf merges a singular message field that occurs twice.
struct WireDate {
  bool present = false;
  int32_t year = 0, month = 0, day = 0;
};

bool ReadDate(absl::string_view bytes, WireDate* date) {
  Reader in = ReaderOf(bytes);
  date->present = true;
  return ReadFields(in, [&](uint32_t tag) -> std::optional<bool> {
    int32_t* field = tag == kYearField    ? &date->year
                     : tag == kMonthField ? &date->month
                     : tag == kDayField   ? &date->day
                                          : nullptr;
    if (field == nullptr) return std::nullopt;
    uint64_t value;
    if (!in.Varint(&value)) return false;
    *field = static_cast<int32_t>(value);  // int32: the low 32 bits
    return true;
  });
}

// The day a date names, when it names a real one (IsCompleteDate).
std::optional<absl::CivilDay> DayOf(const WireDate& date) {
  google::type::Date fields;
  fields.set_year(date.year);
  fields.set_month(date.month);
  fields.set_day(date.day);
  if (!date.present || !IsCompleteDate(fields)) return std::nullopt;
  return ToCivilDayUnchecked(fields);
}

// Reads an answer's fields into `answer`, over what it holds (as protobuf
// merges a message read twice). A span answer's changes are read at the top
// level only (`top`); a change's own changes are skipped. A span whose
// through or change day is not a real day is dropped with its changes: the
// days past the question's first are then not covered.
bool ReadAnswer(absl::string_view bytes, CredentialAnswer* answer, bool top) {
  Reader in = ReaderOf(bytes);
  std::optional<uint64_t> status;
  WireDate through;
  bool days_ok = true;
  const bool read = ReadFields(in, [&](uint32_t tag) -> std::optional<bool> {
    switch (tag) {
      case kAnswerStatusTag:
        return in.Varint(&status.emplace());
      case kAnswerNumberTag:
        return in.Text(&answer->endorsement_number);
      case kAnswerCategoryTag:
        return in.Text(&answer->category);
      case kAnswerDetailTag:
        return in.Text(&answer->detail);
      case kAnswerPersonIdTag:
        return in.Text(&answer->person_id);
      case kAnswerThroughTag: {
        if (!top) return std::nullopt;
        absl::string_view date;
        return in.Bytes(&date) && ReadDate(date, &through);
      }
      case kAnswerChangesTag: {
        if (!top) return std::nullopt;
        absl::string_view change;
        if (!in.Bytes(&change)) return false;
        CredentialAnswer& into = answer->changes.emplace_back();
        WireDate from;
        Reader fields = ReaderOf(change);
        const bool change_read =
            ReadFields(fields, [&](uint32_t inner) -> std::optional<bool> {
              absl::string_view value;
              if (inner == kChangeFromTag) {
                return fields.Bytes(&value) && ReadDate(value, &from);
              }
              if (inner == kChangeAnswerTag) {
                return fields.Bytes(&value) && ReadAnswer(value, &into, false);
              }
              return std::nullopt;
            });
        const std::optional<absl::CivilDay> day = DayOf(from);
        if (day) into.from = *day;
        days_ok = days_ok && day.has_value();
        return change_read;
      }
      default:
        return std::nullopt;
    }
  });
  if (status) {
    // An enum is an int32 on the wire: protobuf keeps the varint's low 32
    // bits.
    const int32_t value = static_cast<int32_t>(*status);
    answer->status = value == kHeld      ? CredentialStatus::kHeld
                     : value == kNotHeld ? CredentialStatus::kNotHeld
                                         : CredentialStatus::kUnknown;
  }
  if (top) {
    answer->through =
        through.present && days_ok ? DayOf(through) : std::nullopt;
    if (!answer->through) answer->changes.clear();
  }
  return read;
}

}  // namespace

bool ReadVerifyResponse(absl::string_view bytes, RegistryAnswers* out) {
  Reader in = ReaderOf(bytes);
  return ReadFields(in, [&](uint32_t tag) -> std::optional<bool> {
    absl::string_view answer;
    switch (tag) {
      case kAnswersTag:
        return in.Bytes(&answer) &&
               ReadAnswer(answer, &out->answers.emplace_back(), /*top=*/true);
      case kRulebookVersionTag:
        return in.Text(&out->rulebook_version);
      default:
        return std::nullopt;
    }
  });
}

bool ReadVerifyResponse(const grpc::ByteBuffer& received,
                        RegistryAnswers* out) {
  if (!received.Valid()) return true;  // no bytes: the empty message
  grpc::Slice bytes;
  if (!received.DumpToSingleSlice(&bytes).ok()) return false;
  return ReadVerifyResponse(
      absl::string_view(reinterpret_cast<const char*>(bytes.begin()),
                        bytes.size()),
      out);
}

}  // namespace imh::eligibility

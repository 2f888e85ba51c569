// EnumName gives what the generated E_Name gives, for every value of the
// enums the rules read, and "" for numbers an enum does not define;
// EnumFromCode what the generated E_Parse gives for a prefixed code.

#include "common/enum_names.h"

#include "gtest/gtest.h"
#include "imh/eligibility/v1/portfolio.pb.h"

namespace imh {
namespace {

namespace v1 = eligibility::v1;

template <typename E>
void ExpectSameAsGenerated(const std::string& (*generated)(E)) {
  const google::protobuf::EnumDescriptor* d =
      google::protobuf::GetEnumDescriptor<E>();
  for (int number = -2; number <= d->value(d->value_count() - 1)->number() + 2;
       ++number) {
    EXPECT_EQ(EnumName(static_cast<E>(number)),
              generated(static_cast<E>(number)))
        << d->name() << " " << number;
  }
}

const std::string& DegreeLevelName(v1::DegreeLevel v) {
  return v1::DegreeLevel_Name(v);
}
const std::string& ServiceKindName(v1::ServiceKind v) {
  return v1::ServiceKind_Name(v);
}
const std::string& PopulationFocusName(v1::PopulationFocus v) {
  return v1::PopulationFocus_Name(v);
}
const std::string& LeadershipLevelName(v1::LeadershipLevel v) {
  return v1::LeadershipLevel_Name(v);
}
const std::string& ReferenceRoleName(v1::ReferenceRole v) {
  return v1::ReferenceRole_Name(v);
}

TEST(EnumName, SameAsTheGeneratedNameForEveryNumber) {
  ExpectSameAsGenerated<v1::DegreeLevel>(DegreeLevelName);
  ExpectSameAsGenerated<v1::ServiceKind>(ServiceKindName);
  ExpectSameAsGenerated<v1::PopulationFocus>(PopulationFocusName);
  ExpectSameAsGenerated<v1::LeadershipLevel>(LeadershipLevelName);
  ExpectSameAsGenerated<v1::ReferenceRole>(ReferenceRoleName);
  EXPECT_EQ(EnumName(v1::DEGREE_LEVEL_MASTER), "DEGREE_LEVEL_MASTER");
  EXPECT_EQ(EnumName(static_cast<v1::DegreeLevel>(1000)), "");
}

// EnumFromCode gives what E_Parse(prefix + code) gives: for every value's
// own code, and UNSPECIFIED for codes the enum does not name.
template <typename E>
void ExpectSameAsParse(absl::string_view prefix,
                       bool (*parse)(const std::string&, E*)) {
  const google::protobuf::EnumDescriptor* d =
      google::protobuf::GetEnumDescriptor<E>();
  std::vector<std::string> codes = {"", "X", "master", "UNSPECIFIED"};
  for (int i = 0; i < d->value_count(); ++i) {
    const std::string& name = d->value(i)->name();
    codes.push_back(name.substr(prefix.size()));
    codes.push_back(name);  // prefix twice: no value
    codes.push_back(name.substr(prefix.size() + 1));
  }
  for (const std::string& code : codes) {
    E parsed = static_cast<E>(0);
    parse(std::string(prefix) + code, &parsed);
    EXPECT_EQ(EnumFromCode<E>(prefix, code), parsed)
        << d->name() << " " << code;
  }
}

bool ParseDegreeLevel(const std::string& name, v1::DegreeLevel* value) {
  return v1::DegreeLevel_Parse(name, value);
}
bool ParseTrainingTopic(const std::string& name, v1::TrainingTopic* value) {
  return v1::TrainingTopic_Parse(name, value);
}

TEST(EnumFromCode, SameAsTheGeneratedParseOfThePrefixedName) {
  ExpectSameAsParse<v1::DegreeLevel>("DEGREE_LEVEL_", ParseDegreeLevel);
  ExpectSameAsParse<v1::TrainingTopic>("TRAINING_TOPIC_", ParseTrainingTopic);
  EXPECT_EQ(EnumFromCode<v1::DegreeLevel>("DEGREE_LEVEL_", "MASTER"),
            v1::DEGREE_LEVEL_MASTER);
  // Another enum's prefix names nothing here.
  EXPECT_EQ(EnumFromCode<v1::DegreeLevel>("TRAINING_TOPIC_", "MASTER"),
            v1::DEGREE_LEVEL_UNSPECIFIED);
}

}  // namespace
}  // namespace imh

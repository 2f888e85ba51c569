// EnumName gives what the generated E_Name gives, for every value of the
// enums the rules read, and "" for numbers an enum does not define.

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

}  // namespace
}  // namespace imh

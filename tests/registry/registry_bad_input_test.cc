// Bad records inside an otherwise good import: rejected one by one with
// their paths, the rest committed. (Bad requests to every RPC, refused as a
// whole: tests/e2e/malformed_input_test.cc.)

#include <string>
#include <vector>

#include "tests/registry/postgres_cluster.h"
#include "tests/registry/registry_test_support.h"

namespace imh::registry::testing {
namespace {

using ::testing::IsSupersetOf;

class RegistryBadInputTest : public RegistryTest,
                             public ::testing::WithParamInterface<sql::Engine> {
 protected:
  sql::Engine engine() const override { return GetParam(); }
};

TEST_P(RegistryBadInputTest, Import_BadHistoryRejectsTheRecordOnly) {
  const RowCounts before = Counts();
  v1::ImportEndorsementsRequest request;
  v1::RegistryRecord record = RegistryTest::Record(1);
  auto* first = record.mutable_endorsement()->add_history();
  first->set_status(v1::ENDORSEMENT_STATUS_REVOKED);
  *first->mutable_effective_on() = DateOf("2025-03-01");
  auto* second = record.mutable_endorsement()->add_history();
  second->set_status(v1::ENDORSEMENT_STATUS_ACTIVE);
  *second->mutable_effective_on() = DateOf("2025-02-01");
  *request.add_records() = record;
  *request.add_records() = RegistryTest::Record(2);
  v1::ImportEndorsementsResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->ImportEndorsements(&context, request, &response).ok());
  EXPECT_EQ(response.imported_count(), 1);
  ASSERT_EQ(response.rejections_size(), 1);
  std::vector<std::string> paths;
  for (const auto& v : response.rejections(0).violations()) {
    paths.push_back(v.field());
  }
  EXPECT_THAT(paths,
              IsSupersetOf({"records[0].endorsement.history[0].status",
                            "records[0].endorsement.history[1].effective_on",
                            "records[0].endorsement.history[1].status"}));
  EXPECT_EQ(Counts().endorsements, before.endorsements + 1);
}

INSTANTIATE_TEST_SUITE_P(BothEngines, RegistryBadInputTest,
                         ::testing::Values(sql::Engine::kSqlite,
                                           sql::Engine::kPostgres),
                         EngineName);

}  // namespace
}  // namespace imh::registry::testing

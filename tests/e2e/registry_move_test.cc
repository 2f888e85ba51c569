// The README's move from SQLite to PostgreSQL with the real binaries: a
// registry serves from its file, is stopped, `imh db copy` moves it into an
// empty PostgreSQL database (every table compared), and the registry started
// on PostgreSQL answers as before: the same verification answers, the same
// change feed, new writes after it. A second copy into the now full
// database is refused.

#include <grpcpp/grpcpp.h>

#include <array>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/dates.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "imh/registry/v1/registry_service.grpc.pb.h"
#include "services/registry/sql/sql.h"
#include "tests/e2e/service_process.h"
#include "tests/registry/postgres_cluster.h"
#include "tests/registry/registry_test_support.h"

namespace imh::e2e {
namespace {

namespace reg = registry::v1;
using registry::testing::DatabaseFor;
using registry::testing::RegistryTest;
using registry::testing::TempDir;
using ::testing::HasSubstr;

constexpr int kRecords = 30;

// Runs `command`; its exit code and what it printed (stdout and stderr).
int RunCommand(const std::string& command, std::string* output) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  std::array<char, 4096> buffer;
  output->clear();
  while (size_t read = fread(buffer.data(), 1, buffer.size(), pipe)) {
    output->append(buffer.data(), read);
  }
  const int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::unique_ptr<reg::RegistryService::Stub> StubFor(
    const ServiceProcess& registry) {
  return reg::RegistryService::NewStub(grpc::CreateChannel(
      registry.address(), grpc::InsecureChannelCredentials()));
}

std::vector<reg::CredentialStatus> VerifyAll(reg::RegistryService::Stub& stub) {
  reg::VerifyCredentialsRequest request;
  for (int n = 1; n <= kRecords; ++n) {
    reg::CredentialQuestion& question = *request.add_questions();
    question.set_endorsement_number(
        RegistryTest::Record(n).endorsement().endorsement_number());
    question.add_categories("IFS");
  }
  reg::VerifyCredentialsResponse response;
  grpc::ClientContext context;
  EXPECT_TRUE(stub.VerifyCredentials(&context, request, &response).ok());
  std::vector<reg::CredentialStatus> answers;
  for (const auto& answer : response.answers()) {
    answers.push_back(answer.status());
  }
  return answers;
}

// Every change in the feed, read until it has sent `expected`.
std::vector<int64_t> FeedSequences(reg::RegistryService::Stub& stub,
                                   size_t expected) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  auto feed = stub.WatchChanges(&context, reg::WatchChangesRequest());
  std::vector<int64_t> sequences;
  reg::WatchChangesResponse change;
  while (sequences.size() < expected && feed->Read(&change)) {
    sequences.push_back(change.sequence());
  }
  context.TryCancel();
  return sequences;
}

TEST(RegistryMoveTest, ASqliteRegistryMovedToPostgresqlServesAsBefore) {
  TempDir dir;
  const std::string file = dir.path() + "/registry.sqlite";
  const std::string url = DatabaseFor(registry::sql::Engine::kPostgres, dir);
  ASSERT_FALSE(url.empty());

  std::vector<reg::CredentialStatus> before;
  std::vector<int64_t> feed_before;
  {
    ServiceProcess on_file(IMH_REGISTRY_BIN, {"--db=" + file}, dir.path(),
                           "registry-file");
    ASSERT_TRUE(on_file.running());
    auto stub = StubFor(on_file);
    reg::ImportEndorsementsRequest import;
    for (int n = 1; n <= kRecords; ++n) {
      *import.add_records() = RegistryTest::Record(n);
    }
    reg::ImportEndorsementsResponse imported;
    grpc::ClientContext importing;
    ASSERT_TRUE(stub->ImportEndorsements(&importing, import, &imported).ok());
    reg::UpdateEndorsementStatusRequest suspend;
    suspend.set_endorsement_number(
        RegistryTest::Record(7).endorsement().endorsement_number());
    suspend.set_status(reg::ENDORSEMENT_STATUS_SUSPENDED);
    suspend.set_reason("complaint under review");
    *suspend.mutable_effective_on() = ToProtoDate(TodayInVirginia());
    reg::UpdateEndorsementStatusResponse suspended;
    grpc::ClientContext suspending;
    const grpc::Status status =
        stub->UpdateEndorsementStatus(&suspending, suspend, &suspended);
    ASSERT_TRUE(status.ok()) << status.error_message();
    before = VerifyAll(*stub);
    feed_before = FeedSequences(*stub, kRecords + 1);
    ASSERT_EQ(feed_before.size(), static_cast<size_t>(kRecords + 1));
    ASSERT_EQ(on_file.Stop(), 0) << on_file.Log();
  }
  ASSERT_EQ(before.size(), static_cast<size_t>(kRecords));
  EXPECT_EQ(before[6], reg::CREDENTIAL_STATUS_NOT_HELD);
  EXPECT_EQ(before[0], reg::CREDENTIAL_STATUS_HELD);

  std::string output;
  const std::string copy =
      absl::StrCat(IMH_CLI_BIN, " db copy --from=", file, " --to='", url, "'");
  ASSERT_EQ(RunCommand(copy, &output), 0) << output;
  EXPECT_THAT(output, HasSubstr("every table compared equal"));
  EXPECT_THAT(output, HasSubstr("status_history"));

  {
    ServiceProcess on_postgres(IMH_REGISTRY_BIN, {"--db=" + url}, dir.path(),
                               "registry-postgres");
    ASSERT_TRUE(on_postgres.running());
    auto stub = StubFor(on_postgres);
    EXPECT_EQ(VerifyAll(*stub), before);
    EXPECT_EQ(FeedSequences(*stub, kRecords + 1), feed_before);
    reg::ImportEndorsementsRequest more;
    *more.add_records() = RegistryTest::Record(kRecords + 1);
    reg::ImportEndorsementsResponse imported;
    grpc::ClientContext importing;
    ASSERT_TRUE(stub->ImportEndorsements(&importing, more, &imported).ok());
    const std::vector<int64_t> feed_after = FeedSequences(*stub, kRecords + 2);
    ASSERT_EQ(feed_after.size(), static_cast<size_t>(kRecords + 2));
    EXPECT_GT(feed_after.back(), feed_before.back());
    ASSERT_EQ(on_postgres.Stop(), 0) << on_postgres.Log();
  }

  // Once moved, the file and the database differ by the new write; a second
  // copy is refused.
  EXPECT_EQ(RunCommand(absl::StrCat(IMH_CLI_BIN, " db compare --from=", file,
                                    " --to='", url, "'"),
                       &output),
            1)
      << output;
  EXPECT_THAT(output, HasSubstr("DIFFERENT"));
  EXPECT_EQ(RunCommand(copy, &output), 1) << output;
  EXPECT_THAT(output, HasSubstr("not empty"));
}

}  // namespace
}  // namespace imh::e2e

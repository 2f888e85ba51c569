// The registry binary killed with SIGKILL at random moments while clients
// write to it concurrently. A client retries a write that got no answer with
// the same request_id, as the contract asks; at the end every write the
// client saw acknowledged must be stored exactly once, and after every kill
// the file must hold no partial record (an import half in, an endorsement
// without its history, an idempotency record without its write).

#include <SQLiteCpp/SQLiteCpp.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "imh/registry/v1/registry_service.grpc.pb.h"
#include "tests/e2e/service_process.h"
#include "tests/registry/registry_test_support.h"

namespace imh::e2e {
namespace {

namespace reg = registry::v1;
using registry::testing::DateOf;
using registry::testing::RegistryTest;
using registry::testing::TempDir;

constexpr int kRounds = 20;
constexpr int kWriters = 4;
constexpr int kImportSize = 10;

enum class WriteKind { kPerson, kEndorsement, kMembership, kImport };

// One write a client wants done; retried with its request_id until answered.
struct Write {
  WriteKind kind = WriteKind::kPerson;
  std::string request_id;
  std::string person_id;
  int import_first = 0;  // the first Record() number of an import
  bool acknowledged = false;
  // Sent at least once without an answer (the server died under it).
  bool in_doubt = false;
  std::string endorsement_number;  // from the acknowledgement
};

// A client's queue: unit i is person C-<w>-<i>, its endorsement (numbered by
// the registry) and its membership; every fourth unit also imports a batch.
class Writer {
 public:
  explicit Writer(int index) : index_(index) {}

  // Sends writes to `address` until `stop`, each retried until answered.
  // Returns false (see error()) when the registry refused a write.
  bool Run(const std::string& address, const std::atomic<bool>& stop) {
    auto stub = Connect(address);
    while (!stop.load()) {
      if (!SendNext(*stub)) return false;
    }
    return true;
  }

  // Retries the write in doubt, if any, until it is answered (at most 30 s).
  bool Settle(const std::string& address) {
    auto stub = Connect(address);
    const auto give_up =
        std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (Pending() != nullptr && std::chrono::steady_clock::now() < give_up) {
      if (!SendNext(*stub)) return false;
    }
    if (Pending() == nullptr) return true;
    error_ = Pending()->request_id + " still unanswered after 30 s";
    return false;
  }

  // The write sent last without an answer, if any.
  const Write* Pending() const {
    return next_ < writes_.size() && writes_[next_].in_doubt ? &writes_[next_]
                                                             : nullptr;
  }
  const std::vector<Write>& writes() const { return writes_; }
  const std::string& error() const { return error_; }

 private:
  static std::unique_ptr<reg::RegistryService::Stub> Connect(
      const std::string& address) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 20);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 100);
    return reg::RegistryService::NewStub(grpc::CreateCustomChannel(
        address, grpc::InsecureChannelCredentials(), args));
  }

  // Sends the next write once. An answer acknowledges it; no answer leaves
  // it in doubt, to be sent again. False when the registry refused it.
  bool SendNext(reg::RegistryService::Stub& stub) {
    while (next_ >= writes_.size()) AddUnit();
    Write& write = writes_[next_];
    const grpc::Status status = Send(stub, write);
    if (status.ok()) {
      write.acknowledged = true;
      ++next_;
      return true;
    }
    write.in_doubt = true;
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE &&
        status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED &&
        status.error_code() != grpc::StatusCode::CANCELLED) {
      error_ = absl::StrCat(write.request_id, ": ", status.error_code(), " ",
                            status.error_message());
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return true;
  }

  void AddUnit() {
    const int unit = units_++;
    const std::string person = absl::StrFormat("C-%d-%05d", index_, unit);
    const std::string tag = absl::StrFormat("%d-%05d", index_, unit);
    auto add = [&](WriteKind kind, const std::string& request_id) {
      Write& write = writes_.emplace_back();
      write.kind = kind;
      write.request_id = request_id;
      write.person_id = person;
      return &write;
    };
    add(WriteKind::kPerson, "person-" + tag);
    add(WriteKind::kEndorsement, "endorse-" + tag);
    add(WriteKind::kMembership, "member-" + tag);
    if (unit % 4 == 3) {
      add(WriteKind::kImport, "import-" + tag)->import_first =
          1000000 + index_ * 100000 + unit * kImportSize;
    }
  }

  static grpc::Status Send(reg::RegistryService::Stub& stub, Write& write) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(2));
    switch (write.kind) {
      case WriteKind::kPerson: {
        reg::CreatePersonRequest request;
        request.mutable_person()->set_person_id(write.person_id);
        request.mutable_person()->set_display_name("Crash Test Person");
        request.mutable_person()->set_county("Fairfax");
        request.set_request_id(write.request_id);
        reg::CreatePersonResponse response;
        return stub.CreatePerson(&context, request, &response);
      }
      case WriteKind::kEndorsement: {
        // A historical grant of the person's own, by a one-record import.
        reg::ImportEndorsementsRequest request;
        reg::RegistryRecord& record = *request.add_records();
        record.mutable_person()->set_person_id(write.person_id);
        record.mutable_person()->set_display_name("Crash Test Person");
        record.mutable_person()->set_county("Fairfax");
        std::string number = "VA-IFS-" + write.person_id;
        number.erase(std::remove(number.begin() + 7, number.end(), '-'),
                     number.end());
        record.mutable_endorsement()->set_endorsement_number(number);
        record.mutable_endorsement()->set_category("IFS");
        *record.mutable_endorsement()->mutable_granted_on() =
            DateOf("2025-03-01");
        request.set_request_id(write.request_id);
        reg::ImportEndorsementsResponse response;
        grpc::Status status =
            stub.ImportEndorsements(&context, request, &response);
        if (status.ok() && response.imported_count() != 1) {
          return grpc::Status(grpc::StatusCode::INTERNAL,
                              "endorsement import not taken");
        }
        write.endorsement_number = number;
        return status;
      }
      case WriteKind::kMembership: {
        reg::RecordMembershipRequest request;
        request.set_person_id(write.person_id);
        request.set_year(2026);
        request.set_request_id(write.request_id);
        reg::RecordMembershipResponse response;
        return stub.RecordMembership(&context, request, &response);
      }
      case WriteKind::kImport: {
        reg::ImportEndorsementsRequest request;
        for (int k = 0; k < kImportSize; ++k) {
          *request.add_records() = RegistryTest::Record(write.import_first + k);
        }
        request.set_request_id(write.request_id);
        reg::ImportEndorsementsResponse response;
        grpc::Status status =
            stub.ImportEndorsements(&context, request, &response);
        if (status.ok() && (response.imported_count() != kImportSize ||
                            response.rejections_size() != 0)) {
          return grpc::Status(grpc::StatusCode::INTERNAL,
                              absl::StrCat("import acknowledged with ",
                                           response.imported_count(), " of ",
                                           kImportSize, " records"));
        }
        return status;
      }
    }
    return grpc::Status(grpc::StatusCode::INTERNAL, "unknown write kind");
  }

  int index_;
  int units_ = 0;
  size_t next_ = 0;
  std::vector<Write> writes_;
  std::string error_;
};

int64_t CountOf(SQLite::Database& db, const std::string& sql,
                const std::string& bind = "") {
  SQLite::Statement query(db, sql);
  if (!bind.empty()) query.bind(1, bind);
  query.executeStep();
  return query.getColumn(0).getInt64();
}

// What a file holds that no completed write could have left.
void ExpectNoPartialRecord(SQLite::Database& db) {
  EXPECT_EQ(db.execAndGet("PRAGMA integrity_check").getString(), "ok");
  EXPECT_EQ(CountOf(db, "SELECT COUNT(*) FROM pragma_foreign_key_check"), 0);
  EXPECT_EQ(CountOf(db,
                    "SELECT COUNT(*) FROM endorsements e WHERE NOT EXISTS "
                    "(SELECT 1 FROM status_history h "
                    "WHERE h.endorsement_id = e.id)"),
            0)
      << "an endorsement without its history";
  EXPECT_EQ(CountOf(db,
                    "SELECT COUNT(*) FROM people p WHERE p.person_id LIKE "
                    "'C-%' AND NOT EXISTS (SELECT 1 FROM idempotency i WHERE "
                    "i.request_id = 'person-' || substr(p.person_id, 3))"),
            0)
      << "a person without its idempotency record";
  // Imports are all or nothing: per batch of kImportSize consecutive
  // numbers, either none or all of them.
  EXPECT_EQ(CountOf(db,
                    "SELECT COUNT(*) FROM (SELECT CAST(substr(person_id, 3) "
                    "AS INTEGER) / 10 AS batch, COUNT(*) AS n FROM people "
                    "WHERE person_id LIKE 'P-%' GROUP BY batch "
                    "HAVING n <> 10)"),
            0)
      << "an import half in";
  EXPECT_EQ(CountOf(db,
                    "SELECT COUNT(*) FROM idempotency i WHERE i.request_id "
                    "LIKE 'endorse-%' AND NOT EXISTS (SELECT 1 FROM "
                    "endorsements e WHERE e.person_id = 'C-' || "
                    "substr(i.request_id, 9))"),
            0)
      << "an idempotency record without its endorsement";
}

TEST(RegistryCrashTest, SigkillMidWrite_AcknowledgedWritesStoredExactlyOnce) {
  TempDir dir;
  const std::string db_path = dir.path() + "/registry.sqlite";
  const unsigned seed = std::random_device{}();
  std::printf("crash test seed %u\n", seed);
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> kill_after_ms(80, 400);

  std::vector<std::unique_ptr<Writer>> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.push_back(std::make_unique<Writer>(w));
  }
  int in_doubt_at_kill = 0;
  int in_doubt_committed = 0;

  // kRounds killed rounds, then one that ends with a clean stop; in that
  // last one each writer only finishes the write it has in doubt.
  for (int round = 0; round <= kRounds; ++round) {
    const bool last = round == kRounds;
    auto registry = std::make_unique<ServiceProcess>(
        IMH_REGISTRY_BIN, std::vector<std::string>{"--db=" + db_path},
        dir.path(), "registry");
    ASSERT_TRUE(registry->running()) << "round " << round;
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    std::vector<char> refused(kWriters, 0);
    for (int w = 0; w < kWriters; ++w) {
      threads.emplace_back([&, w] {
        // The last round only settles what the last kill left in doubt.
        refused[w] = last ? !writers[w]->Settle(registry->address())
                          : !writers[w]->Run(registry->address(), stop);
      });
    }
    if (!last) {
      std::this_thread::sleep_for(
          std::chrono::milliseconds(kill_after_ms(random)));
      registry->Kill();
    }
    stop = true;
    for (std::thread& thread : threads) thread.join();
    for (int w = 0; w < kWriters; ++w) {
      ASSERT_FALSE(refused[w]) << "writer " << w << ": " << writers[w]->error();
    }
    if (last) {
      EXPECT_EQ(registry->Stop(), 0) << registry->Log();
      break;
    }
    // The server is dead: look at what the file holds before anyone else
    // touches it.
    SQLite::Database db(db_path, SQLite::OPEN_READWRITE);
    ExpectNoPartialRecord(db);
    for (const auto& writer : writers) {
      const Write* pending = writer->Pending();
      if (pending == nullptr) continue;
      ++in_doubt_at_kill;
      in_doubt_committed +=
          CountOf(db, "SELECT COUNT(*) FROM idempotency WHERE request_id = ?",
                  pending->request_id);
    }
  }

  SQLite::Database db(db_path, SQLite::OPEN_READONLY);
  ExpectNoPartialRecord(db);
  int64_t acknowledged = 0, found = 0, duplicated = 0, persons = 0,
          endorsements = 0, imports = 0;
  for (const auto& writer : writers) {
    for (const Write& write : writer->writes()) {
      if (!write.acknowledged) {
        EXPECT_FALSE(write.in_doubt) << write.request_id << " left in doubt";
        continue;
      }
      ++acknowledged;
      int64_t copies = 0;
      switch (write.kind) {
        case WriteKind::kPerson:
          ++persons;
          copies = CountOf(db, "SELECT COUNT(*) FROM people WHERE person_id=?",
                           write.person_id);
          break;
        case WriteKind::kEndorsement:
          ++endorsements;
          copies = CountOf(db,
                           "SELECT COUNT(*) FROM endorsements WHERE "
                           "person_id = ?",
                           write.person_id);
          EXPECT_EQ(CountOf(db,
                            "SELECT COUNT(*) FROM endorsements WHERE "
                            "number = ?",
                            write.endorsement_number),
                    1)
              << write.request_id << " acknowledged as "
              << write.endorsement_number;
          break;
        case WriteKind::kMembership:
          copies = CountOf(db,
                           "SELECT COUNT(*) FROM memberships WHERE person_id "
                           "= ? AND year = 2026",
                           write.person_id);
          break;
        case WriteKind::kImport:
          ++imports;
          copies =
              CountOf(db, "SELECT COUNT(*) FROM endorsements WHERE number = ?",
                      absl::StrFormat("VA-IFS-%07d", write.import_first));
          break;
      }
      EXPECT_EQ(copies, 1) << write.request_id;
      found += copies >= 1;
      duplicated += copies > 1;
    }
  }
  // Nothing was stored that no acknowledged write asked for.
  EXPECT_EQ(CountOf(db, "SELECT COUNT(*) FROM people"),
            persons + imports * kImportSize);
  EXPECT_EQ(CountOf(db, "SELECT COUNT(*) FROM endorsements"),
            endorsements + imports * kImportSize);
  EXPECT_EQ(CountOf(db, "SELECT COUNT(*) FROM idempotency"), acknowledged);

  const int64_t lost = acknowledged - found;
  std::printf(
      "crash test: %d SIGKILL rounds, %d writers; %lld writes acknowledged, "
      "%lld found, %lld lost, %lld duplicated; %d in doubt at a kill (%d had "
      "committed), all settled by retrying with their request_id\n",
      kRounds, kWriters, static_cast<long long>(acknowledged),
      static_cast<long long>(found), static_cast<long long>(lost),
      static_cast<long long>(duplicated), in_doubt_at_kill, in_doubt_committed);
  RecordProperty("acknowledged", static_cast<int>(acknowledged));
  RecordProperty("lost", static_cast<int>(lost));
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(duplicated, 0);
  EXPECT_GT(acknowledged, kRounds * kWriters) << "too little was written";
  EXPECT_GT(in_doubt_at_kill, 0) << "no kill landed on a write in flight";
}

}  // namespace
}  // namespace imh::e2e

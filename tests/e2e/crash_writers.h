#ifndef IMH_TESTS_E2E_CRASH_WRITERS_H_
#define IMH_TESTS_E2E_CRASH_WRITERS_H_

// Clients that write to a registry that may die under them (SIGKILL): each
// retries a write that got no answer with the same request_id, as the
// contract asks, so that afterwards every write it saw acknowledged can be
// looked for, exactly once, and nothing partial.

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "imh/registry/v1/registry_service.grpc.pb.h"
#include "services/registry/sql/sql.h"
#include "tests/registry/registry_test_support.h"

namespace imh::e2e {

namespace reg = registry::v1;

inline constexpr int kImportSize = 10;

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
            registry::testing::DateOf("2025-03-01");
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
          *request.add_records() =
              registry::testing::RegistryTest::Record(write.import_first + k);
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

int64_t CountOf(registry::sql::Database& db, const std::string& sql,
                const std::string& bind = "");

// What a database holds that no completed write could have left.
void ExpectNoPartialRecord(registry::sql::Database& db);

// What the writers saw acknowledged, looked for in `db`: each stored exactly
// once, and nothing stored that no acknowledged write asked for.
struct StoredTally {
  int64_t acknowledged = 0;
  int64_t found = 0;
  int64_t duplicated = 0;
};
StoredTally ExpectAcknowledgedStoredOnce(
    registry::sql::Database& db,
    const std::vector<std::unique_ptr<Writer>>& writers);

}  // namespace imh::e2e

#endif  // IMH_TESTS_E2E_CRASH_WRITERS_H_

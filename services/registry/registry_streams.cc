#include "services/registry/registry_streams.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "google/protobuf/util/time_util.h"

namespace imh::registry {
namespace {

constexpr int kChangesPerRead = 256;

v1::WatchChangesResponse EventOf(Change& change) {
  v1::WatchChangesResponse event;
  event.set_sequence(change.sequence);
  event.set_kind(change.kind);
  *event.mutable_change_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
          absl::ToUnixMicros(change.at));
  event.set_person_id(std::move(change.person_id));
  event.set_application_id(std::move(change.application_id));
  if (change.endorsement) {
    *event.mutable_endorsement() = std::move(*change.endorsement);
  }
  return event;
}

class ChangeFeed final
    : public grpc::ServerWriteReactor<v1::WatchChangesResponse>,
      public HubStream {
 public:
  ChangeFeed(grpc::CallbackServerContext* context, RegistryStore& store,
             StreamHub& hub, int64_t after_sequence,
             std::unique_ptr<StreamLimiter::Slot> slot)
      : context_(context),
        store_(store),
        hub_(hub),
        slot_(std::move(slot)),
        cursor_(after_sequence) {
    hub_.Register(this);
    ReadAndSend();
  }

  void OnWriteDone(bool ok) override {
    hub_.WriteDone(this);
    if (!ok) {  // The client left, or the hub cancelled a stalled write.
      Finish(grpc::Status::CANCELLED);
      return;
    }
    cursor_ = event_.sequence();
    if (next_ < batch_.size()) {
      SendNext();
    } else {
      ReadAndSend();
    }
  }

  void OnCancel() override {
    // Parked, the feed is the hub's until this takes it back: finish here.
    if (hub_.Cancel(this)) Finish(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    hub_.Unregister(this);
    delete this;
  }

  void Resume() override { ReadAndSend(); }
  void EndStalled() override { context_->TryCancel(); }

 private:
  // Sends the next changes after the cursor, or parks until there are some.
  void ReadAndSend() {
    while (true) {
      if (hub_.shutting_down()) {
        FinishShuttingDown();
        return;
      }
      absl::StatusOr<std::vector<Change>> changes =
          store_.ChangesAfter(cursor_, kChangesPerRead);
      if (!changes.ok()) {
        Finish(ToGrpcStatus(changes.status()));
        return;
      }
      if (!changes->empty()) {
        batch_ = std::move(*changes);
        next_ = 0;
        SendNext();
        return;
      }
      switch (hub_.Park(this, cursor_)) {
        case StreamHub::ParkResult::kParked:
          return;
        case StreamHub::ParkResult::kChangesWaiting:
          continue;
        case StreamHub::ParkResult::kEnd:
          if (hub_.shutting_down()) {
            FinishShuttingDown();
          } else {
            Finish(grpc::Status::CANCELLED);
          }
          return;
      }
    }
  }

  void SendNext() {
    event_ = EventOf(batch_[next_++]);
    hub_.WriteStarted(this);
    StartWrite(&event_);
  }

  void FinishShuttingDown() {
    Finish(grpc::Status(
        grpc::StatusCode::UNAVAILABLE,
        absl::StrCat("registry shutting down; resume after sequence ",
                     cursor_)));
  }

  grpc::CallbackServerContext* const context_;
  RegistryStore& store_;
  StreamHub& hub_;
  const std::unique_ptr<StreamLimiter::Slot> slot_;
  // The last sequence the client has taken.
  int64_t cursor_;
  std::vector<Change> batch_;
  size_t next_ = 0;
  // The message being written: gRPC reads it until OnWriteDone.
  v1::WatchChangesResponse event_;
};

class Export final
    : public grpc::ServerWriteReactor<v1::ExportEndorsementsResponse>,
      public HubStream {
 public:
  Export(grpc::CallbackServerContext* context, RegistryStore& store,
         StreamHub& hub, int records_per_message,
         std::unique_ptr<StreamLimiter::Slot> slot)
      : context_(context),
        store_(store),
        hub_(hub),
        records_per_message_(records_per_message),
        slot_(std::move(slot)) {
    hub_.Register(this);
    absl::StatusOr<ExportPoint> point = store_.BeginExport();
    if (!point.ok()) {
      Finish(ToGrpcStatus(point.status()));
      return;
    }
    point_ = *point;
    pinned_ = true;
    ReadAndSend();
  }

  void OnWriteDone(bool ok) override {
    hub_.WriteDone(this);
    if (!ok) {
      Finish(grpc::Status::CANCELLED);
      return;
    }
    ReadAndSend();
  }

  void OnDone() override {
    if (pinned_) store_.EndExport(point_);
    hub_.Unregister(this);
    delete this;
  }

  // An export never parks.
  void Resume() override {}
  void EndStalled() override { context_->TryCancel(); }

 private:
  void ReadAndSend() {
    if (!after_id_) {
      Finish(grpc::Status::OK);
      return;
    }
    absl::StatusOr<ExportPage> page =
        store_.ReadExportPage(point_, *after_id_, records_per_message_);
    if (!page.ok()) {
      Finish(ToGrpcStatus(page.status()));
      return;
    }
    after_id_ = page->next_after_id;
    if (page->records.empty()) {
      Finish(grpc::Status::OK);
      return;
    }
    message_.Clear();
    message_.set_as_of_sequence(point_.sequence);
    for (v1::RegistryRecord& record : page->records) {
      message_.mutable_records()->Add(std::move(record));
    }
    hub_.WriteStarted(this);
    StartWrite(&message_);
  }

  grpc::CallbackServerContext* const context_;
  RegistryStore& store_;
  StreamHub& hub_;
  const int records_per_message_;
  const std::unique_ptr<StreamLimiter::Slot> slot_;
  ExportPoint point_;
  bool pinned_ = false;
  // Where the next page starts; nullopt once the last has been read.
  std::optional<int64_t> after_id_ = 0;
  v1::ExportEndorsementsResponse message_;
};

}  // namespace

grpc::ServerWriteReactor<v1::WatchChangesResponse>* StartChangeFeed(
    grpc::CallbackServerContext* context, RegistryStore& store, StreamHub& hub,
    int64_t after_sequence, std::unique_ptr<StreamLimiter::Slot> slot) {
  return new ChangeFeed(context, store, hub, after_sequence, std::move(slot));
}

grpc::ServerWriteReactor<v1::ExportEndorsementsResponse>* StartExport(
    grpc::CallbackServerContext* context, RegistryStore& store, StreamHub& hub,
    int records_per_message, std::unique_ptr<StreamLimiter::Slot> slot) {
  return new Export(context, store, hub, records_per_message, std::move(slot));
}

}  // namespace imh::registry

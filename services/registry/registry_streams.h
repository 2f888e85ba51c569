#ifndef IMH_SERVICES_REGISTRY_REGISTRY_STREAMS_H_
#define IMH_SERVICES_REGISTRY_REGISTRY_STREAMS_H_

// The registry's two server streams on gRPC's callback API. Neither holds a
// thread, a read connection or a read snapshot while its client is slow:
// each message is read in its own short read once the client has taken the
// one before, a feed with nothing new parks with the StreamHub, and a stream
// whose client stops taking messages is ended by the hub's stall limit (or
// its deadline).

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>

#include "imh/registry/v1/registry_service.pb.h"
#include "services/registry/store.h"
#include "services/registry/stream_hub.h"
#include "services/registry/stream_limits.h"

namespace imh::registry {

// Change-feed events after `after_sequence`, then each new change as it
// commits, until the client leaves (OK) or the hub shuts down (UNAVAILABLE
// saying after which sequence to resume). `slot` is held until the end.
grpc::ServerWriteReactor<v1::WatchChangesResponse>* StartChangeFeed(
    grpc::CallbackServerContext* context, RegistryStore& store, StreamHub& hub,
    int64_t after_sequence, std::unique_ptr<StreamLimiter::Slot> slot);

// Every record as of the moment the export starts, `records_per_message` at
// a time; OK at the end. A storage fault ends it with its status.
grpc::ServerWriteReactor<v1::ExportEndorsementsResponse>* StartExport(
    grpc::CallbackServerContext* context, RegistryStore& store, StreamHub& hub,
    int records_per_message, std::unique_ptr<StreamLimiter::Slot> slot);

// A stream that ends at once with `status` (a refusal).
template <typename Message>
grpc::ServerWriteReactor<Message>* RefuseStream(const grpc::Status& status) {
  class Refused final : public grpc::ServerWriteReactor<Message> {
   public:
    explicit Refused(const grpc::Status& status) { this->Finish(status); }
    void OnDone() override { delete this; }
  };
  return new Refused(status);
}

}  // namespace imh::registry

#endif  // IMH_SERVICES_REGISTRY_REGISTRY_STREAMS_H_

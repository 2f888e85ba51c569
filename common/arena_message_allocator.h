#ifndef IMH_COMMON_ARENA_MESSAGE_ALLOCATOR_H_
#define IMH_COMMON_ARENA_MESSAGE_ALLOCATOR_H_

// A gRPC callback method's request and response on one pooled arena per call
// (SetMessageAllocatorFor_<Method>): gRPC parses the request into the arena
// and the handler builds the response there; both go when the call is done.

#include <grpcpp/support/message_allocator.h>

#include "common/arena_pool.h"
#include "google/protobuf/arena.h"

namespace imh {

template <typename Request, typename Response>
class ArenaMessageAllocator final
    : public grpc::MessageAllocator<Request, Response> {
 public:
  // Requires `pool` to outlive every call the allocator served.
  explicit ArenaMessageAllocator(ArenaPool* pool) : pool_(*pool) {}

  grpc::MessageHolder<Request, Response>* AllocateMessages() override {
    return new Holder(pool_);
  }

 private:
  class Holder final : public grpc::MessageHolder<Request, Response> {
   public:
    explicit Holder(ArenaPool& pool) : arena_(pool) {
      this->set_request(
          google::protobuf::Arena::CreateMessage<Request>(arena_.arena()));
      this->set_response(
          google::protobuf::Arena::CreateMessage<Response>(arena_.arena()));
    }
    // gRPC calls this once the call is done (after the reactor's OnDone).
    void Release() override { delete this; }

   private:
    PooledArena arena_;
  };

  ArenaPool& pool_;
};

}  // namespace imh

#endif  // IMH_COMMON_ARENA_MESSAGE_ALLOCATOR_H_

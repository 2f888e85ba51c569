#ifndef IMH_COMMON_ARENA_POOL_H_
#define IMH_COMMON_ARENA_POOL_H_

// Protobuf arenas whose first block is reused from call to call. A call's
// messages (the parsed request, the response built) are placed in a block an
// earlier call left behind, so neither costs a heap allocation per message,
// and the block is not handed back to malloc after every call.

#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/arena.h"

namespace imh {

// Blocks for arenas. Thread-safe: blocks are taken and given back from any
// thread.
class ArenaPool {
 public:
  // Each arena starts in a block of `block_bytes`; what does not fit grows the
  // arena with heap blocks as usual. At most `max_idle` blocks are kept
  // between calls (the rest are freed), which bounds what the pool holds.
  explicit ArenaPool(size_t block_bytes = 64 << 10, size_t max_idle = 32);

  size_t block_bytes() const { return block_bytes_; }

  // A block of block_bytes(): an idle one, or a new one.
  std::unique_ptr<char[]> Take();
  // Returns a block from Take() for reuse (or frees it when max_idle are idle).
  void Give(std::unique_ptr<char[]> block);

 private:
  const size_t block_bytes_;
  const size_t max_idle_;
  absl::Mutex mutex_;
  std::vector<std::unique_ptr<char[]>> idle_ ABSL_GUARDED_BY(mutex_);
};

// One arena on a pooled block, for as long as this object lives; the block
// goes back to the pool when it is destroyed (after the arena). Messages
// created on the arena must not outlive it.
class PooledArena {
 public:
  explicit PooledArena(ArenaPool& pool);
  ~PooledArena();
  PooledArena(const PooledArena&) = delete;
  PooledArena& operator=(const PooledArena&) = delete;

  google::protobuf::Arena* arena() { return &*arena_; }

 private:
  ArenaPool& pool_;
  std::unique_ptr<char[]> block_;
  std::optional<google::protobuf::Arena> arena_;
};

}  // namespace imh

#endif  // IMH_COMMON_ARENA_POOL_H_

#include "common/arena_pool.h"

#include <utility>

namespace imh {

ArenaPool::ArenaPool(size_t block_bytes, size_t max_idle)
    : block_bytes_(block_bytes), max_idle_(max_idle) {}

std::unique_ptr<char[]> ArenaPool::Take() {
  {
    absl::MutexLock lock(&mutex_);
    if (!idle_.empty()) {
      std::unique_ptr<char[]> block = std::move(idle_.back());
      idle_.pop_back();
      return block;
    }
  }
  return std::unique_ptr<char[]>(new char[block_bytes_]);
}

void ArenaPool::Give(std::unique_ptr<char[]> block) {
  absl::MutexLock lock(&mutex_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(block));
}

PooledArena::PooledArena(ArenaPool& pool) : pool_(pool), block_(pool.Take()) {
  google::protobuf::ArenaOptions options;
  options.initial_block = block_.get();
  options.initial_block_size = pool.block_bytes();
  // Growth past the first block: as large as the first, so that a large
  // decision adds a few blocks, not dozens.
  options.max_block_size = pool.block_bytes();
  arena_.emplace(options);
}

PooledArena::~PooledArena() {
  arena_.reset();
  pool_.Give(std::move(block_));
}

}  // namespace imh

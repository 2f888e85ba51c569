#include "services/registry/stream_limits.h"

namespace imh::registry {

StreamLimiter::Slot::~Slot() { limiter_->Release(principal_); }

std::unique_ptr<StreamLimiter::Slot> StreamLimiter::TryAcquire(
    const std::string& principal) {
  std::lock_guard<std::mutex> lock(mutex_);
  int& mine = by_principal_[principal];
  if (open_ >= per_server_ || mine >= per_principal_) {
    if (mine == 0) by_principal_.erase(principal);
    return nullptr;
  }
  ++open_;
  ++mine;
  return std::unique_ptr<Slot>(new Slot(this, principal));
}

int StreamLimiter::open() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return open_;
}

void StreamLimiter::Release(const std::string& principal) {
  std::lock_guard<std::mutex> lock(mutex_);
  --open_;
  auto it = by_principal_.find(principal);
  if (it != by_principal_.end() && --it->second == 0) by_principal_.erase(it);
}

}  // namespace imh::registry

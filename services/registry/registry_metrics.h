#ifndef IMH_SERVICES_REGISTRY_REGISTRY_METRICS_H_
#define IMH_SERVICES_REGISTRY_REGISTRY_METRICS_H_

// The registry's own Prometheus metrics, beside the per-method ones every
// server has (call_metrics.h), brought up to date at each scrape:
//   imh_registry_database_bytes, imh_registry_wal_bytes (SQLite only)
//   imh_registry_feed_sequence          newest committed change
//   imh_registry_watch_streams, imh_registry_exports   open now
//   imh_registry_lapse_runs_total{result="done|already_done|failed"}
//   imh_registry_lapsed_endorsements_total
//   imh_registry_storage_errors_total   scrapes that could not measure
// Each carries server="registry".

#include "common/call_metrics.h"
#include "services/registry/lapse_runner.h"
#include "services/registry/registry_service.h"
#include "services/registry/store.h"

namespace imh::registry {

// Registers the metrics in `metrics` and the hook that refreshes them. Every
// argument must outlive `metrics`; `lapses` is null when the registry runs
// none.
void RegisterRegistryMetrics(CallMetrics& metrics, RegistryStore* store,
                             const RegistryServiceImpl* service,
                             const LapseRunner* lapses);

}  // namespace imh::registry

#endif  // IMH_SERVICES_REGISTRY_REGISTRY_METRICS_H_

#include "services/registry/registry_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>

namespace imh::registry {
namespace {

prometheus::Gauge& AddGauge(CallMetrics& metrics, const std::string& name,
                            const std::string& help) {
  return prometheus::BuildGauge()
      .Name(name)
      .Help(help)
      .Register(metrics.registry())
      .Add({{"server", metrics.server_name()}});
}

}  // namespace

void RegisterRegistryMetrics(CallMetrics& metrics, RegistryStore* store,
                             const RegistryServiceImpl* service,
                             const LapseRunner* lapses) {
  prometheus::Gauge& database = AddGauge(
      metrics, "imh_registry_database_bytes",
      "Size of the database: the SQLite file, or the PostgreSQL database.");
  prometheus::Gauge* wal = nullptr;
  const absl::StatusOr<RegistryStore::StorageSize> first =
      store->StorageBytes();
  if (!first.ok() || first->wal_bytes >= 0) {
    wal = &AddGauge(metrics, "imh_registry_wal_bytes",
                    "Size of the SQLite write-ahead log.");
  }
  prometheus::Gauge& sequence =
      AddGauge(metrics, "imh_registry_feed_sequence",
               "Sequence number of the newest committed change.");
  prometheus::Gauge& watch_streams = AddGauge(
      metrics, "imh_registry_watch_streams", "WatchChanges streams open.");
  prometheus::Gauge& exports =
      AddGauge(metrics, "imh_registry_exports",
               "ExportEndorsements streams in progress.");
  auto& runs = prometheus::BuildCounter()
                   .Name("imh_registry_lapse_runs_total")
                   .Help(
                       "The day's lapse runs of this process, by result "
                       "(already_done: another process had run it).")
                   .Register(metrics.registry());
  const std::string server = metrics.server_name();
  prometheus::Counter& runs_done =
      runs.Add({{"server", server}, {"result", "done"}});
  prometheus::Counter& runs_already =
      runs.Add({{"server", server}, {"result", "already_done"}});
  prometheus::Counter& runs_failed =
      runs.Add({{"server", server}, {"result", "failed"}});
  prometheus::Counter& lapsed =
      prometheus::BuildCounter()
          .Name("imh_registry_lapsed_endorsements_total")
          .Help("Endorsements this process's lapse runs lapsed.")
          .Register(metrics.registry())
          .Add({{"server", server}});
  prometheus::Counter& storage_errors =
      prometheus::BuildCounter()
          .Name("imh_registry_storage_errors_total")
          .Help("Scrapes that could not measure the database.")
          .Register(metrics.registry())
          .Add({{"server", server}});

  metrics.OnScrape([=, &database, &sequence, &watch_streams, &exports,
                    &runs_done, &runs_already, &runs_failed, &lapsed,
                    &storage_errors] {
    const absl::StatusOr<RegistryStore::StorageSize> size =
        store->StorageBytes();
    if (size.ok()) {
      database.Set(static_cast<double>(size->database_bytes));
      if (wal != nullptr && size->wal_bytes >= 0) {
        wal->Set(static_cast<double>(size->wal_bytes));
      }
    } else {
      storage_errors.Increment();
    }
    sequence.Set(static_cast<double>(store->last_sequence()));
    watch_streams.Set(service->open_watch_streams());
    exports.Set(service->open_exports());
    if (lapses != nullptr) {
      const LapseRunner::Counts counts = lapses->counts();
      AdvanceCounter(runs_done, static_cast<double>(counts.done));
      AdvanceCounter(runs_already, static_cast<double>(counts.already_done));
      AdvanceCounter(runs_failed, static_cast<double>(counts.failed));
      AdvanceCounter(lapsed, static_cast<double>(counts.lapsed));
    }
  });
}

}  // namespace imh::registry

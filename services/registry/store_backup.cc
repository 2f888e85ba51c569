// Online backup: VACUUM INTO from a read snapshot of its own connection, so
// writers go on while it runs (WAL), and the copy is one consistent point.

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/digest.h"
#include "google/protobuf/util/time_util.h"
#include "services/registry/store.h"
#include "services/registry/store_internal.h"

namespace imh::registry {
namespace {

bool Exists(const std::string& path) {
  return ::access(path.c_str(), F_OK) == 0;
}

// fsync of the file, then of its folder (so the rename is durable too).
absl::Status SyncFileAndFolder(const std::string& path) {
  for (const std::string& target :
       {path, path.substr(0, path.find_last_of('/') + 1)}) {
    const std::string name = target.empty() ? "." : target;
    const int fd = ::open(name.c_str(), O_RDONLY);
    if (fd < 0 || ::fsync(fd) != 0) {
      if (fd >= 0) ::close(fd);
      return absl::InternalError(absl::StrCat("cannot sync ", name));
    }
    ::close(fd);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::BackupRegistryResponse> RegistryStore::Backup(
    const std::string& path) {
  if (writer_->engine() != sql::Engine::kSqlite) {
    return absl::FailedPreconditionError(
        "this registry runs on PostgreSQL: back it up with PostgreSQL's own "
        "tools (pg_dump, or base backups with WAL archiving)");
  }
  std::unique_lock<std::mutex> one_at_a_time(backup_mutex_, std::try_to_lock);
  if (!one_at_a_time.owns_lock()) {
    return absl::AbortedError("another backup is running; try again later");
  }
  if (Exists(path)) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " exists; backups never overwrite"));
  }
  const std::string partial = path + ".partial";
  std::remove(partial.c_str());
  const absl::Time taken_at = absl::Now();
  v1::BackupRegistryResponse response;
  try {
    sql::Database db(options_.path, sql::OPEN_READONLY);
    ApplyConnectionPragmas(db, options_.busy_timeout_ms);
    // VACUUM INTO reads in one transaction of its own: one snapshot.
    db.exec(absl::StrCat("VACUUM INTO '",
                         absl::StrReplaceAll(partial, {{"'", "''"}}), "'"));
    sql::Database copy(partial, sql::OPEN_READONLY);
    response.set_last_sequence(
        copy.execAndGet("SELECT COALESCE(MAX(sequence), 0) FROM changes")
            .getInt64());
    const std::string check = copy.execAndGet("PRAGMA quick_check");
    if (check != "ok") {
      std::remove(partial.c_str());
      return absl::InternalError(
          absl::StrCat("the backup failed its check: ", check));
    }
    response.set_schema_version(
        copy.execAndGet("SELECT MAX(version) FROM schema_migrations").getInt());
  } catch (const std::exception& error) {
    std::remove(partial.c_str());
    return FromSqlite(error, "taking a backup");
  }
  if (absl::Status synced = SyncFileAndFolder(partial); !synced.ok()) {
    std::remove(partial.c_str());
    return synced;
  }
  if (Exists(path) || std::rename(partial.c_str(), path.c_str()) != 0) {
    std::remove(partial.c_str());
    return absl::FailedPreconditionError(
        absl::StrCat("cannot put the backup at ", path));
  }
  if (absl::Status synced = SyncFileAndFolder(path); !synced.ok()) {
    return synced;
  }
  absl::StatusOr<FileDigest> digest = Sha256OfFile(path);
  if (!digest.ok()) return digest.status();
  response.set_path(path);
  response.set_bytes(digest->bytes);
  response.set_sha256(digest->sha256_hex);
  *response.mutable_taken_at() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
          absl::ToUnixMicros(taken_at));
  return response;
}

}  // namespace imh::registry

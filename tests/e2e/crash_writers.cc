#include "tests/e2e/crash_writers.h"

namespace imh::e2e {

int64_t CountOf(registry::sql::Database& db, const std::string& sql,
                const std::string& bind) {
  registry::sql::Statement query(db, sql);
  if (!bind.empty()) query.bind(1, bind);
  query.executeStep();
  return query.getColumn(0).getInt64();
}

void ExpectNoPartialRecord(registry::sql::Database& db) {
  if (db.engine() == registry::sql::Engine::kSqlite) {
    EXPECT_EQ(db.execAndGet("PRAGMA integrity_check").getString(), "ok");
    EXPECT_EQ(CountOf(db, "SELECT COUNT(*) FROM pragma_foreign_key_check"), 0);
  }
  EXPECT_EQ(CountOf(db,
                    "SELECT COUNT(*) FROM endorsements e WHERE NOT EXISTS "
                    "(SELECT 1 FROM status_history h "
                    "WHERE h.endorsement_id = e.id)"),
            0)
      << "an endorsement without its history";
  EXPECT_EQ(CountOf(db,
                    "SELECT COUNT(*) FROM people p WHERE p.person_id LIKE "
                    "'C-%' AND NOT EXISTS (SELECT 1 FROM idempotency i WHERE "
                    "i.request_id = 'person-' || substr(p.person_id, 3))"),
            0)
      << "a person without its idempotency record";
  // Imports are all or nothing: per batch of kImportSize consecutive
  // numbers, either none or all of them.
  EXPECT_EQ(CountOf(db,
                    "SELECT COUNT(*) FROM (SELECT CAST(substr(person_id, 3) "
                    "AS INTEGER) / 10 AS batch, COUNT(*) AS n FROM people "
                    "WHERE person_id LIKE 'P-%' GROUP BY batch "
                    "HAVING COUNT(*) <> 10) AS batches"),
            0)
      << "an import half in";
  EXPECT_EQ(CountOf(db,
                    "SELECT COUNT(*) FROM idempotency i WHERE i.request_id "
                    "LIKE 'endorse-%' AND NOT EXISTS (SELECT 1 FROM "
                    "endorsements e WHERE e.person_id = 'C-' || "
                    "substr(i.request_id, 9))"),
            0)
      << "an idempotency record without its endorsement";
}

StoredTally ExpectAcknowledgedStoredOnce(
    registry::sql::Database& db,
    const std::vector<std::unique_ptr<Writer>>& writers) {
  int64_t acknowledged = 0, found = 0, duplicated = 0, persons = 0,
          endorsements = 0, imports = 0;
  for (const auto& writer : writers) {
    for (const Write& write : writer->writes()) {
      if (!write.acknowledged) {
        EXPECT_FALSE(write.in_doubt) << write.request_id << " left in doubt";
        continue;
      }
      ++acknowledged;
      int64_t copies = 0;
      switch (write.kind) {
        case WriteKind::kPerson:
          ++persons;
          copies = CountOf(db, "SELECT COUNT(*) FROM people WHERE person_id=?",
                           write.person_id);
          break;
        case WriteKind::kEndorsement:
          ++endorsements;
          copies = CountOf(db,
                           "SELECT COUNT(*) FROM endorsements WHERE "
                           "person_id = ?",
                           write.person_id);
          EXPECT_EQ(CountOf(db,
                            "SELECT COUNT(*) FROM endorsements WHERE "
                            "number = ?",
                            write.endorsement_number),
                    1)
              << write.request_id << " acknowledged as "
              << write.endorsement_number;
          break;
        case WriteKind::kMembership:
          copies = CountOf(db,
                           "SELECT COUNT(*) FROM memberships WHERE person_id "
                           "= ? AND year = 2026",
                           write.person_id);
          break;
        case WriteKind::kImport:
          ++imports;
          copies =
              CountOf(db, "SELECT COUNT(*) FROM endorsements WHERE number = ?",
                      absl::StrFormat("VA-IFS-%07d", write.import_first));
          break;
      }
      EXPECT_EQ(copies, 1) << write.request_id;
      found += copies >= 1;
      duplicated += copies > 1;
    }
  }
  // Nothing was stored that no acknowledged write asked for.
  EXPECT_EQ(CountOf(db, "SELECT COUNT(*) FROM people"),
            persons + imports * kImportSize);
  EXPECT_EQ(CountOf(db, "SELECT COUNT(*) FROM endorsements"),
            endorsements + imports * kImportSize);
  EXPECT_EQ(CountOf(db, "SELECT COUNT(*) FROM idempotency"), acknowledged);

  return StoredTally{acknowledged, found, duplicated};
}

}  // namespace imh::e2e

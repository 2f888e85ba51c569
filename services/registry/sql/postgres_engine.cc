#include "services/registry/sql/postgres_engine.h"

#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/registry/sql/placeholders.h"

namespace imh::registry::sql {
namespace {

constexpr pqxx::oid kBoolOid = 16;
// The channel write transactions notify at commit.
constexpr char kCommitChannel[] = "imh_registry_commits";
constexpr pqxx::oid kByteaOid = 17;
constexpr pqxx::oid kInt8Oid = 20;
constexpr pqxx::oid kInt2Oid = 21;
constexpr pqxx::oid kInt4Oid = 23;
constexpr pqxx::oid kFloat4Oid = 700;
constexpr pqxx::oid kFloat8Oid = 701;
constexpr pqxx::oid kNumericOid = 1700;

[[noreturn]] void Rethrow(const std::exception& error) {
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&error)) {
    const std::string& state = sql->sqlstate();
    // Serialization failures and deadlocks: trying again may succeed.
    if (state == "40001" || state == "40P01" || state == "55P03") {
      throw Exception(ErrorKind::kBusy, error.what());
    }
    // Integrity constraints, and the schema's refusing triggers.
    if (absl::StartsWith(state, "23") || state == "P0001") {
      throw Exception(ErrorKind::kConstraint, error.what());
    }
    throw Exception(ErrorKind::kOther, error.what());
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&error) != nullptr) {
    throw Exception(ErrorKind::kBusy, error.what());
  }
  throw Exception(ErrorKind::kOther, error.what());
}

template <typename Body>
auto Translated(Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const Exception&) {
    throw;
  } catch (const std::exception& error) {
    Rethrow(error);
  }
}

class PostgresDatabase;

class PostgresStatement final : public StatementImpl {
 public:
  PostgresStatement(PostgresDatabase& db, const std::string& sql);

  void BindNull(int index) override { Value(index).reset(); }
  void BindInt64(int index, int64_t value) override {
    Value(index) = absl::StrCat(value);
  }
  void BindDouble(int index, double value) override {
    // Every digit: StrCat's six would round 12.3456789 to 12.3457.
    Value(index) = absl::StrFormat("%.17g", value);
  }
  void BindText(int index, const std::string& value) override {
    Value(index) = value;
  }
  void BindText(int index, const char* value) override {
    Value(index) = std::string(value);
  }
  void BindBlob(int index, std::string_view bytes) override {
    Value(index) = absl::StrCat("\\x", absl::BytesToHexString(absl::string_view(
                                           bytes.data(), bytes.size())));
  }
  int ParameterIndex(const char* name) override {
    for (size_t i = 0; i < numbered_.names.size(); ++i) {
      if (numbered_.names[i] == name) return static_cast<int>(i) + 1;
    }
    throw Exception(ErrorKind::kOther,
                    absl::StrCat("no parameter ", name, " in statement"));
  }
  bool Step() override {
    if (!result_) Run();
    ++row_;
    decoded_.assign(result_->columns(), std::nullopt);
    return row_ < static_cast<int64_t>(result_->size());
  }
  int Exec() override {
    Run();
    const int changed = static_cast<int>(result_->affected_rows());
    Reset();
    return changed;
  }
  void Reset() override {
    result_.reset();
    row_ = -1;
  }
  bool IsNull(int column) override { return Field(column).is_null(); }
  int64_t Int64(int column) override {
    const pqxx::field field = Field(column);
    if (field.is_null()) return 0;
    if (result_->column_type(column) == kBoolOid) {
      return field.c_str()[0] == 't' ? 1 : 0;
    }
    int64_t value = 0;
    if (!absl::SimpleAtoi(field.c_str(), &value)) {
      double real = 0;
      if (absl::SimpleAtod(field.c_str(), &real))
        return static_cast<int64_t>(real);
    }
    return value;
  }
  double Double(int column) override {
    const pqxx::field field = Field(column);
    double value = 0;
    if (!field.is_null()) (void)absl::SimpleAtod(field.c_str(), &value);
    return value;
  }
  std::string_view Bytes(int column) override {
    const pqxx::field field = Field(column);
    if (field.is_null()) return {};
    if (result_->column_type(column) != kByteaOid) {
      return std::string_view(field.c_str(), field.size());
    }
    std::optional<std::string>& decoded = decoded_[column];
    if (!decoded) {
      // bytea's text output: \x and two hex digits per byte.
      absl::string_view hex(field.c_str(), field.size());
      if (absl::StartsWith(hex, "\\x")) hex.remove_prefix(2);
      decoded = absl::HexStringToBytes(hex);
    }
    return *decoded;
  }
  ValueType Type(int column) override {
    if (Field(column).is_null()) return ValueType::kNull;
    switch (result_->column_type(column)) {
      case kBoolOid:
      case kInt2Oid:
      case kInt4Oid:
      case kInt8Oid:
        return ValueType::kInteger;
      case kFloat4Oid:
      case kFloat8Oid:
      case kNumericOid:
        return ValueType::kReal;
      case kByteaOid:
        return ValueType::kBlob;
      default:
        return ValueType::kText;
    }
  }

 private:
  std::optional<std::string>& Value(int index) {
    if (index < 1 || index > numbered_.count) {
      throw Exception(ErrorKind::kOther,
                      absl::StrCat("no parameter ", index, " in statement"));
    }
    return values_[index - 1];
  }
  pqxx::field Field(int column) {
    if (!result_ || row_ < 0 || row_ >= static_cast<int64_t>(result_->size())) {
      throw Exception(ErrorKind::kOther, "no current row");
    }
    return (*result_)[row_][column];
  }
  void Run();

  PostgresDatabase& db_;
  const NumberedStatement numbered_;
  // Its prepared name, on the connection of `generation_`.
  std::string name_;
  int generation_ = 0;
  std::vector<std::optional<std::string>> values_;
  std::optional<pqxx::result> result_;
  int64_t row_ = -1;
  std::vector<std::optional<std::string>> decoded_;
};

class PostgresDatabase final : public DatabaseImpl {
 public:
  explicit PostgresDatabase(const std::string& url) : url_(url) { Connect(); }

  ~PostgresDatabase() override {
    work_.reset();
    connection_.reset();
  }

  std::unique_ptr<StatementImpl> Prepare(const std::string& sql) override {
    return std::make_unique<PostgresStatement>(*this, sql);
  }
  int Exec(const std::string& sql) override {
    const int changed = Guarded(
        [&] { return static_cast<int>(work_->exec(sql).affected_rows()); });
    // A session setting outside a transaction: set again on a new
    // connection.
    if (!in_transaction_ && absl::StartsWith(sql, "SET ")) {
      session_settings_.push_back(sql);
    }
    return changed;
  }
  void Begin(TransactionBehavior behavior) override {
    // A transaction is where a lost connection is replaced (the server
    // restarted or failed over): before it when a call already found it
    // lost, or when BEGIN finds it so, since nothing is done yet.
    if (broken_) Connect();
    try {
      StartTransaction(behavior);
    } catch (const Exception&) {
      if (!broken_) throw;
      Connect();
      StartTransaction(behavior);
    }
  }
  void Commit() override {
    in_transaction_ = false;
    Exec("COMMIT");
  }
  void Rollback() override {
    in_transaction_ = false;
    Exec("ROLLBACK");
  }
  Engine engine() const override { return Engine::kPostgres; }
  void RestartIdSequences() override {
    const pqxx::result serials = Translated([&] {
      return work_->exec(
          "SELECT table_name, column_name FROM information_schema.columns"
          " WHERE table_schema = current_schema() AND column_default LIKE"
          " 'nextval(%'");
    });
    for (const pqxx::row& serial : serials) {
      const std::string table = work_->quote_name(serial[0].c_str());
      const std::string column = work_->quote_name(serial[1].c_str());
      // setval(..., false) when the table is empty: the next id is 1.
      Exec(absl::StrCat(
          "SELECT setval(pg_get_serial_sequence(", work_->quote(table), ", ",
          work_->quote(serial[1].c_str()), "), COALESCE((SELECT MAX(", column,
          ") FROM ", table, "), 0) + 1, false)"));
    }
  }
  // Delivered when (and only if) the transaction commits.
  void AnnounceCommit() override {
    Exec(absl::StrCat("NOTIFY ", kCommitChannel));
  }

  // The name `sql` is prepared under on this connection: once per distinct
  // text (the store builds the same statements call after call).
  const std::string& PreparedName(const std::string& sql) {
    const auto added = prepared_.try_emplace(sql);
    std::string& name = added.first->second;
    if (added.second) {
      name = absl::StrCat("s", prepared_.size());
      try {
        Guarded([&] { connection_->prepare(name, sql); });
      } catch (const Exception&) {
        prepared_.erase(added.first);  // Not prepared: not remembered.
        throw;
      }
    }
    return name;
  }
  pqxx::result RunPrepared(const std::string& name,
                           const std::vector<const char*>& values) {
    return Guarded([&] {
      return work_->exec_prepared(name,
                                  pqxx::prepare::make_dynamic_params(values));
    });
  }
  // Counts connections: statements prepared on an earlier one prepare
  // again.
  int generation() const { return generation_; }

 private:
  void StartTransaction(TransactionBehavior behavior) {
    in_transaction_ = true;
    if (behavior == TransactionBehavior::IMMEDIATE) {
      Exec("BEGIN ISOLATION LEVEL READ COMMITTED");
      // Held to COMMIT or ROLLBACK: writes run one at a time, each seeing
      // every write committed before it.
      Exec(absl::StrCat("SELECT pg_advisory_xact_lock(", kWriteLockKey, ")"));
    } else {
      Exec("BEGIN ISOLATION LEVEL REPEATABLE READ");
    }
  }

  // A new connection, with this one's session settings; throws kBusy while
  // the server cannot be reached (and stays broken).
  void Connect() {
    work_.reset();
    connection_.reset();
    prepared_.clear();
    ++generation_;
    broken_ = true;
    connection_ =
        Translated([&] { return std::make_unique<pqxx::connection>(url_); });
    work_ = std::make_unique<pqxx::nontransaction>(*connection_);
    broken_ = false;
    in_transaction_ = false;
    for (const std::string& setting : session_settings_) {
      Guarded([&] { work_->exec(setting); });
    }
  }

  // Translated, noting a lost connection.
  template <typename Body>
  auto Guarded(Body&& body) -> decltype(body()) {
    if (broken_) {
      throw Exception(ErrorKind::kBusy,
                      "the connection to PostgreSQL was lost");
    }
    try {
      return body();
    } catch (const pqxx::broken_connection& error) {
      broken_ = true;
      throw Exception(ErrorKind::kBusy, error.what());
    } catch (const Exception&) {
      throw;
    } catch (const std::exception& error) {
      if (!connection_->is_open()) broken_ = true;
      Rethrow(error);
    }
  }

  const std::string url_;
  bool broken_ = true;
  bool in_transaction_ = false;
  int generation_ = 0;
  std::vector<std::string> session_settings_;
  std::unique_ptr<pqxx::connection> connection_;
  // Every statement runs through one nontransaction; BEGIN and COMMIT are
  // sent as statements, so transactions are the server's, not libpqxx's.
  std::unique_ptr<pqxx::nontransaction> work_;
  absl::flat_hash_map<std::string, std::string> prepared_;
};

PostgresStatement::PostgresStatement(PostgresDatabase& db,
                                     const std::string& sql)
    : db_(db),
      numbered_(NumberPlaceholders(sql)),
      name_(db.PreparedName(numbered_.sql)),
      generation_(db.generation()),
      values_(numbered_.count) {}

void PostgresStatement::Run() {
  std::vector<const char*> values;
  values.reserve(values_.size());
  for (const std::optional<std::string>& value : values_) {
    values.push_back(value ? value->c_str() : nullptr);
  }
  if (generation_ != db_.generation()) {
    name_ = db_.PreparedName(numbered_.sql);
    generation_ = db_.generation();
  }
  result_ = db_.RunPrepared(name_, values);
  row_ = -1;
}

class CommitReceiver final : public pqxx::notification_receiver {
 public:
  CommitReceiver(pqxx::connection_base& connection, bool& received)
      : pqxx::notification_receiver(connection, kCommitChannel),
        received_(received) {}
  void operator()(const std::string&, int) override { received_ = true; }

 private:
  bool& received_;
};

class PostgresCommitSignal final : public CommitSignal {
 public:
  explicit PostgresCommitSignal(const std::string& url)
      : connection_(Translated(
            [&] { return std::make_unique<pqxx::connection>(url); })),
        receiver_(Translated([&] {
          return std::make_unique<CommitReceiver>(*connection_, received_);
        })) {}
  ~PostgresCommitSignal() override {
    receiver_.reset();
    connection_.reset();
  }

  bool Wait(int timeout_ms) override {
    received_ = false;
    Translated([&] {
      connection_->get_notifs();
      if (!received_) {
        connection_->await_notification(timeout_ms / 1000,
                                        (timeout_ms % 1000) * 1000);
      }
      if (!connection_->is_open()) {
        throw pqxx::broken_connection("the commit listener's connection");
      }
    });
    return received_;
  }

 private:
  std::unique_ptr<pqxx::connection> connection_;
  bool received_ = false;
  std::unique_ptr<CommitReceiver> receiver_;
};

}  // namespace

std::unique_ptr<CommitSignal> ListenForCommits(const std::string& url) {
  return std::make_unique<PostgresCommitSignal>(url);
}

std::unique_ptr<DatabaseImpl> OpenPostgres(const std::string& url) {
  return std::make_unique<PostgresDatabase>(url);
}

}  // namespace imh::registry::sql

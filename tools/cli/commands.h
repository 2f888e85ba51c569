#ifndef IMH_TOOLS_CLI_COMMANDS_H_
#define IMH_TOOLS_CLI_COMMANDS_H_

// The operator CLI's commands. Each prints readable text (protobuf JSON with
// --json) on stdout, errors on stderr, and returns the process exit code
// (ExitCode in client.h): 0 done, 1 refused or a bad file, 2 usage, 3 a
// service unreachable.

#include <string>
#include <vector>

#include "imh/registry/v1/endorsement.pb.h"
#include "tools/cli/client.h"

namespace imh::tools {

// Eligibility service. With `save_decision` set (one file only), the signed
// decision of the answer is written there as JSON: what `application submit`
// and `renewal record` take.
int Evaluate(const ClientOptions& options,
             const std::vector<std::string>& files,
             const std::vector<std::string>& categories,
             const std::string& as_of, const std::string& save_decision = "");
// EvaluatePortfolio for `file`, and the providers' registry answers, as one
// HTML page (decision_report.h) at `html_path`.
int Report(const ClientOptions& options, const std::string& file,
           const std::vector<std::string>& categories, const std::string& as_of,
           const std::string& html_path);
int Recommend(const ClientOptions& options,
              const std::vector<std::string>& files, const std::string& as_of);
int Renew(const ClientOptions& options, const std::vector<std::string>& files,
          const std::string& as_of, const std::string& save_decision = "");
int ShowRulebook(const ClientOptions& options);

// Registry.
struct VerifyArgs {
  std::string person_id;
  std::string endorsement_number;
  std::vector<std::string> categories;
  std::string on;
  // With `on`: every day from `on` through this one, each change printed.
  std::string through;
};
int Verify(const ClientOptions& options, const VerifyArgs& args);

struct ListArgs {
  std::string category;
  std::string status;
  std::string name;
  std::string county;
  // 0: every match.
  int limit = 0;
};
int List(const ClientOptions& options, const ListArgs& args);
int ImportCsv(const ClientOptions& options, const std::string& file);
// To `file`, or stdout when it is empty or "-".
int ExportCsv(const ClientOptions& options, const std::string& file);

// Applications and reviews. `person_id` empty: the person the decision names.
int SubmitApplication(const ClientOptions& options,
                      const std::string& decision_file,
                      const std::string& category,
                      const std::string& person_id);
// `state`: "", pending, granted or declined.
int ListApplications(const ClientOptions& options, const std::string& state,
                     const std::string& person_id);
int ShowApplication(const ClientOptions& options,
                    const std::string& application_id);
struct ReviewArgs {
  std::string application_id;
  bool approve = false;
  std::vector<std::string> acknowledged_advisories;
  std::string comment;
};
// Needs a client certificate (--tls_cert) the registry's policy lets review.
int ReviewApplication(const ClientOptions& options, const ReviewArgs& args);

// Endorsements and people.
int ShowEndorsement(const ClientOptions& options, const std::string& number);
struct StatusChangeArgs {
  std::string endorsement_number;
  registry::v1::EndorsementStatus status =
      registry::v1::ENDORSEMENT_STATUS_UNSPECIFIED;
  std::string reason;
  // Optional: refused (ABORTED) when the endorsement changed since.
  std::string etag;
  // YYYY-MM-DD; empty: today in Virginia.
  std::string effective_on;
};
int ChangeEndorsementStatus(const ClientOptions& options,
                            const StatusChangeArgs& args);
int CreatePerson(const ClientOptions& options,
                 const registry::v1::Person& person);
int ShowPerson(const ClientOptions& options, const std::string& person_id);
int RecordMembership(const ClientOptions& options, const std::string& person_id,
                     int year);
// From a signed renewal decision saved by `renew --save_decision`.
int RecordRenewal(const ClientOptions& options,
                  const std::string& endorsement_number,
                  const std::string& decision_file);
// `as_of` empty: today in Virginia.
int RunLapses(const ClientOptions& options, const std::string& as_of);
int ListRenewalsDue(const ClientOptions& options, int cycle_year);
int ListMembershipsDue(const ClientOptions& options, int year);

// An online backup, written by the registry into its --backup_dir as
// `file_name`.
int BackupRegistry(const ClientOptions& options, const std::string& file_name);

// Registry databases, on the databases themselves with both registries
// stopped (store_copy.h). `from` is a SQLite registry file; `to` a
// postgresql:// URL (or another file). Copy: into an empty registry, then
// every table compared; compare: only that. Each prints one line per table;
// kExitRefused when a table differs or the copy was refused.
int CopyRegistryDatabase(const ClientOptions& options, const std::string& from,
                         const std::string& to,
                         const std::string& rulebook_path);
int CompareRegistryDatabases(const ClientOptions& options,
                             const std::string& from, const std::string& to);

// Portfolio files, offline. `rulebook_path` empty: the default rulebook;
// `out` empty or "-": stdout (an existing file is never overwritten).
int NewPortfolio(const std::string& rulebook_path, const std::string& category,
                 const std::string& out);
// Validates each file as the eligibility service would as of `as_of` (empty:
// today in Virginia), without deciding. 1 when any is invalid.
int CheckPortfolios(const ClientOptions& options,
                    const std::vector<std::string>& files,
                    const std::string& as_of);

// Either server: "eligibility" or "registry".
int Health(const ClientOptions& options, const std::string& server);
int Metrics(const ClientOptions& options, const std::string& server,
            bool prometheus);

}  // namespace imh::tools

#endif  // IMH_TOOLS_CLI_COMMANDS_H_

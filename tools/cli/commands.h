#ifndef IMH_TOOLS_CLI_COMMANDS_H_
#define IMH_TOOLS_CLI_COMMANDS_H_

// The operator CLI's commands. Each prints readable text (protobuf JSON with
// --json) on stdout, errors on stderr, and returns the process exit code:
// 0 done, 1 failed (a refused request, an unreachable service, a bad file).

#include <string>
#include <vector>

#include "tools/cli/client.h"

namespace imh::tools {

// Eligibility service.
int Evaluate(const ClientOptions& options,
             const std::vector<std::string>& files,
             const std::vector<std::string>& categories,
             const std::string& as_of);
int Recommend(const ClientOptions& options,
              const std::vector<std::string>& files, const std::string& as_of);
int Renew(const ClientOptions& options, const std::vector<std::string>& files,
          const std::string& as_of);
int ShowRulebook(const ClientOptions& options);

// Registry.
struct VerifyArgs {
  std::string person_id;
  std::string endorsement_number;
  std::vector<std::string> categories;
  std::string on;
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

// Either server: "eligibility" or "registry".
int Health(const ClientOptions& options, const std::string& server);
int Metrics(const ClientOptions& options, const std::string& server,
            bool prometheus);

}  // namespace imh::tools

#endif  // IMH_TOOLS_CLI_COMMANDS_H_

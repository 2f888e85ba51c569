// `imh portfolio new` and `imh portfolio check`: work on portfolio files
// without either service.

#include <cstdio>
#include <fstream>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/json_text.h"
#include "common/proto_files.h"
#include "common/rulebook/rulebook.h"
#include "imh/eligibility/v1/portfolio.pb.h"
#include "services/eligibility/validation.h"
#include "tools/cli/commands.h"
#include "tools/cli/portfolio_template.h"

namespace imh::tools {

int NewPortfolio(const std::string& rulebook_path, const std::string& category,
                 const std::string& out) {
  absl::StatusOr<Rulebook> rulebook = LoadRulebookOrDefault(rulebook_path);
  if (!rulebook.ok()) return ReportError("rulebook", rulebook.status());
  const rulebook::v1::Category* found = rulebook->FindCategory(category);
  if (found == nullptr) {
    std::cerr << "imh: the rulebook has no category \"" << category
              << "\"; its categories:";
    for (const auto& known : rulebook->proto().categories()) {
      std::cerr << " " << known.code();
    }
    std::cerr << "\n";
    return kExitUsage;
  }
  const std::string text =
      PortfolioTemplate(*found, rulebook->version(), TodayInVirginia());
  if (out.empty() || out == "-") {
    std::cout << text;
    return kExitDone;
  }
  // Never overwrite a portfolio someone may have filled in.
  if (std::ifstream(out).good()) {
    std::cerr << "imh: " << out << " exists; not overwritten\n";
    return kExitRefused;
  }
  std::ofstream file(out, std::ios::binary);
  file << text;
  file.close();
  if (!file) {
    std::cerr << "imh: cannot write " << out << "\n";
    return kExitRefused;
  }
  std::cerr << "wrote a " << found->code() << " portfolio template to " << out
            << "\n";
  return kExitDone;
}

int CheckPortfolios(const ClientOptions& options,
                    const std::vector<std::string>& files,
                    const std::string& as_of) {
  absl::CivilDay day = TodayInVirginia();
  if (!as_of.empty()) {
    absl::StatusOr<absl::CivilDay> parsed = ParseDay(as_of);
    if (!parsed.ok()) return ReportError("--as_of", parsed.status());
    day = *parsed;
  }
  int code = kExitDone;
  for (const std::string& file : files) {
    eligibility::v1::Portfolio portfolio;
    if (absl::Status read = ReadJsonFile(file, &portfolio); !read.ok()) {
      code = ReportError(file, read);
      continue;
    }
    const FieldViolations violations =
        eligibility::ValidatePortfolio(portfolio, day);
    if (options.json) {
      std::string json = "{\"file\":";
      AppendJsonString(json, file);
      absl::StrAppend(&json, ",\"asOf\":\"", FormatDay(day),
                      "\",\"valid\":", violations.empty() ? "true" : "false",
                      ",\"violations\":[");
      for (size_t i = 0; i < violations.size(); ++i) {
        absl::StrAppend(&json, i ? "," : "", "{\"field\":");
        AppendJsonString(json, violations[i].field);
        absl::StrAppend(&json, ",\"description\":");
        AppendJsonString(json, violations[i].description);
        absl::StrAppend(&json, "}");
      }
      std::cout << json << "]}\n";
    } else if (violations.empty()) {
      std::cout << file << ": a valid portfolio as of " << FormatDay(day)
                << " (" << portfolio.education_size() << " degree(s), "
                << portfolio.trainings_size() << " training(s), "
                << portfolio.rsc_sessions_size() << " RS/C session(s), "
                << portfolio.work_size() << " work entr"
                << (portfolio.work_size() == 1 ? "y" : "ies") << ", "
                << portfolio.references_size() << " reference(s))\n";
    } else {
      std::cout << file << ": " << violations.size() << " problem(s) as of "
                << FormatDay(day) << "\n";
      for (const FieldViolation& violation : violations) {
        std::cout << "  " << violation.field << ": " << violation.description
                  << "\n";
      }
    }
    if (!violations.empty()) code = kExitRefused;
  }
  return code;
}

}  // namespace imh::tools

#ifndef IMH_TOOLS_CLI_PORTFOLIO_TEMPLATE_H_
#define IMH_TOOLS_CLI_PORTFOLIO_TEMPLATE_H_

// A portfolio template for one category: protobuf JSON with every field of
// imh.eligibility.v1.Portfolio explained in whole-line "//" comments (which
// `imh` reads past), each section saying whether and how the category's
// rules use it.

#include <string>

#include "absl/time/civil_time.h"
#include "imh/rulebook/v1/rulebook.pb.h"

namespace imh::tools {

// The template for `category` of rulebook `rulebook_version`, with example
// dates before `today`. It parses as a Portfolio, and ValidatePortfolio
// accepts it as of `today`: the applicant replaces the examples.
std::string PortfolioTemplate(const rulebook::v1::Category& category,
                              const std::string& rulebook_version,
                              absl::CivilDay today);

}  // namespace imh::tools

#endif  // IMH_TOOLS_CLI_PORTFOLIO_TEMPLATE_H_

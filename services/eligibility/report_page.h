#ifndef IMH_SERVICES_ELIGIBILITY_REPORT_PAGE_H_
#define IMH_SERVICES_ELIGIBILITY_REPORT_PAGE_H_

// POST /report on the eligibility service's HTTP port: the body is an
// EvaluatePortfolioRequest in JSON; the answer is the decision as a page
// (decision_report.h), the same one `imh report` writes. The decision comes
// from EvaluatePortfolio itself, called through the in-process channel (its
// validation, registry verification, signing, decision log, metrics and
// access log included); errors are Connect errors, as on the method's own
// route.

#include <grpcpp/channel.h>

#include <memory>

#include "common/rulebook/rulebook.h"

namespace httplib {
class Server;
}

namespace imh::eligibility {

// `self` is the server's in-process channel, `registry` its channel to the
// registry (for the providers' periods); `rulebook` must outlive `server`.
void AddReportPage(httplib::Server& server, std::shared_ptr<grpc::Channel> self,
                   std::shared_ptr<grpc::Channel> registry,
                   const Rulebook* rulebook);

}  // namespace imh::eligibility

#endif  // IMH_SERVICES_ELIGIBILITY_REPORT_PAGE_H_

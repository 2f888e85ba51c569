#ifndef IMH_SERVICES_REGISTRY_PUBLIC_PAGE_H_
#define IMH_SERVICES_REGISTRY_PUBLIC_PAGE_H_

// The public Active Registry of Endorsed Professionals, on the registry's
// HTTP port: GET /registry (search by name, county and category; ACTIVE by
// default; paged) and GET /registry/valid?number= (is this endorsement
// valid today?). Plain HTML forms: it works without JavaScript. It shows only
// what the association publishes: name, category, endorsement number, status
// and since when. It reads the store through the same validators and the
// same verification as the RPCs, and has no route that writes. Each client
// address gets a token bucket, and few pages render at once, so that a
// scraper cannot take from verification what it needs.

#include <string>

#include "common/rulebook/rulebook.h"
#include "services/registry/store.h"

namespace httplib {
class Server;
}

namespace imh::registry {

struct PublicPageOptions {
  // Per client address: pages a second, and at once.
  double pages_per_second = 5;
  int burst = 20;
  // Pages rendering at once across every client; past it: 503.
  int max_concurrent = 4;
  // Rows per page.
  int page_size = 25;
};

// Adds the pages (and GET / redirecting to /registry) to `server`. `store`
// and `rulebook` must outlive it.
void AddPublicPages(httplib::Server& server, RegistryStore* store,
                    const Rulebook* rulebook, PublicPageOptions options = {});

}  // namespace imh::registry

#endif  // IMH_SERVICES_REGISTRY_PUBLIC_PAGE_H_

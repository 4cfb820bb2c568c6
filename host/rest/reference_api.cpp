// GET /openapi.json, GET /docs and the script of that page: the API's reference, served from
// DOCS_DIR (the document and the page) and NODE_MODULES_DIR (Redoc's bundle), each also for HEAD.
#include "host/rest/api.hpp"
#include "host/rest/static_files.hpp"

namespace socrates::host::rest {

void add_reference_routes(Router& router, ApiContext& api) {
  add_static_file(router, "/openapi.json", api.docs_dir, "openapi.json");
  // Redoc's page: its styles are injected at run time (inline), its search runs in a worker made
  // from a blob; nothing else leaves the host (the bundle's footer would fetch Redocly's logo from
  // their CDN: the policy refuses it, and the link text stays).
  add_static_file(router, "/docs", api.docs_dir, "reference.html",
                  {{"Content-Security-Policy",
                    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                    "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'none'; "
                    "frame-ancestors 'none'"},
                   {"Referrer-Policy", "no-referrer"}});
  add_static_file(router, "/docs/redoc.standalone.js", api.node_modules_dir / "redoc" / "bundles",
                  "redoc.standalone.js");
}

}  // namespace socrates::host::rest

import CRMServer
import Foundation
import Hummingbird

/// The web UI for users and administrators (issue 10): server-rendered pages under `/` (never under `/api/v1`)
/// on the server's own components, so a page validates, checks visibility and logs in exactly as the API does.
///
/// `crm-server serve` and `CRMTesting.TestServer` add it to the server's router through `addition`.
public struct WebUI: Sendable {
    let pages: PageRenderer
    let stylesheet: String

    /// Loads the templates and the stylesheet; fails before the server listens when one is missing or broken.
    public init() throws {
        pages = try PageRenderer()
        guard let css = Bundle.module.resourceURL?.appendingPathComponent("Static/crm.css") else {
            throw WebSetupError(message: "the CRMWeb bundle has no resources")
        }
        stylesheet = try String(contentsOf: css, encoding: .utf8)
    }

    /// What `CRMApplication` takes to add these pages to its router.
    public var addition: CRMRouteAddition {
        { router, services in self.add(to: router, services: services) }
    }

    /// Adds the pages: open ones (login, the stylesheet), the user's pages behind the session cookie, and the
    /// admin pages behind the admin role.
    func add(to router: Router<CRMRequestContext>, services: CRMServices) {
        let session = WebSession(secure: services.configuration.tls != nil)
        let web = router.group().add(middleware: WebErrorMiddleware(pages: pages, logger: services.logger))
        let css = stylesheet
        web.get("/static/crm.css") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: css)))
        }
        LoginPages(pages: pages, services: services, session: session).add(to: web)
        let signedIn = web.group().add(middleware: WebSessionMiddleware(auth: services.auth))
        LogoutPage(services: services, session: session).add(to: signedIn)
        RecordPages(pages: pages, services: services).add(to: signedIn)
        CSVPages(pages: pages, services: services).add(to: signedIn)
        RecordFormPages(pages: pages, services: services).add(to: signedIn)
        ConflictPages(pages: pages, services: services).add(to: signedIn)
        ReceiptPages(pages: pages, services: services).add(to: signedIn)
        let admin = signedIn.group("admin").add(middleware: AdminOnlyMiddleware())
        AdminUserPages(pages: pages, services: services).add(to: admin)
        AdminPackagePages(pages: pages, services: services).add(to: admin)
        SyncMonitorPages(pages: pages, services: services).add(to: admin)
    }
}

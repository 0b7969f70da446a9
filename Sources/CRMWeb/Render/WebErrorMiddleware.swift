import CRMModel
import CRMServer
import Foundation
import Hummingbird
import Logging

/// Renders what the pages below it throw as an HTML page with the API's status for the same error (404 for a
/// record one may not see, exactly as for an unknown id), and sends a browser without a session to the login page.
struct WebErrorMiddleware: RouterMiddleware {
    typealias Context = CRMRequestContext
    let pages: PageRenderer
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch WebRefusal.loginNeeded(let path) {
            let back = path.hasPrefix("/") && !path.hasPrefix("//") ? path : "/"
            return PageRenderer.redirect(
                "/login?next=" + (back.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
        } catch WebRefusal.csrf {
            return page(
                status: .forbidden, title: "Form refused",
                message: "This form was not sent from a page of this server, or it is older than your session. "
                    + "Go back, reload the page and send it again.")
        } catch let error as CRMError {
            let status = CRMError.status(error.kind)
            return page(status: status, title: Self.title(status), message: error.description)
        } catch let error as HTTPError {
            return page(status: error.status, title: Self.title(error.status), message: error.body ?? "request failed")
        } catch {
            logger.error("web page failed", metadata: ["error": .string(String(describing: error))])
            return page(status: .internalServerError, title: "Server error", message: "The server log has the details.")
        }
    }

    private func page(status: HTTPResponse.Status, title: String, message: String) -> Response {
        pages.page("error", ["title": title, "message": message, "status": status.code], status: status)
    }

    static func title(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 403: "Not allowed"
        case 404: "Not found"
        case 409: "Conflict"
        case 429: "Too many attempts"
        default: status.reasonPhrase
        }
    }
}

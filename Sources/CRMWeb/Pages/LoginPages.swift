import CRMServer
import Foundation
import Hummingbird

/// `/login` and `/logout`: AuthService's login (same password check, same throttling per user and address) with
/// its session token kept in the HttpOnly cookie; logout ends that session on the server, not only the cookie.
struct LoginPages: Sendable {
    let pages: PageRenderer
    let services: CRMServices
    let session: WebSession

    func add(to web: RouterGroup<CRMRequestContext>) {
        web.get("/login") { request, _ in
            pages.page(
                "login", ["title": "Log in", "next": Self.next(request.uri.queryParameters["next"].map(String.init))])
        }
        web.post("/login") { request, context in
            let form = try await FormBody.read(request)
            let name = form["username"] ?? ""
            let next = Self.next(form["next"])
            do {
                let grant = try await services.auth.login(
                    username: name, password: form["password"] ?? "", address: context.remoteAddress)
                let cookie = session.cookie(token: grant.token, lifetime: services.configuration.sessionLifetime)
                return PageRenderer.redirect(next, headers: [.setCookie: cookie])
            } catch let error as CRMError {
                let status = CRMError.status(error.kind)
                var headers: HTTPFields = [:]
                if case .tooManyAttempts(let seconds) = error.kind { headers[.retryAfter] = String(seconds) }
                var response = pages.page(
                    "login", ["title": "Log in", "error": error.message, "username": name, "next": next], status: status
                )
                response.headers.append(contentsOf: headers)
                return response
            }
        }
        web.get("/") { request, _ in
            WebSession.token(request) == nil ? PageRenderer.redirect("/login") : PageRenderer.redirect("/home")
        }
    }

    /// Where to go after logging in: a path of this site only, never another site's address.
    static func next(_ text: String?) -> String {
        guard let text, text.hasPrefix("/"), !text.hasPrefix("//"), !text.hasPrefix("/\\") else { return "/home" }
        return text
    }
}

/// `POST /logout`: ends the session in the store and clears the cookie.
struct LogoutPage: Sendable {
    let services: CRMServices
    let session: WebSession

    func add(to signedIn: RouterGroup<CRMRequestContext>) {
        signedIn.post("/logout") { request, _ in
            if let token = WebSession.token(request) { try await services.auth.logout(token: token) }
            return PageRenderer.redirect("/login", headers: [.setCookie: session.clearingCookie()])
        }
    }
}

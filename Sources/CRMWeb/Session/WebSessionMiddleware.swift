import CRMServer
import Hummingbird

/// Turns the session cookie into the request's `Caller` (a page without one goes to the login page), and
/// refuses every POST whose form lacks the session's CSRF token (403).
struct WebSessionMiddleware: RouterMiddleware {
    typealias Context = CRMRequestContext
    let auth: AuthService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard let token = WebSession.token(request) else { throw WebRefusal.loginNeeded(request.uri.path) }
        var context = context
        do {
            context.caller = try await auth.authenticate(token: token)
        } catch let error as CRMError {
            if case .unauthorized = error.kind { throw WebRefusal.loginNeeded(request.uri.path) }
            throw error
        }
        var request = request
        if request.method == .post {
            _ = try await request.collectBody(upTo: FormBody.maxBytes)
            let form = try await FormBody.read(request)
            guard WebSession.csrfMatches(form["csrf"], token: token) else { throw WebRefusal.csrf }
        }
        return try await next(request, context)
    }
}

/// Admin pages: 403 for a caller whose role is not an admin role.
struct AdminOnlyMiddleware: RouterMiddleware {
    typealias Context = CRMRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard try context.requireCaller().isAdmin else {
            throw CRMError(.forbidden, "these pages are for administrators; your role is not an admin role")
        }
        return try await next(request, context)
    }
}

/// Why the web UI refuses a request before any page runs.
enum WebRefusal: Error {
    /// No valid session: the browser goes to the login page, then back to `path`.
    case loginNeeded(String)
    /// A POST without the session's CSRF token.
    case csrf
}

import CRMSyncProtocol
import HTTPTypes
import Hummingbird

/// Turns the bearer token of a request into its `Caller`; 401 without a valid session.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = CRMRequestContext
    let auth: AuthService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let token = try Self.bearerToken(request)
        var context = context
        let caller = try await auth.authenticate(token: token)
        context.caller = caller
        context.trace.user = caller.user.name
        return try await next(request, context)
    }

    /// The token of an `Authorization: Bearer TOKEN` header; 401 without one.
    static func bearerToken(_ request: Request) throws -> String {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw CRMError(.unauthorized, "log in first: send Authorization: Bearer TOKEN")
        }
        return header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
    }
}

/// Refuses desktops that speak a protocol older than the server serves (426), and names the server's.
struct ProtocolVersionMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        if let text = request.headers[.crmProtocolVersion] {
            guard let version = Int(text) else {
                throw CRMError(.malformed, "\(ProtocolVersion.header) must be a whole number")
            }
            if let refusal = CRMError.protocolTooOld(version) { throw refusal }
        }
        var response = try await next(request, context)
        response.headers[.crmProtocolVersion] = String(ProtocolVersion.current)
        return response
    }
}

extension HTTPField.Name {
    static let crmProtocolVersion = Self(ProtocolVersion.header)!
}

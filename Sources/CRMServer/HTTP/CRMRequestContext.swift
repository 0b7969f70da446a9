import Hummingbird
import NIOCore

/// The request context of the CRM API: who is calling (set by `AuthMiddleware`) and from where.
public struct CRMRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller; nil on routes open without a session.
    public var caller: Caller?
    /// The peer's IP address, for login throttling.
    public let remoteAddress: String?
    /// The request's id (`RequestLogMiddleware`): in the log line, the `X-Request-Id` header and error bodies.
    public internal(set) var requestID: String?
    /// What the request log reports once inner middleware know it (the user).
    let trace = RequestTrace()

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    /// The authenticated caller of a route behind `AuthMiddleware`.
    public func requireCaller() throws -> Caller {
        guard let caller else { throw CRMError(.unauthorized, "log in first: send Authorization: Bearer TOKEN") }
        return caller
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Synchronization

/// Gives every request an id, answers it in `X-Request-Id`, logs one line per request (id, user, route,
/// status, duration) and counts it in the metrics. The outermost middleware, so it sees every answer,
/// error bodies included.
///
/// The line names the route pattern (`/api/v1/records/{type}/{id}`), never the raw path or query, which can
/// carry field values (list filters); and no header, body or token.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = CRMRequestContext
    let logger: Logger
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let id = RequestID.accepted(request.headers[.requestID]) ?? RequestID.make()
        var context = context
        context.requestID = id
        context.logger[metadataKey: "hb.request.id"] = nil
        context.logger[metadataKey: "requestId"] = .string(id)
        let clock = ContinuousClock()
        let start = clock.now
        var response: Response
        do {
            response = try await metrics.inFlight { try await next(request, context) }
        } catch {
            // Below the error middleware nothing should throw; should something, it is answered here.
            response = ErrorRendering.response(for: error, logger: context.logger, requestID: id)
        }
        let duration = clock.now - start
        response.headers[.requestID] = id
        let route = context.endpointPath.map(Self.pattern) ?? "NotFound"
        let status = response.status.code
        metrics.request(route: route, method: request.method.rawValue, status: status, duration: duration)
        let milliseconds = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        logger.log(
            level: status >= 500 ? .error : .info, "request",
            metadata: [
                "requestId": .string(id), "method": .string(request.method.rawValue), "route": .string(route),
                "status": .stringConvertible(status), "ms": .string(String(format: "%.1f", milliseconds)),
                "user": .string(context.trace.user ?? "-"),
            ])
        return response
    }

    /// A route as the OpenAPI document writes it: `{name}` for a capture (the router says `:name`).
    static func pattern(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
    }
}

/// Request ids: a valid incoming `X-Request-Id` (set by a proxy or the client) is kept, so one id follows a
/// request through every tier; otherwise a new random one.
enum RequestID {
    /// `text` when it is 1-128 letters, digits, `-`, `_`, `.` or `:`; nil otherwise (a header that could
    /// forge log lines or carry anything else is not echoed).
    static func accepted(_ text: String?) -> String? {
        guard let text, (1...128).contains(text.utf8.count) else { return nil }
        let allowed = text.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x5F || byte == 0x2E || byte == 0x3A
        }
        return allowed ? text : nil
    }

    /// A new id: 16 random bytes in hex.
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef")
        return String((0..<32).map { _ in digits[Int(generator.next() % 16)] })
    }
}

/// What inner middleware learn about a request that the request log, further out, reports: the user, once
/// `AuthMiddleware` or a login has found one. A class, because the context is passed down by value.
final class RequestTrace: Sendable {
    private let state = Mutex<String?>(nil)

    /// The user name of the caller, nil until known.
    var user: String? {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}

extension HTTPField.Name {
    /// `X-Request-Id`: the request's id, in the request (optional) and in every answer.
    static let requestID = Self("X-Request-Id")!
}

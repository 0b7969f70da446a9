import AsyncHTTPClient
import CRMModel
import CRMSyncProtocol
import Foundation
import NIOCore
import NIOHTTP1

/// What the server answered to one request: the route, the status and the whole body.
///
/// It is the one place where answers become values or `DesktopError`s, so every route reports a refusal, a
/// garbled answer or a server out of reach the same way.
struct ServerAnswer: Sendable {
    /// The method and path, such as `POST /api/v1/sync/pull`, for messages.
    var route: String
    var status: Int
    var body: Data
    /// The `Retry-After` seconds of a 503 or 429 (a server shedding load or limiting a user's rate).
    var retryAfter: Int? = nil

    var isSuccess: Bool { (200..<300).contains(status) }

    /// The first 200 characters of the body, for messages about answers that make no sense.
    var excerpt: String {
        let text = String(decoding: body.prefix(800), as: UTF8.self)
        guard !text.isEmpty else { return "(empty body)" }
        let excerpt = text.count > 200 ? String(text.prefix(200)) + "..." : text
        return "'\(excerpt)'"
    }

    /// The server's JSON error body, when the body is one.
    var errorBody: ErrorBody? { try? CRMJSON.decoder().decode(ErrorBody.self, from: body) }

    /// The body of a 2xx answer decoded as `Value`; any other answer thrown as the error it means.
    func decode<Value: Decodable>(_ type: Value.Type = Value.self) throws -> Value {
        guard isSuccess else { throw refusal() }
        do {
            return try CRMJSON.decoder().decode(Value.self, from: body)
        } catch {
            throw DesktopError(
                .badAnswer,
                "the server's answer to \(route) (\(status)) is not what a CRM server answers: \(excerpt)",
                status: status)
        }
    }

    /// The error a non-2xx answer means: the server's own code when it sent an error body, `.badAnswer` otherwise.
    func refusal() -> DesktopError {
        guard let errorBody else {
            return DesktopError(
                .badAnswer,
                "the server answered \(route) with \(status) and no CRM error body: \(excerpt)", status: status)
        }
        let detail = errorBody.error
        let code: DesktopError.Code
        var serverCode = detail.code
        switch (status, detail.code) {
        case (_, "revoked"): code = .revoked
        case (_, SyncReset.errorCode): code = .reset
        case (426, _): code = .upgradeRequired
        case (401, _):
            code = .refused
            serverCode = "unauthorized"
        default: code = .refused
        }
        var error = DesktopError(
            code, detail.message, field: detail.field, issues: detail.issues ?? [], status: status,
            serverCode: serverCode)
        error.retryAfter = retryAfter
        return error
    }

    /// The error a request that got no answer means: the server at `url` is out of reach, and why.
    static func unreachable(_ url: URL, _ error: any Error, timeout: TimeAmount) -> DesktopError {
        // An answer cut off in the middle (the connection lost on its way back) is a network failure, not a
        // server that speaks something else: the edits stay queued and go again with the next sync.
        if let error = error as? HTTPParserError, error == .invalidEOFState {
            return DesktopError(
                .unreachable,
                "cannot reach the CRM server at \(url.absoluteString): it closed the connection before the whole answer "
                    + "arrived")
        }
        if error is HTTPParserError {
            return DesktopError(.badAnswer, "\(url.absoluteString) does not answer in HTTP: \(error)")
        }
        return DesktopError(
            .unreachable, "cannot reach the CRM server at \(url.absoluteString): \(reason(error, timeout: timeout))")
    }

    /// A transport error in words: refused, timed out, unknown host, closed; the library's words otherwise.
    static func reason(_ error: any Error, timeout: TimeAmount) -> String {
        let seconds = timeout.nanoseconds / 1_000_000_000
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout, .getConnectionFromPoolTimeout: return "the connection timed out"
            case .deadlineExceeded, .readTimeout, .writeTimeout: return "no complete answer within \(seconds) s"
            case .remoteConnectionClosed: return "the server closed the connection"
            case .tlsHandshakeTimeout: return "the TLS handshake timed out"
            default: return String(describing: error)
            }
        }
        if let error = error as? IOError { return describe(errno: error.errnoCode) ?? String(describing: error) }
        if case ChannelError.connectTimeout = error { return "the connection timed out" }
        // NIOConnectionError (NIOPosix, not a dependency of this target) says what went wrong in its description.
        let text = String(describing: error)
        if text.hasPrefix("DNS error") { return "the host name is unknown (\(text))" }
        for (needle, words) in [
            ("Connection refused", "connection refused"), ("Network is unreachable", "the network is unreachable"),
            ("No route to host", "no route to host"), ("timed out", "the connection timed out"),
        ] where text.contains(needle) {
            return words
        }
        return text
    }

    private static func describe(errno code: CInt) -> String? {
        guard let message = strerror(code) else { return nil }
        return String(cString: message).lowercased()
    }
}

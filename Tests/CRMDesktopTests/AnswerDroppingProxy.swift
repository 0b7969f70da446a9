import AsyncHTTPClient
import CRMModel
import CRMSyncProtocol
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import Synchronization

/// An HTTP proxy on loopback between desktops and the CRM server that loses answers: a request it drops reaches
/// the server and is answered (so what it changed is committed), but the connection to the desktop is closed
/// before the answer's body, as when a network fails on the way back. The desktop must send the request again
/// and the server answer it as the first time (a repeated op id gets its first answer; a repeated cursor the
/// same page).
///
/// It also keeps every push it forwarded with the server's answer, dropped or not: the log the convergence
/// checks read (which op the server applied first, at which version).
final class AnswerDroppingProxy: Sendable {
    /// One push as the server saw it and answered it.
    struct Push: Sendable {
        var ops: [SyncOp]
        var results: [SyncOpResult]
        var dropped: Bool
    }

    struct State {
        var random: SplitMix
        /// The share of answers lost, 0 to 100.
        var dropPercent: UInt64 = 0
        /// The routes whose answers may be lost (nil: all).
        var routes: Set<String>?
        var pushes: [Push] = []
        var dropped: [String: Int] = [:]
        var forwarded = 0
    }

    struct Dropped: Error {}

    let upstream: String
    let state: Mutex<State>

    init(upstream: URL, seed: UInt64) {
        var base = upstream.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        self.upstream = base
        state = Mutex(State(random: SplitMix(seed: seed)))
    }

    /// Sets the share of answers lost from now on (0 to 100), of every route or only of `routes`.
    func drop(percent: UInt64, routes: Set<String>? = nil) {
        state.withLock { state in
            state.dropPercent = percent
            state.routes = routes
        }
    }

    var pushes: [Push] { state.withLock { $0.pushes } }
    /// Answers lost so far, by route.
    var dropped: [String: Int] { state.withLock { $0.dropped } }
    var forwarded: Int { state.withLock { $0.forwarded } }

    /// Serves the proxy on a loopback port while `body` runs with its address.
    func run<Value: Sendable>(_ body: @Sendable (String) async throws -> Value) async throws -> Value {
        let responder = CallbackResponder<BasicRequestContext> { [self] request, _ in try await forward(request) }
        let app = Application(responder: responder, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in try await body("http://127.0.0.1:\(client.port ?? 0)") }
    }

    private func forward(_ request: Request) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 64 * 1024 * 1024)
        let path = request.uri.string
        var outgoing = HTTPClientRequest(url: upstream + path)
        outgoing.method = .init(rawValue: request.method.rawValue)
        for field in request.headers where field.name != .contentLength {
            outgoing.headers.add(name: field.name.rawName, value: field.value)
        }
        outgoing.body = .bytes(body)
        let answer = try await HTTPClient.shared.execute(outgoing, timeout: .seconds(120))
        let data = try await answer.body.collect(upTo: 64 * 1024 * 1024)
        let route = path.split(separator: "?").first.map(String.init) ?? path
        let drop = state.withLock { state in
            state.forwarded += 1
            let drop = state.random.next(upTo: 100) < state.dropPercent && state.routes?.contains(route) != false
            if drop { state.dropped[route, default: 0] += 1 }
            return drop
        }
        if route == "/api/v1/sync/push", answer.status.code == 200 {
            let ops = try CRMJSON.decoder().decode(SyncPushRequest.self, from: Data(buffer: body)).ops
            let results = try CRMJSON.decoder().decode(SyncPushResponse.self, from: Data(buffer: data)).results
            state.withLock { $0.pushes.append(Push(ops: ops, results: results, dropped: drop)) }
        }
        var headers = HTTPFields()
        for header in answer.headers where header.name.lowercased() != "content-length" {
            if let name = HTTPFields.Element.Name(header.name) {
                headers.append(HTTPFields.Element(name: name, value: header.value))
            }
        }
        let status = HTTPResponse.Status(code: Int(answer.status.code))
        guard !drop else {
            // The server committed and answered; the desktop gets the head and then a closed connection.
            headers[.contentLength] = String(data.readableBytes)
            return Response(status: status, headers: headers, body: ResponseBody { _ in throw Dropped() })
        }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: data))
    }
}

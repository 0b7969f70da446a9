import CRMModel
import CRMServer
import CRMSyncProtocol
import CRMTesting
import Foundation
import HTTPTypes
import Logging
import Synchronization
import Testing

/// Hostile input that is not about other users' records (issue 9): headers and bodies past every limit, JSON
/// nested deeper than any record, and secrets that must never reach the server's log. The server answers each
/// with a clear status and keeps serving.
@Suite struct HostileInputTests {
    /// Request headers far past any real one: refused with 431 or 400, or the connection closed, never a crash;
    /// the server keeps serving everyone else.
    @Test func anOversizeHeaderIsRefusedAndTheServerKeepsServing() async throws {
        try await TestServer.make().run { api in
            let token = try await api.login("rita")
            let port = try #require(api.client.port)
            let long = "X-Padding: " + String(repeating: "a", count: 1_000_000) + "\r\n"
            let many = (0..<20_000).map { "X-H\($0): v\r\n" }.joined()
            for headers in [long, many] {
                let request = "GET /api/v1/package HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n"
                    + headers + "Connection: close\r\n\r\n"
                let answer = try LoopbackPort.exchange(port, Array(request.utf8))
                let status = answer.split(separator: " ", maxSplits: 2).dropFirst().first.map(String.init)
                #expect(status == nil || status == "431" || status == "400", "answered: \(answer.prefix(200))")
            }
            #expect(try await api.send(.get, "/healthz").status == .ok)
            #expect(try await api.send(.get, "/api/v1/package", token: token).status == .ok)
        }
    }

    /// A body past the limit on every JSON route is 413 before it is decoded; the sync push has its own limit.
    @Test func anOversizeBodyIs413OnEveryJSONRoute() async throws {
        let server = try await TestServer.make(configuration: ServerConfiguration(bcryptCost: 4, maxBodyBytes: 4096))
        try await server.run { api in
            let token = try await api.login("rita")
            let big = "{\"x\": \"" + String(repeating: "y", count: 8192) + "\"}"
            for (method, path) in [
                (HTTPRequest.Method.post, "/api/v1/sessions"), (.post, "/api/v1/records/Account"),
                (.post, "/api/v1/devices"), (.post, "/api/v1/sync/begin"), (.post, "/api/v1/sync/pull"),
                (.post, "/api/v1/sync/end"), (.post, "/api/v1/sync/wait"),
                (.post, "/api/v1/conflicts/\(RecordID.make())/resolve"),
            ] {
                let reply = try await api.send(method, path, token: token, body: big)
                #expect(reply.status == .contentTooLarge, "\(path) answered \(reply.status)")
                #expect(reply.errorCode == "too-large")
            }
            #expect(try await api.send(.get, "/healthz").status == .ok)
        }
    }

    /// JSON nested far deeper than any record: a clear 400 naming the body, no stack overflow, on the routes that
    /// decode JSON from anyone (login) and from users (records, sync push).
    @Test func deeplyNestedJSONIs400WithoutCrashing() async throws {
        try await TestServer.make().run { api in
            let token = try await api.login("rita")
            for depth in [1_000, 100_000] {
                let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
                let objects = String(repeating: "{\"a\":", count: depth) + "1" + String(repeating: "}", count: depth)
                for nested in [arrays, objects] {
                    for (path, body) in [
                        ("/api/v1/sessions", nested),
                        ("/api/v1/records/Account", "{\"fields\": {\"name\": \(nested)}}"),
                        ("/api/v1/sync/push", "{\"protocolVersion\": 1, \"session\": \"x\", \"ops\": \(nested)}"),
                    ] {
                        let reply = try await api.send(.post, path, token: token, body: body)
                        #expect(reply.status == .badRequest || reply.status == .contentTooLarge,
                            "\(path) at depth \(depth): \(reply.status) \(reply.text.prefix(200))")
                    }
                }
            }
            #expect(try await api.send(.get, "/healthz").status == .ok)
        }
    }

    /// At trace level, logging in, failing a login, registering a device, refreshing and syncing leave neither
    /// the password nor any session or refresh token in the log.
    @Test func passwordsAndTokensNeverReachTheLog() async throws {
        let lines = Mutex<[String]>([])
        let logger = Logger(label: "crm-log-capture") { label in
            CapturingLogHandler(label: label, lines: { line in lines.withLock { $0.append(line) } })
        }
        let secrets = try await TestServer.make().run(logger: logger) { api -> [String] in
            var secrets = [TestServer.password, "wrong-but-close-\(TestServer.password)"]
            _ = try? await api.login("rita", password: secrets[1])
            _ = try? await api.login("nobody", password: secrets[1])
            let first = try await api.loginResponse("rita")
            let device = try await api.registerDevice("laptop", token: first.token)
            let bound = try await api.loginResponse("rita", device: device.id)
            let refreshToken = try #require(bound.refreshToken)
            let refreshed = try await api.refresh(refreshToken, device: device.id).decode(LoginResponse.self)
            _ = try await api.refresh("not-\(refreshToken)", device: device.id)
            var desktop = TestDesktop(api: api, user: "rita", token: refreshed.token, device: device)
            try await desktop.sync()
            _ = try await api.send(.get, "/api/v1/package", token: "forged-\(first.token)")
            _ = try await api.send(.delete, "/api/v1/sessions", token: first.token)
            secrets += [first.token, bound.token, refreshToken, refreshed.token]
            secrets += [refreshed.refreshToken].compactMap { $0 }
            return secrets
        }
        let log = lines.withLock { $0 }
        #expect(log.count > 10, "the server logged \(log.count) lines at trace level")
        for secret in secrets {
            for line in log where line.contains(secret) {
                Issue.record("the log holds a secret: \(line.prefix(300))")
            }
        }
    }
}

/// A log handler that hands each formatted line (level, message, metadata) to `lines`.
struct CapturingLogHandler: LogHandler {
    let label: String
    let lines: @Sendable (String) -> Void
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(
        level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String,
        function: String, line: UInt
    ) {
        let all = self.metadata.merging(metadata ?? [:]) { $1 }
        lines("\(level) \(label) \(message) \(all)")
    }
}

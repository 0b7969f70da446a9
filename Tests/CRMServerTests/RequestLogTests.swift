import CRMModel
import CRMServer
import CRMSyncProtocol
import CRMTesting
import Foundation
import HTTPTypes
import Testing

/// The request log: one line per request with its id, which the answer carries in `X-Request-Id` and in every
/// error body, so an administrator finds the line of the error a user reports; and no secret in any line.
@Suite struct RequestLogTests {
    @Test func anErrorBodysRequestIdFindsItsLogLine() async throws {
        let capture = LogCapture()
        let server = try await TestServer.make()
        try await server.run(logger: capture.logger(level: .info)) { api in
            let token = try await api.login("rita")
            let reply = try await api.send(.get, "/api/v1/records/Nothing", token: token)
            #expect(reply.status == .notFound)
            let id = try #require(reply.headers[.requestID])
            #expect(reply.json["requestId"] as? String == id, "\(reply.text)")
            let line = try #require(capture.entries.first { $0["requestId"] == id && $0["message"] == "request" })
            #expect(line["status"] == "404")
            #expect(line["route"] == "/api/v1/records/{type}")
            #expect(line["method"] == "GET")
            #expect(line["user"] == "rita")
            #expect(Double(line["ms"] ?? "") != nil, "\(line)")
            // A successful answer has an id too, and its own line.
            let ok = try await api.send(.get, "/api/v1/records/Account", token: token)
            let okID = try #require(ok.headers[.requestID])
            #expect(okID != id)
            #expect(capture.entries.contains { $0["requestId"] == okID && $0["status"] == "200" })
        }
    }

    @Test func aValidIncomingRequestIdIsKeptAndAnInvalidOneReplaced() async throws {
        let capture = LogCapture()
        try await TestServer.make().run(logger: capture.logger(level: .info)) { api in
            let given = "lb-4f2a.9:17_x"
            let kept = try await api.send(.get, "/healthz", headers: [.requestID: given])
            #expect(kept.headers[.requestID] == given)
            #expect(capture.entries.contains { $0["requestId"] == given && $0["route"] == "/healthz" })
            for bad in ["has space", String(repeating: "a", count: 129), "quote\"d"] {
                let replaced = try await api.send(.get, "/api/v1/nowhere", headers: [.requestID: bad])
                let id = try #require(replaced.headers[.requestID])
                #expect(id != bad)
                #expect(id.count == 32 && id.allSatisfy(\.isHexDigit), "\(id)")
                #expect(replaced.json["requestId"] as? String == id)
            }
            #expect(!capture.text.contains("has space"))
        }
    }

    @Test func passwordsTokensAndRecordContentsNeverReachTheLog() async throws {
        let capture = LogCapture()
        try await TestServer.make().run(logger: capture.logger(level: .trace)) { api in
            let wrongPassword = "Wr0ng-Passw0rd-Zq"
            let fieldValue = "Quetzal Orchard Holdings"
            let pushedValue = "Marmoset Ledger Partners"
            let failed = try await api.send(
                .post, "/api/v1/sessions", json: LoginRequest(username: "rita", password: wrongPassword))
            #expect(failed.status == .unauthorized)
            var desktop = try await TestDesktop.connect(api, "rita")
            let bound = try await api.loginResponse("rita", device: desktop.device.id)
            let refreshToken = try #require(bound.refreshToken)
            let refreshed = try await api.refresh(refreshToken, device: desktop.device.id)
            #expect(refreshed.status == .created)
            let created = try await api.create("Account", ["name": .string(fieldValue)], token: desktop.token)
            let search = try await api.send(
                .get, "/api/v1/records/Account?name=\(fieldValue.replacingOccurrences(of: " ", with: "%20"))",
                token: desktop.token)
            #expect(search.status == .ok)
            try await desktop.begin()
            let session = desktop.session
            try await desktop.pullAll()
            _ = try await desktop.push([.create("Account", ["name": .string(pushedValue)])])
            try await desktop.end()

            // Sync sessions are logged at their start and end, with their counts.
            let begun = try #require(capture.entries.first { $0["message"] == "sync session begun" })
            #expect(begun["user"] == "rita" && begun["preview"] != nil && begun["session"] == session)
            let ended = try #require(capture.entries.first { $0["message"] == "sync session ended" })
            #expect(ended["pushed"] == "1" && ended["pulled"] != nil && ended["session"] == begun["session"])
            let log = capture.text
            #expect(log.contains("sync session ended") && log.contains("\"route\":\"/api/v1/sync/push\""))
            for secret in [
                TestServer.password, wrongPassword, desktop.token, bound.token, refreshToken, fieldValue, pushedValue,
                created.id,
            ] {
                #expect(!log.contains(secret), "the log holds '\(secret)'")
            }
            let tokenPrefix = String(desktop.token.prefix(12))
            #expect(!log.contains(tokenPrefix), "the log holds the start of a token")
        }
    }
}

extension HTTPField.Name {
    static let requestID = Self("X-Request-Id")!
}

import CRMModel
import CRMServer
import CRMStore
import CRMSyncProtocol
import CRMTesting
import Foundation
import HTTPTypes
import Testing

@Suite struct SessionTests {
    @Test func loginReturnsATokenThatOpensTheAPIAndLogoutEndsIt() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let login = try await api.send(
                .post, "/api/v1/sessions", json: LoginRequest(username: "rita", password: TestServer.password))
            #expect(login.status == .created)
            let body = try login.decode(LoginResponse.self)
            #expect(body.user == "rita")
            #expect(body.expiresAt > Date())
            let token = body.token
            #expect(try await api.send(.get, "/api/v1/package", token: token).status == .ok)
            #expect(try await api.send(.delete, "/api/v1/sessions", token: token).status == .noContent)
            let after = try await api.send(.get, "/api/v1/package", token: token)
            #expect(after.status == .unauthorized)
            #expect(after.errorCode == "unauthorized")
        }
    }

    @Test func theTokenIsStoredOnlyAsAHash() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            #expect(try await server.store.session(tokenHash: token) == nil)
            let stored = try await server.transfer.sessionsPage(after: nil, limit: 100).map(\.tokenHash)
            #expect(stored.count == 1)
            #expect(stored.first != token)
            #expect(stored.first?.count == 64)
        }
    }

    @Test func wrongPasswordUnknownUserAndMissingTokenAreRefused() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let wrong = try await api.send(
                .post, "/api/v1/sessions", json: LoginRequest(username: "rita", password: "not her password"))
            #expect(wrong.status == .unauthorized)
            let unknown = try await api.send(
                .post, "/api/v1/sessions", json: LoginRequest(username: "nobody", password: TestServer.password))
            #expect(unknown.status == .unauthorized)
            // The same answer but for each request's own id: nothing tells an unknown user from a wrong password.
            let withoutID = { (text: String) in
                text.replacingOccurrences(of: #","requestId":"[0-9a-f]+""#, with: "", options: .regularExpression)
            }
            #expect(withoutID(unknown.text) == withoutID(wrong.text))
            #expect(unknown.text != wrong.text)
            #expect(try await api.send(.get, "/api/v1/records/Account").status == .unauthorized)
            #expect(try await api.send(.get, "/api/v1/records/Account", token: "forged-token").status == .unauthorized)
        }
    }

    @Test func anExpiredSessionIsRefused() async throws {
        let server = try await TestServer.make(configuration: ServerConfiguration(sessionLifetime: -1, bcryptCost: 4))
        try await server.run { api in
            let token = try await api.login("rita")
            let reply = try await api.send(.get, "/api/v1/package", token: token)
            #expect(reply.status == .unauthorized)
            #expect(reply.text.contains("expired"))
            // A later login sweeps expired sessions away.
            _ = try await api.login("tom")
            _ = try await api.login("peter")
            let left = try await server.transfer.sessionsPage(after: nil, limit: 100).count
            #expect(left == 1)
        }
    }

    @Test func disablingAUserEndsTheirSessionsAtOnceAndBlocksLogin() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            _ = try await UserAdministration(store: server.store, bcryptCost: 4).change("rita", .init(enabled: false))
            #expect(try await api.send(.get, "/api/v1/package", token: token).status == .unauthorized)
            await #expect(throws: TestAPIError.self) { try await api.login("rita") }
            _ = try await UserAdministration(store: server.store, bcryptCost: 4).change("rita", .init(enabled: true))
            _ = try await api.login("rita")
        }
    }

    @Test func repeatedFailuresAreThrottledWithRetryAfterBeforeAnyHashing() async throws {
        let policy = ThrottlePolicy(maxFailures: 3, window: 600, lock: 60, maxLock: 600)
        let server = try await TestServer.make(configuration: ServerConfiguration(bcryptCost: 4, throttle: policy))
        try await server.run { api in
            var statuses: [Int] = []
            for _ in 0..<4 {
                let reply = try await api.send(
                    .post, "/api/v1/sessions", json: LoginRequest(username: "rita", password: "guess"))
                statuses.append(reply.status.code)
            }
            #expect(statuses == [401, 401, 429, 429])
            // Even the right password is refused while the lock holds.
            let locked = try await api.send(
                .post, "/api/v1/sessions", json: LoginRequest(username: "rita", password: TestServer.password))
            #expect(locked.status == .tooManyRequests)
            #expect(locked.errorCode == "too-many-attempts")
            let retryAfter = try #require(locked.headers[.retryAfter].flatMap(Int.init))
            #expect(retryAfter > 0 && retryAfter <= 600)
            // Another user at the same address is not locked out by rita's lock.
            _ = try await api.login("peter")
        }
    }

    @Test func oneAddressGuessingAtManyUsersIsThrottledToo() async throws {
        let address = ThrottlePolicy(maxFailures: 4, window: 600, lock: 60, maxLock: 600)
        let server = try await TestServer.make(configuration: ServerConfiguration(bcryptCost: 4, addressThrottle: address))
        try await server.run { api in
            var statuses: [Int] = []
            for user in ["rita", "tom", "tess", "peter", "sam"] {
                let reply = try await api.send(.post, "/api/v1/sessions", json: LoginRequest(username: user, password: "guess"))
                statuses.append(reply.status.code)
            }
            #expect(statuses == [401, 401, 401, 429, 429])
            let right = try await api.send(
                .post, "/api/v1/sessions", json: LoginRequest(username: "maria", password: TestServer.password))
            #expect(right.status == .tooManyRequests)
            #expect(right.headers[.retryAfter] != nil)
        }
    }

    @Test func aSuccessfulLoginDoesNotWipeTheAddressesFailedGuesses() async throws {
        let address = ThrottlePolicy(maxFailures: 4, window: 600, lock: 60, maxLock: 600)
        let server = try await TestServer.make(configuration: ServerConfiguration(bcryptCost: 4, addressThrottle: address))
        try await server.run { api in
            for user in ["rita", "tom", "tess"] {
                let reply = try await api.send(.post, "/api/v1/sessions", json: LoginRequest(username: user, password: "guess"))
                #expect(reply.status == .unauthorized)
            }
            _ = try await api.login("maria")  // the guesser's own account
            let fourth = try await api.send(.post, "/api/v1/sessions", json: LoginRequest(username: "peter", password: "guess"))
            #expect(fourth.status == .tooManyRequests)
        }
    }

    @Test func aTooOldDesktopProtocolGets426() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            var headers = HTTPFields()
            headers[HTTPField.Name(ProtocolVersion.header)!] = "0"
            let reply = try await api.send(.get, "/healthz", headers: headers)
            #expect(reply.status == .upgradeRequired)
            #expect(reply.text.contains("upgrade"))
            let current = try await api.send(.get, "/healthz")
            #expect(current.headers[HTTPField.Name(ProtocolVersion.header)!] == String(ProtocolVersion.current))
        }
    }
}

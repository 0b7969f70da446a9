import CRMDesktop
import CRMModel
import CRMSyncProtocol
import CRMTesting
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct ServerClientTests {
    @Test func passwordLoginWithDeviceGivesRefreshTokenThatLogsInAgain() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let client = ServerClient(baseURL: api.baseURL)
            try await client.checkServer()
            let first = try await client.login(LoginRequest(username: "maria", password: TestServer.password))
            #expect(first.user == "maria")
            #expect(first.refreshToken == nil)
            let device = try await client.registerDevice(name: "maria-laptop", token: first.token)
            #expect(device.user == "maria")
            #expect(device.name == "maria-laptop")

            let bound = try await client.login(
                LoginRequest(username: "maria", password: TestServer.password, device: device.id))
            #expect(bound.device == device.id)
            let refreshToken = try #require(bound.refreshToken)

            let refreshed = try await client.login(LoginRequest(device: device.id, refreshToken: refreshToken))
            #expect(refreshed.user == "maria")
            #expect(refreshed.device == device.id)
            #expect(!refreshed.token.isEmpty)
        }
    }

    @Test func packageOfTheRoleHasTheAccountType() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let client = ServerClient(baseURL: api.baseURL)
            let token = try await api.login("rita")
            let package = try await client.package(token: token)
            #expect(package.types["Account"] != nil)
        }
    }

    @Test func pushedAccountComesBackInThePullAndTheSyncLog() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let client = ServerClient(baseURL: api.baseURL)
            let (token, device) = try await Self.deviceLogin(client, user: "rita")
            let session = try await client.begin(
                SyncBeginRequest(device: device, timeZone: "Europe/Berlin"), token: token)

            let id = RecordID.make()
            let op = SyncOp(
                opId: RecordID.make(), kind: .create, type: "Account", id: id, fields: ["name": "Acme"],
                editedAt: Date())
            let pushed = try await client.push(SyncPushRequest(session: session.session, ops: [op]), token: token)
            #expect(pushed.results.map(\.status) == [.applied])

            var cursor: String?
            var upserts: [SyncUpsert] = []
            repeat {
                let page = try await client.pull(
                    SyncPullRequest(session: session.session, cursor: cursor), token: token)
                upserts += page.upserts
                cursor = page.cursor
                if !page.more { break }
            } while true
            let account = try #require(upserts.first { $0.record.id == id })
            #expect(account.record.fields["name"] == "Acme")

            let waited = try await client.wait(
                SyncWaitRequest(session: session.session, cursor: try #require(cursor), timeout: 0.2), token: token)
            _ = waited.changed

            let entry = try await client.end(
                SyncEndRequest(session: session.session, counts: SyncCounts(pulled: upserts.count, pushed: 1)),
                token: token)
            #expect(entry.session == session.session)
            #expect(entry.device == device)

            let log = try await client.syncSessions(token: token, limit: 10)
            #expect(log.sessions.map(\.session).contains(session.session))
            let record = try await client.record(type: "Account", id: id, token: token)
            #expect(record.fields["name"] == "Acme")
            #expect(try await client.conflicts(token: token).isEmpty)
        }
    }

    @Test func wrongPasswordIsRefusedWith401() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let client = ServerClient(baseURL: api.baseURL)
            let error = await #expect(throws: DesktopError.self) {
                try await client.login(LoginRequest(username: "maria", password: "wrong horse"))
            }
            #expect(error?.code == .refused)
            #expect(error?.status == 401)
            #expect(error?.serverCode == "unauthorized")
        }
    }

    @Test func unknownRecordIsRefusedWithTheServersCode() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let client = ServerClient(baseURL: api.baseURL)
            let token = try await api.login("rita")
            let error = await #expect(throws: DesktopError.self) {
                try await client.record(type: "Account", id: RecordID.make(), token: token)
            }
            #expect(error?.code == .refused)
            #expect(error?.status == 404)
            #expect(error?.serverCode == "not-found")
        }
    }

    @Test func closedPortIsUnreachable() async throws {
        let url = URL(string: "http://127.0.0.1:1")!
        let client = ServerClient(baseURL: url, timeout: .seconds(2))
        let error = await #expect(throws: DesktopError.self) { try await client.checkServer() }
        #expect(error?.code == .unreachable)
        #expect(error?.message == "cannot reach the CRM server at http://127.0.0.1:1: connection refused")
    }

    @Test func serverAnsweringHTMLIsNotACRMServer() async throws {
        let html = try FixedAnswerServer(status: "200 OK", body: "<html>hello</html>")
        defer { html.stop() }
        let client = ServerClient(baseURL: html.url, timeout: .seconds(10))

        let check = await #expect(throws: DesktopError.self) { try await client.checkServer() }
        #expect(check?.code == .badAnswer)
        #expect(check?.message.contains("is not a CRM server") == true)

        let login = await #expect(throws: DesktopError.self) {
            try await client.login(LoginRequest(username: "maria", password: "secret"))
        }
        #expect(login?.code == .badAnswer)
        #expect(login?.message.contains("POST /api/v1/sessions") == true)
        #expect(login?.message.contains("<html>hello</html>") == true)

        let missing = try FixedAnswerServer(status: "404 Not Found", body: "no such page")
        defer { missing.stop() }
        let refused = await #expect(throws: DesktopError.self) {
            try await ServerClient(baseURL: missing.url).package(token: "t")
        }
        #expect(refused?.code == .badAnswer)
        #expect(refused?.status == 404)
    }

    @Test func revokedDeviceIsAnsweredRevoked() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let client = ServerClient(baseURL: api.baseURL)
            let (token, device) = try await Self.deviceLogin(client, user: "tess")
            let admin = try await api.login("ada")
            let reply = try await api.send(.delete, "/api/v1/devices/\(device)", token: admin)
            #expect(reply.status.code == 200)

            let error = await #expect(throws: DesktopError.self) {
                try await client.begin(SyncBeginRequest(device: device, timeZone: "UTC"), token: token)
            }
            #expect(error?.code == .revoked)
            #expect(error?.serverCode == "revoked")
        }
    }

    /// Logs `user` in, registers a device and logs in again bound to it: the device's token and id.
    static func deviceLogin(_ client: ServerClient, user: String) async throws -> (token: String, device: String) {
        let login = try await client.login(LoginRequest(username: user, password: TestServer.password))
        let device = try await client.registerDevice(name: "\(user)-desktop", token: login.token)
        let bound = try await client.login(
            LoginRequest(username: user, password: TestServer.password, device: device.id))
        return (bound.token, device.id)
    }
}

/// A loopback TCP server that answers every request with one fixed HTTP response, such as a web page: what a
/// mistyped server address leads to.
struct FixedAnswerServer: Sendable {
    let listener: Int32
    let port: Int

    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }

    init(status: String, body: String) throws {
        #if os(Linux)
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let listener = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard listener >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(listener, address, length) == 0 && listen(listener, 16) == 0
                    && getsockname(listener, address, &length) == 0
            }
        }
        guard bound else {
            close(listener)
            throw POSIXError(.EADDRNOTAVAIL)
        }
        self.listener = listener
        self.port = Int(UInt16(bigEndian: address.sin_port))
        let answer = Array(
            ("HTTP/1.1 \(status)\r\nContent-Type: text/html\r\nContent-Length: \(body.utf8.count)\r\n"
                + "Connection: close\r\n\r\n\(body)").utf8)
        Thread.detachNewThread {
            while true {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { return }
                Self.answer(connection, with: answer)
            }
        }
    }

    /// Reads the request head, writes the answer, and closes once the client has closed its side.
    private static func answer(_ connection: Int32, with answer: [UInt8]) {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: request, as: UTF8.self).contains("\r\n\r\n") {
            let count = read(connection, &buffer, buffer.count)
            guard count > 0 else { break }
            request += buffer[0..<count]
        }
        _ = answer.withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
        shutdown(connection, Int32(SHUT_WR))
        while read(connection, &buffer, buffer.count) > 0 {}
        close(connection)
    }

    /// Stops accepting connections.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}

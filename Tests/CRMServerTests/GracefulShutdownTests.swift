import CRMModel
import CRMSyncProtocol
import CRMTesting
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// SIGTERM to a real `crm-server serve` (what systemd sends on stop): a push in flight is answered and its
/// write is there after a restart, a long-poll is answered promptly, and the process exits 0.
@Suite struct GracefulShutdownTests {
    @Test func sigtermAnswersTheInFlightPushAndTheLongPollThenExitsZero() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try await TestDatabase.make(in: directory)
        defer { database.remove() }
        // Rita pushes; Tom, a rep who does not see her records, waits: only the shutdown can end his wait early.
        for user in ["rita", "tom"] {
            let add = try await ProcessRunner.run(
                "crm-server",
                ["user", "add", user, "--role", "sales-rep", "--password-stdin", "--bcrypt-cost", "4", "--database",
                    database.argument], stdin: "\(user)-password\n")
            #expect(add.status == 0, "\(add.error)")
        }
        let server = try await Self.serve(database, in: directory)
        let api = ProcessAPI(base: server.url)
        let (token, session, _) = try await api.syncedDevice("rita")
        let (waiter, waiterSession, cursor) = try await api.syncedDevice("tom")

        let clock = ContinuousClock()
        let waiting = Task {
            let reply = try await api.call(
                .post, "/api/v1/sync/wait", token: waiter,
                SyncWaitRequest(session: waiterSession, cursor: cursor, timeout: 50))
            return (reply, clock.now)
        }
        // A push big enough to be still running when the signal comes, even on a fast machine.
        let ops = (0..<3000).map { index in
            SyncOp(
                opId: "shutdown-\(index)", kind: .create, type: "Account", id: RecordID.make(),
                fields: ["name": .string("Shutdown \(index)")], editedAt: Date())
        }
        let pushing = Task {
            let reply = try await api.call(
                .post, "/api/v1/sync/push", token: token, SyncPushRequest(session: session, ops: ops))
            return (reply, clock.now)
        }
        // The signal goes once the server is answering both (and this scrape): a request still on its way
        // when the server stops listening would be refused, which is not what this test is about.
        for _ in 0..<300 {
            let scrape = try await api.call(.get, "/metrics", nil as String?)
            if MetricsScrape(scrape.text).value("crm_http_requests_in_flight") >= 3 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let signalled = clock.now
        server.process.terminate()

        let (pushed, pushAnswered) = try await pushing.value
        #expect(pushed.status == 200, "\(pushed.text)")
        let results = try pushed.decode(SyncPushResponse.self).results
        #expect(results.count == 3000 && results.allSatisfy { $0.status == .applied })
        let (waited, waitAnswered) = try await waiting.value
        #expect(waited.status == 200, "\(waited.text)")
        #expect(try waited.decode(SyncWaitResponse.self).changed == false)
        // Its own re-check is a minute away (--wait-recheck 60): the shutdown itself woke it.
        #expect(waitAnswered - signalled < .seconds(5), "the long-poll held the shutdown")
        try await ProcessRunner.offPool { server.process.waitUntilExit() }
        #expect(server.process.terminationReason == .exit)
        #expect(server.process.terminationStatus == 0)
        #expect(pushAnswered > signalled, "the push was answered before the signal: it was not in flight")

        let again = try await Self.serve(database, in: directory)
        defer {
            again.process.terminate()
            again.process.waitUntilExit()
        }
        let after = ProcessAPI(base: again.url)
        let rita = try await after.login("rita", "rita-password")
        var (count, next): (Int, String?) = (0, nil)
        repeat {
            let cursor = next.flatMap { $0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) }
            let page = try await after.call(
                .get, "/api/v1/records/Account?limit=1000" + (cursor.map { "&cursor=" + $0 } ?? ""), token: rita,
                nil as String?
            ).decode(RecordList.self)
            (count, next) = (count + page.records.count, page.nextCursor)
        } while next != nil
        #expect(count == 3000)
    }

    /// `crm-server serve` on a free port of `database`, once it answers `/readyz`.
    static func serve(_ database: TestDatabase, in directory: TemporaryDirectory) async throws
        -> (process: ChildProcess, url: String)
    {
        for _ in 0..<5 {
            let port = try LoopbackPort.free()
            let (process, _) = try ChildProcess.spawn(
                CommandTests.binary.path,
                ["serve", "--database", database.argument, "--port", String(port), "--wait-recheck", "60", "--max-push-ops", "3000", "--max-body-bytes", "4194304",
                    "--bcrypt-cost", "4"],
                directory: directory.url.path, error: .file(directory.path("serve.log")))
            let url = "http://127.0.0.1:\(port)"
            for _ in 0..<150 {
                try await Task.sleep(for: .milliseconds(100))
                let reply = try? await URLSession.shared.data(from: URL(string: url + "/readyz")!)
                if (reply?.1 as? HTTPURLResponse)?.statusCode == 200 { return (process, url) }
            }
            process.terminate()
            process.waitUntilExit()
        }
        throw TestAPIError.refused(0, "crm-server serve did not become ready")
    }
}

/// Requests to a `crm-server` process over loopback HTTP (URLSession).
struct ProcessAPI: Sendable {
    let base: String

    struct Reply: Sendable {
        let status: Int
        let data: Data
        var text: String { String(decoding: data, as: UTF8.self) }

        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            guard status / 100 == 2 else { throw TestAPIError.refused(status, text) }
            return try CRMJSON.decoder().decode(type, from: data)
        }
    }

    enum Method: String { case get = "GET", post = "POST" }

    func call<T: Encodable>(_ method: Method, _ path: String, token: String? = nil, _ body: T?) async throws -> Reply {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method.rawValue
        request.timeoutInterval = 120
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = try CRMJSON.encoder().encode(body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return Reply(status: (response as? HTTPURLResponse)?.statusCode ?? 0, data: data)
    }

    /// Logs `user` in (password `USER-password`), registers a device, begins a session and pulls everything:
    /// the token, the session and the last cursor.
    func syncedDevice(_ user: String) async throws -> (token: String, session: String, cursor: String) {
        let token = try await login(user, "\(user)-password")
        let device = try await call(.post, "/api/v1/devices", token: token, DeviceRegistration(name: "laptop"))
            .decode(Device.self)
        let begun = try await call(
            .post, "/api/v1/sync/begin", token: token, SyncBeginRequest(device: device.id, timeZone: "UTC"))
            .decode(SyncBeginResponse.self)
        var cursor: String?
        var more = true
        while more {
            let page = try await call(
                .post, "/api/v1/sync/pull", token: token, SyncPullRequest(session: begun.session, cursor: cursor))
                .decode(SyncPage.self)
            (cursor, more) = (page.cursor, page.more)
        }
        return (token, begun.session, cursor ?? "")
    }

    func login(_ user: String, _ password: String) async throws -> String {
        try await call(.post, "/api/v1/sessions", LoginRequest(username: user, password: password))
            .decode(LoginResponse.self).token
    }
}

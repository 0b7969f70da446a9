import AsyncHTTPClient
import CRMDesktop
import CRMServer
import CRMTesting
import Foundation
import NIOCore
import Synchronization
import Testing

/// Load shedding as a desktop meets it: past the bound of sync requests served at once the server answers 503
/// with `Retry-After` at once, past a user's request rate 429, and the desktop waits, says so, and completes.
@Suite("Load shedding")
struct LoadSheddingTests {
    /// The lines a desktop's `BusyRetry` reported; `onFirst` runs once, at the first.
    final class Reports: Sendable {
        private let lines = Mutex<[String]>([])
        private let onFirst: Mutex<(@Sendable () -> Void)?>

        init(onFirst: (@Sendable () -> Void)? = nil) { self.onFirst = Mutex(onFirst) }

        var all: [String] { lines.withLock { $0 } }

        func add(_ line: String) {
            lines.withLock { $0.append(line) }
            onFirst.withLock { action in
                action?()
                action = nil
            }
        }
    }

    static func desktop(_ fixture: DesktopFixture, reports: Reports) throws -> Desktop {
        Desktop(
            home: fixture.home, settings: fixture.settings, replica: fixture.replica,
            connection: try ServerConnection(
                home: fixture.home, settings: fixture.settings,
                busyRetry: BusyRetry(report: { reports.add($0) })))
    }

    @Test func syncRequestsPastTheBoundGet503WithRetryAfterAndTheDesktopCompletesAfterBackingOff() async throws {
        var configuration = ServerConfiguration(bcryptCost: 4)
        configuration.load = LoadLimits(maxSyncRequests: 1, retryAfter: 1)
        let server = try await TestServer.make(configuration: configuration)
        try await server.run { api in
            let rita = try await api.login("rita")
            _ = try await api.create("Account", ["name": "Acme"], token: rita)
            let fixture = try await DesktopFixture.make(api, user: "rita")

            // A push whose body has not arrived holds the one sync slot until the test sends it.
            let (body, sender) = AsyncStream<ByteBuffer>.makeStream()
            var request = HTTPClientRequest(url: api.baseURL.absoluteString + "/api/v1/sync/push")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(rita)")
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .stream(body, length: .known(Int64(2)))
            let held = Task { try await HTTPClient.shared.execute(request, timeout: .seconds(30)).status.code }
            let released = Mutex(false)
            let release: @Sendable () -> Void = {
                guard released.withLock({ let was = $0; $0 = true; return !was }) else { return }
                sender.yield(ByteBuffer(string: "{}"))
                sender.finish()
            }

            // Whatever happens below, the held request is let go before the server stops: a server stopping with
            // a request whose body never comes does not shut down cleanly.
            do {
                var shed: TestAPI.Reply?
                for _ in 0..<100 {
                    let reply = try await api.send(.post, "/api/v1/sync/begin", token: rita, body: "{}")
                    if reply.status.code == 503 {
                        shed = reply
                        break
                    }
                    try await Task.sleep(for: .milliseconds(50))
                }
                let refused = try #require(shed, "no sync request was shed while the slot was held")
                #expect(refused.errorCode == "overloaded")
                #expect(refused.headers[.retryAfter] == "1")
                // Requests outside sync are not in that bound.
                #expect(try await api.send(.get, "/api/v1/package", token: rita).status == .ok)

                // The desktop is refused too, says it waits, and completes once the slot is free.
                let reports = Reports(onFirst: release)
                let receipt = try await Self.desktop(fixture, reports: reports).engine().run()
                #expect(receipt.outcome == .success)
                #expect(try fixture.records("Account").count == 1)
                #expect(reports.all.first?.hasPrefix("server busy, retrying in ") == true, "\(reports.all)")
            } catch {
                release()
                held.cancel()
                _ = try? await held.value
                throw error
            }
            release()
            _ = try? await held.value
        }
    }

    @Test func aUserPastTheRateGets429WithRetryAfterAndOthersDoNot() async throws {
        var configuration = ServerConfiguration(bcryptCost: 4)
        // A token every 100 s: however slow the machine, the sixth request of a burst of five is refused.
        configuration.load = LoadLimits(userRequestsPerSecond: 0.01, userBurst: 5)
        let server = try await TestServer.make(configuration: configuration)
        try await server.run { api in
            let tom = try await api.login("tom")
            let tess = try await api.login("tess")
            var statuses: [Int] = []
            for _ in 0..<6 { statuses.append(Int(try await api.send(.get, "/api/v1/package", token: tom).status.code)) }
            #expect(statuses == [200, 200, 200, 200, 200, 429], "\(statuses)")
            let limited = try await api.send(.get, "/api/v1/package", token: tom)
            #expect(limited.status.code == 429)
            #expect(limited.errorCode == "rate-limited")
            #expect((1...100).contains(Int(limited.headers[.retryAfter] ?? "") ?? 0), "\(limited.headers)")
            #expect(try await api.send(.get, "/api/v1/package", token: tess).status == .ok)
        }
    }

    @Test func aDesktopPastItsRateBacksOffAndCompletes() async throws {
        var configuration = ServerConfiguration(bcryptCost: 4)
        // One request at a time, one every four seconds: a sync's requests come closer than that, even on a
        // loaded machine.
        configuration.load = LoadLimits(userRequestsPerSecond: 0.25, userBurst: 1)
        let server = try await TestServer.make(configuration: configuration)
        try await server.run { api in
            let fixture = try await DesktopFixture.make(api, user: "rita")
            let reports = Reports()
            let receipt = try await Self.desktop(fixture, reports: reports).engine().run()
            #expect(receipt.outcome == .success)
            #expect(!reports.all.isEmpty && reports.all.allSatisfy { $0.contains("too many requests") }, "\(reports.all)")
        }
    }
}

import CRMModel
import CRMServer
import CRMStore
import CRMSyncProtocol
import CRMTesting
import Foundation
import HTTPTypes
import Testing

/// `GET /metrics`: what an administrator's Prometheus reads, scraped over real HTTP before and after requests,
/// logins and sync sessions happen.
@Suite struct MetricsTests {
    typealias Name = ServerMetrics.Name

    @Test func requestLoginAndSyncMetricsChangeAsTheyHappen() async throws {
        var configuration = ServerConfiguration(bcryptCost: 4, throttle: ThrottlePolicy(maxFailures: 2))
        configuration.sync.waitRecheck = 60
        try await TestServer.make(configuration: configuration).run { api in
            let before = try await MetricsScrape.scrape(api)
            #expect(before.has(Name.waiting) && before.has(Name.syncSessions) && before.has(Name.loginFailures))

            // Wrong passwords: 401 until the user is locked out, then 429.
            var refused: [Int] = []
            for _ in 1...3 {
                let wrong = LoginRequest(username: "peter", password: "not his password")
                refused.append(try await api.send(.post, "/api/v1/sessions", json: wrong).status.code)
            }
            let token = try await api.login("rita")
            _ = try await api.create("Account", ["name": "Metrics Ltd"], token: token)
            var desktop = try await TestDesktop.connect(api, "rita")
            try await desktop.begin()
            try await desktop.pullAll()
            let results = try await desktop.push([.create("Account", ["name": "Pushed Ltd"])])
            #expect(results.map(\.status) == [.applied])
            try await desktop.pullAll()

            // A long-poll counts as waiting while it waits, and no longer once a change wakes it.
            let port = try #require(api.client.port)
            let waiter = desktop
            let waiting = Task { try await SyncWaitAndLogTests.waitOnItsOwnConnection(port: port, waiter, timeout: 60) }
            var during = try await MetricsScrape.scrape(api)
            for _ in 0..<100 where during.value(Name.waiting) < 1 {
                try await Task.sleep(for: .milliseconds(50))
                during = try await MetricsScrape.scrape(api)
            }
            #expect(during.value(Name.waiting) == 1)
            #expect(during.value(Name.inFlight) == 2, "the long-poll and this scrape")
            _ = try await api.create("Account", ["name": "Wakes the waiter"], token: token)
            #expect(try await waiting.value.changed)
            try await desktop.pullAll()
            try await desktop.end(SyncCounts(pulled: 3, pushed: 1), errors: ["a record the device could not store"])

            let after = try await MetricsScrape.scrape(api)
            #expect(after.value(Name.waiting) == 0)
            #expect(after.value(Name.inFlight) == 1, "this scrape")
            let logins = ["route": "/api/v1/sessions", "method": "POST"]
            #expect(
                after.value(Name.requests, logins.merging(["status": "401"]) { $1 })
                    == Double(refused.filter { $0 == 401 }.count))
            #expect(
                after.value(Name.requests, logins.merging(["status": "429"]) { $1 })
                    == Double(refused.filter { $0 == 429 }.count))
            #expect(refused.contains(401) && refused.contains(429), "\(refused)")
            let (unauthorized, throttled) = (refused.filter { $0 == 401 }.count, refused.filter { $0 == 429 }.count)
            #expect(after.value(Name.loginFailures) - before.value(Name.loginFailures) == Double(unauthorized))
            #expect(after.value(Name.loginThrottled) - before.value(Name.loginThrottled) == Double(throttled))
            // Routes are patterns, not paths: one series for every record id.
            let creates = ["route": "/api/v1/records/{type}", "method": "POST", "status": "201"]
            #expect(after.value(Name.requests, creates) == 2)
            #expect(!after.samples.contains { $0.labels["route"]?.contains("Account") == true })
            #expect(after.value(Name.requestSeconds + "_count", ["route": "/api/v1/sync/pull"]) >= 3)
            #expect(after.value(Name.requestSeconds + "_bucket", ["route": "/api/v1/sync/pull", "le": "+Inf"]) >= 3)

            #expect(after.value(Name.syncSessions, ["event": "begun"]) == 1)
            #expect(after.value(Name.syncSessions, ["event": "ended"]) == 1)
            #expect(after.value(Name.syncSessions, ["event": "failed"]) == 1)
            // The account made over REST, then the pushed one coming back with its server version, then the one
            // that woke the waiter.
            #expect(after.value(Name.recordsPulled) >= 2)
            #expect(after.value(Name.opsPushed) == 1)
            #expect(after.value(Name.ops, ["result": "applied"]) == 1)
            #expect(after.value(Name.storeCallSeconds + "_count", ["call": "push"]) == 1)
            #expect(after.value(Name.storeCallSeconds + "_count", ["call": "requestFacts"]) >= 8)
        }
    }

    @Test func metricsOutsideTheAllowedNetworksNeedAnAdminSession() async throws {
        var configuration = ServerConfiguration(bcryptCost: 4)
        configuration.metricsNetworks = [try NetworkRange("10.0.0.0/8")]
        try await TestServer.make(configuration: configuration).run { api in
            let anonymous = try await api.send(.get, "/metrics")
            #expect(anonymous.status == .forbidden, "\(anonymous.text)")
            #expect(anonymous.errorCode == "forbidden")
            let rep = try await api.send(.get, "/metrics", token: try await api.login("rita"))
            #expect(rep.status == .forbidden, "\(rep.text)")
            let admin = try await api.send(.get, "/metrics", token: try await api.login("ada"))
            #expect(admin.status == .ok, "\(admin.text)")
            #expect(admin.headers[.contentType]?.hasPrefix("text/plain") == true)
            // The refusals were counted like any request.
            #expect(MetricsScrape(admin.text).value(Name.requests, ["route": "/metrics", "status": "403"]) == 2)
        }
    }

    @Test func serveRefusesAMetricsNetworkItCannotReadNamingTheFlag() async throws {
        let run = try await ProcessRunner.run(
            "crm-server", ["serve", "--metrics-allow", "10.0.0.0/8,office"])
        #expect(run.status != 0)
        #expect(run.error.contains("--metrics-allow") && run.error.contains("'office'"), "\(run.error)")
    }

    @Test func networkRangesMatchTheirAddressesOnly() throws {
        let office = try NetworkRange("10.1.0.0/16")
        #expect(office.contains("10.1.200.3"))
        #expect(!office.contains("10.2.0.1"))
        #expect(office.contains("::ffff:10.1.0.9"))
        #expect(!office.contains("fe80::1"))
        let odd = try NetworkRange("192.168.1.128/25")
        #expect(odd.contains("192.168.1.200") && !odd.contains("192.168.1.127"))
        #expect(NetworkRange.loopback.contains { $0.contains("127.0.0.1") })
        #expect(NetworkRange.loopback.contains { $0.contains("::1") })
        #expect(!NetworkRange.loopback.contains { $0.contains("192.0.2.1") })
        #expect(try NetworkRange("2001:db8::/32").contains("2001:db8:1::5"))
        #expect(try NetworkRange("203.0.113.7").contains("203.0.113.7"))
        #expect(throws: NetworkRangeError.self) { try NetworkRange("10.0.0.0/33") }
        #expect(throws: NetworkRangeError.self) { try NetworkRange("office") }
    }
}

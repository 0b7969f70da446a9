import CRMDesktop
import CRMServer
import CRMTesting
import Foundation
import Testing

/// Quiet hours set with `crm-server quiet-hours` while the server runs: a sync of the filter they name is answered
/// 503 `quiet-hours` with `Retry-After` at the window's end, other filters go on, and a desktop comes back then.
@Suite("Quiet hours")
struct QuietHoursTests {
    /// `HH:MM:SS` in UTC, `offset` seconds from now.
    static func time(_ offset: TimeInterval) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: Date().addingTimeInterval(offset))
    }

    @Test func aSyncInsideTheWindowOfItsFilterWaitsUntilItsEndAndOthersDoNot() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let desktop = try await DesktopFixture.make(api, user: "rita")
            try await desktop.sync()
            let filter = try #require(try desktop.replica.filter().name)
            let database = ["--database", server.databaseArgument]

            // A window of another filter delays nothing here.
            let other = try await ProcessRunner.run(
                "crm-server", ["quiet-hours", "set", "--filter", "no-such-filter", "--from", Self.time(-60), "--to",
                    Self.time(600)] + database)
            #expect(other.status == 0, "\(other.error)")
            let quick = LoadSheddingTests.Reports()
            _ = try await LoadSheddingTests.desktop(desktop, reports: quick).engine().run()
            #expect(quick.all.isEmpty, "\(quick.all)")

            // A short window on the desktop's filter: the desktop is told when it ends, waits, and syncs then.
            // (Set through the library: a command's start-up on a loaded machine could outlast the window.)
            try await QuietHours(store: server.store).set(
                QuietWindow(filter: filter, start: Self.time(-60), end: Self.time(10)))
            let reports = LoadSheddingTests.Reports()
            let started = ContinuousClock.now
            let receipt = try await LoadSheddingTests.desktop(desktop, reports: reports).engine().run()
            #expect(receipt.outcome == .success)
            #expect(reports.all.first?.hasPrefix("quiet hours on the server, retrying in ") == true, "\(reports.all)")
            #expect(started.duration(to: .now) >= .seconds(1))

            // A long one: the answer names its end, and one sync reports it instead of waiting that long.
            _ = try await ProcessRunner.run(
                "crm-server", ["quiet-hours", "set", "--filter", filter, "--from", Self.time(-60), "--to", Self.time(600)]
                    + database)
            let list = try await ProcessRunner.run("crm-server", ["quiet-hours", "list"] + database)
            #expect(list.output.contains(filter) && list.output.contains("no-such-filter"), "\(list.output)")
            let probe = try await TestDesktop.connect(api, "rita", name: "probe")
            let refused = try await probe.beginReply(filter: filter)
            #expect(refused.status.code == 503)
            #expect(refused.errorCode == "quiet-hours")
            let wait = Int(refused.headers[.retryAfter] ?? "") ?? 0
            #expect((500...601).contains(wait), "Retry-After \(wait)")
            let error = try await #require(throws: DesktopError.self) { try await desktop.sync() }
            #expect(error.isQuietHours && (error.retryAfter ?? 0) > 120, "\(error)")

            let cleared = try await ProcessRunner.run("crm-server", ["quiet-hours", "clear", "--all"] + database)
            #expect(cleared.status == 0, "\(cleared.error)")
            #expect(try await probe.beginReply(filter: filter).status.code == 201)
        }
    }

    @Test func aWindowOverMidnightHoldsBothSidesAndEndsTheNextMorning() throws {
        let window = try QuietWindow(filter: nil, start: "22:00", end: "06:00", timeZone: "Europe/Berlin")
        let late = try #require(ISO8601DateFormatter().date(from: "2026-12-01T22:30:00Z"))  // 23:30 in Berlin
        #expect(window.end(containing: late) == ISO8601DateFormatter().date(from: "2026-12-02T05:00:00Z"))
        let early = try #require(ISO8601DateFormatter().date(from: "2026-12-02T03:00:00Z"))  // 04:00 in Berlin
        #expect(window.end(containing: early) == ISO8601DateFormatter().date(from: "2026-12-02T05:00:00Z"))
        let noon = try #require(ISO8601DateFormatter().date(from: "2026-12-02T11:00:00Z"))
        #expect(window.end(containing: noon) == nil)
        #expect(throws: QuietHoursError.self) { try QuietWindow(filter: nil, start: "25:00", end: "06:00") }
        #expect(throws: QuietHoursError.self) { try QuietWindow(filter: nil, start: "22:00", end: "06:00", timeZone: "Mars/Base") }
    }
}

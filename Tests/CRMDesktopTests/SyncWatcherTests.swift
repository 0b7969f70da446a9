import CRMDesktop
import CRMModel
import CRMServer
import CRMSyncProtocol
import CRMTesting
import Foundation
import Testing

@Suite("Watch")
struct SyncWatcherTests {
    /// Waits (polling) until `condition` holds, up to `seconds`; the time is a bound, not a measurement.
    func eventually(_ seconds: Double = 40, _ condition: () throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try condition()
    }

    @Test func aWatchingDesktopGetsChangesFromElsewhereAndSendsItsOwnWithoutWaitingForTheInterval() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let fixture = try await DesktopFixture.make(api, user: "rita")
            let desktop = try Desktop.open(home: fixture.home)
            let receipts = ReceiptBox()
            var watcher = SyncWatcher(
                desktop: desktop, interval: .seconds(300), onReceipt: { receipts.add($0) }, onError: { _ in })
            // Short polls, so the test server's shutdown does not wait out a long one the client left.
            watcher.pollTimeout = 2
            let task = Task { try await watcher.run() }
            defer { task.cancel() }
            #expect(try await eventually { receipts.count >= 1 })

            let rita = try await api.login("rita")
            let made = try await api.create("Account", ["name": "Made Elsewhere"], token: rita)
            #expect(try await eventually { try fixture.record(made.id) != nil })

            let mine = try fixture.editor().create(type: "Account", fields: ["name": "Made Here"])
            #expect(try await eventually { try fixture.record(mine.id)?.serverVersion == 1 })
            let onServer = try await api.send(.get, "/api/v1/records/Account/\(mine.id)", token: rita)
            #expect(onServer.status == .ok)
            task.cancel()
            _ = await task.result
        }
    }
}

extension SyncWatcherTests {
    @Test func aSyncByHandWhileTheWatchWaitsNeitherFailsNorStopsTheWatch() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let fixture = try await DesktopFixture.make(api, user: "rita")
            let desktop = try Desktop.open(home: fixture.home)
            let receipts = ReceiptBox()
            let errors = ReceiptBox()
            var watcher = SyncWatcher(
                desktop: desktop, interval: .seconds(300), onReceipt: { receipts.add($0) },
                onError: { _ in errors.add(SyncReceipt(startedAt: Date(), endedAt: Date(), outcome: .failed, counts: .init())) })
            watcher.pollTimeout = 2
            let task = Task { try await watcher.run() }
            defer { task.cancel() }
            #expect(try await eventually { receipts.count >= 1 })
            try await Task.sleep(for: .milliseconds(300))

            let byHand = try await fixture.sync()
            #expect(byHand.outcome == .success)
            let rita = try await api.login("rita")
            let made = try await api.create("Account", ["name": "After The Hand Sync"], token: rita)
            #expect(try await eventually { try fixture.record(made.id) != nil })
            #expect(errors.count == 0)
            task.cancel()
            _ = await task.result
        }
    }
}

extension SyncWatcherTests {
    /// Changes that keep coming (a manager's desktop sees every edit of the team) are gathered into syncs at
    /// least `minimumGap` apart, instead of a sync each; every change still arrives.
    @Test func changesArrivingFasterThanTheGapAreGatheredIntoFewerSyncs() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let fixture = try await DesktopFixture.make(api, user: "rita")
            let desktop = try Desktop.open(home: fixture.home)
            let receipts = ReceiptBox()
            var watcher = SyncWatcher(
                desktop: desktop, interval: .seconds(300), onReceipt: { receipts.add($0) }, onError: { _ in })
            watcher.pollTimeout = 2
            watcher.minimumGap = .seconds(1)
            let task = Task { try await watcher.run() }
            defer { task.cancel() }
            #expect(try await eventually { receipts.count >= 1 })

            let rita = try await api.login("rita")
            var made: [String] = []
            let burstStart = Date()
            for index in 0..<10 {
                made.append(try await api.create("Account", ["name": .string("Burst \(index)")], token: rita).id)
                try await Task.sleep(for: .milliseconds(100))
            }
            let burst = Date().timeIntervalSince(burstStart)
            #expect(try await eventually { try made.allSatisfy { try fixture.record($0) != nil } })
            task.cancel()
            _ = await task.result
            let starts = receipts.all.map(\.startedAt)
            for (earlier, later) in zip(starts, starts.dropFirst()) {
                // The receipts are stamped inside the sync, a few milliseconds after the watcher starts it (more on a
                // loaded machine); without the gap they come about 0.1 s apart.
                #expect(later.timeIntervalSince(earlier) >= 0.9, "syncs started \(later.timeIntervalSince(earlier)) s apart")
            }
            // The first sync, one a second while the burst lasts (about a second, longer on a loaded machine),
            // and the one that brings its tail; without the gap, a sync each.
            let bound = 3 + Int(burst.rounded(.up))
            #expect(starts.count <= bound, "\(starts.count) syncs for a burst of 10 changes in \(burst) s")
        }
    }
}

extension SyncWatcherTests {
    /// A long-poll woken by a change brings it in the long-poll's own session: the server is not asked to end
    /// the wait's session, begin another, end that and begin the next wait's for every change that arrives.
    @Test func aWokenDesktopBringsChangesInItsLongPollsSession() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let fixture = try await DesktopFixture.make(api, user: "rita")
            let desktop = try Desktop.open(home: fixture.home)
            let receipts = ReceiptBox()
            var watcher = SyncWatcher(
                desktop: desktop, interval: .seconds(300), onReceipt: { receipts.add($0) }, onError: { _ in })
            watcher.pollTimeout = 2
            let task = Task { try await watcher.run() }
            defer { task.cancel() }
            #expect(try await eventually { receipts.count >= 1 })

            let rita = try await api.login("rita")
            for index in 0..<3 {
                let made = try await api.create("Account", ["name": .string("Woken \(index)")], token: rita)
                #expect(try await eventually { try fixture.record(made.id) != nil })
                try await Task.sleep(for: .milliseconds(400))
            }
            task.cancel()
            _ = await task.result
            let all = receipts.all
            let woken = all.dropFirst()
            #expect(woken.count >= 3)
            #expect(woken.allSatisfy { $0.outcome == .success })
            // One long-poll session, begun after the whole sync, carried every change.
            #expect(Set(woken.compactMap(\.session)).count == 1)
            #expect(woken.first?.session != all.first?.session)
            #expect(woken.map(\.counts.pulled).reduce(0, +) >= 3)
        }
    }

    /// Woken pulls do not stand in for the whole sync: it still comes every interval, in a session of its own.
    @Test func theWholeSyncStillComesEveryInterval() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let fixture = try await DesktopFixture.make(api, user: "rita")
            let desktop = try Desktop.open(home: fixture.home)
            let receipts = ReceiptBox()
            var watcher = SyncWatcher(
                desktop: desktop, interval: .seconds(2), onReceipt: { receipts.add($0) }, onError: { _ in })
            watcher.pollTimeout = 1
            let task = Task { try await watcher.run() }
            defer { task.cancel() }
            #expect(try await eventually { receipts.count >= 3 })
            task.cancel()
            _ = await task.result
            let sessions = receipts.all.compactMap(\.session)
            #expect(Set(sessions).count == sessions.count, "each whole sync has a session of its own")
        }
    }
}

/// Receipts collected from the watcher's callback.
final class ReceiptBox: @unchecked Sendable {
    // Guarded by `lock`: the watcher calls back from its own task while the test reads.
    private let lock = NSLock()
    private var receipts: [SyncReceipt] = []

    func add(_ receipt: SyncReceipt) { lock.withLock { receipts.append(receipt) } }
    var count: Int { lock.withLock { receipts.count } }
    var all: [SyncReceipt] { lock.withLock { receipts } }
}

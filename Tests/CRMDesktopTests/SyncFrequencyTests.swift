import CRMDesktop
import CRMModel
import CRMServer
import CRMSyncProtocol
import CRMTesting
import Foundation
import Testing

/// A type with `syncEvery` in the package is checked by watch and scheduled syncs only when due: its changes
/// wait on the server, and the first sync that checks it again brings every one of them; a sync by hand checks
/// every type.
@Suite("Per-type sync frequency")
struct SyncFrequencyTests {
    /// The default package, version 2, with accounts checked hourly.
    static func publishHourlyAccounts(_ server: TestServer) async throws {
        let yaml = try DefaultPackage.yaml().replacingOccurrences(of: "\nversion: 1\n", with: "\nversion: 2\n")
            .replacingOccurrences(
                of: "  Account:\n    label: Account\n", with: "  Account:\n    label: Account\n    syncEvery: 1h\n")
        _ = try await PackageService(store: server.store).publish(yaml: yaml, file: "hourly-accounts.yaml")
    }

    @Test func aTypeNotDueWaitsAndTheSyncThatChecksItAgainBringsEveryChangeItMissed() async throws {
        let server = try await TestServer.make()
        try await Self.publishHourlyAccounts(server)
        try await server.run { api in
            let rita = try await api.login("rita")
            let kept = try await api.create("Account", ["name": "Kept"], token: rita)
            let deleted = try await api.create("Account", ["name": "Deleted Meanwhile"], token: rita)
            let laptop = try await DesktopFixture.make(api, user: "rita")
            try await laptop.sync()
            #expect(try laptop.replica.typesChecked()["Account"] != nil)
            let watching = try laptop.desktop.engine(.init(honourFrequency: true))

            let oslo = try await api.send(
                .patch, "/api/v1/records/Account/\(kept.id)", token: rita, body: #"{"fields":{"city":"Oslo"}}"#,
                headers: [.ifMatch: "\"1\""])
            #expect(oslo.status == .ok, "\(oslo.text)")
            _ = try await api.send(.delete, "/api/v1/records/Account/\(deleted.id)", token: rita)
            let added = try await api.create("Account", ["name": "Added Meanwhile"], token: rita)
            let contact = try await api.create("Contact", ["lastName": "Due Every Sync"], token: rita)

            let passedOver = try await watching.run()
            #expect(passedOver.deferred == ["Account"], "\(passedOver.line)")
            #expect(passedOver.line.contains("not checked yet: Account"))
            #expect(try laptop.record(contact.id) != nil, "contacts have no interval: checked every time")
            #expect(try laptop.record(added.id) == nil)
            #expect(try laptop.record(kept.id)?.fields["city"] == nil)
            #expect(try laptop.record(deleted.id) != nil)
            #expect(try laptop.desktop.status().frequency.entries.first?.isDue(at: Date()) == false)

            // An hour later the type is due: the sync re-evaluates accounts and brings all it missed.
            try laptop.replica.setChecked(["Account"], at: Date().addingTimeInterval(-3601))
            let due = try await watching.run()
            #expect(due.deferred == nil, "\(due.line)")
            #expect(try laptop.record(added.id) != nil)
            #expect(try laptop.record(kept.id)?.fields["city"] == "Oslo")
            #expect(try laptop.record(deleted.id) == nil)
            #expect(try laptop.record(contact.id) != nil)

            // A sync by hand checks every type, due or not.
            let bergen = try await api.send(
                .patch, "/api/v1/records/Account/\(kept.id)", token: rita, body: #"{"fields":{"city":"Bergen"}}"#,
                headers: [.ifMatch: "\"2\""])
            #expect(bergen.status == .ok, "\(bergen.text)")
            #expect(try await watching.run().deferred == ["Account"])
            #expect(try laptop.record(kept.id)?.fields["city"] == "Oslo")
            let byHand = try await laptop.sync()
            #expect(byHand.deferred == nil)
            #expect(try laptop.record(kept.id)?.fields["city"] == "Bergen")

            // The replica ends as a fresh one of the same user.
            let fresh = try await DesktopFixture.make(api, user: "rita", name: "fresh")
            try await fresh.sync()
            for type in ["Account", "Contact"] {
                #expect(try laptop.records(type).map(\.record) == fresh.records(type).map(\.record))
            }
        }
    }

    @Test func aWaitingWatchIsNotWokenByChangesOfATypeItPassesOver() async throws {
        let server = try await TestServer.make()
        try await Self.publishHourlyAccounts(server)
        try await server.run { api in
            let rita = try await api.login("rita")
            let laptop = try await DesktopFixture.make(api, user: "rita")
            try await laptop.sync()
            let session = try await laptop.desktop.connection.call { client, token in
                try await client.begin(
                    SyncBeginRequest(device: laptop.settings.device, packageVersion: 2, timeZone: "UTC", preview: false,
                        deferTypes: ["Account"]), token: token)
            }.session
            let cursor = try #require(try laptop.replica.cursor())
            _ = try await api.create("Account", ["name": "Passed Over"], token: rita)
            let quiet = try await laptop.desktop.connection.call { client, token in
                try await client.wait(SyncWaitRequest(session: session, cursor: cursor, timeout: 0), token: token)
            }
            #expect(!quiet.changed)
            _ = try await api.create("Contact", ["lastName": "Checked"], token: rita)
            let woken = try await laptop.desktop.connection.call { client, token in
                try await client.wait(SyncWaitRequest(session: session, cursor: cursor, timeout: 0), token: token)
            }
            #expect(woken.changed)
        }
    }

    /// The watch passes over accounts between its syncs too: an account made elsewhere wakes nothing, a contact
    /// does, and the sync it wakes leaves accounts for when they are due.
    @Test func theWatchSleepsThroughChangesOfATypeNotDueAndWakesForTheOthers() async throws {
        let server = try await TestServer.make()
        try await Self.publishHourlyAccounts(server)
        try await server.run { api in
            let rita = try await api.login("rita")
            let fixture = try await DesktopFixture.make(api, user: "rita")
            try await fixture.sync()
            let desktop = try Desktop.open(home: fixture.home)
            let receipts = ReceiptBox()
            var watcher = SyncWatcher(
                desktop: desktop, interval: .seconds(300), onReceipt: { receipts.add($0) }, onError: { _ in })
            watcher.pollTimeout = 2
            let task = Task { try await watcher.run() }
            defer { task.cancel() }
            let watching = SyncWatcherTests()
            #expect(try await watching.eventually { receipts.count >= 1 })
            #expect(receipts.all.first?.deferred == ["Account"])

            let account = try await api.create("Account", ["name": "Not Yet"], token: rita)
            try await Task.sleep(for: .seconds(3))
            #expect(receipts.count == 1, "an account change woke the watch: \(receipts.all.map(\.line))")
            let contact = try await api.create("Contact", ["lastName": "Wakes The Watch"], token: rita)
            #expect(try await watching.eventually { try fixture.record(contact.id) != nil })
            // The receipt comes once the sync that brought the contact has ended.
            #expect(try await watching.eventually { receipts.count >= 2 })
            #expect(receipts.all.dropFirst().allSatisfy { $0.deferred == ["Account"] })
            #expect(try fixture.record(account.id) == nil)
            task.cancel()
            _ = await task.result
        }
    }

    @Test func statusShowsEachTypesIntervalAndTheCheckerRefusesABadOne() async throws {
        let server = try await TestServer.make()
        try await Self.publishHourlyAccounts(server)
        try await server.run { api in
            let laptop = try await DesktopFixture.make(api, user: "rita")
            let before = try await Processes.run("crm-desktop", ["--home", laptop.home.path, "status"])
            #expect(!before.output.contains("Every 1h"), "no package yet: \(before.output)")
            try await laptop.sync()
            let status = try await Processes.run("crm-desktop", ["--home", laptop.home.path, "status"])
            #expect(status.output.contains("Every 1h: Account (watch and scheduled syncs; checked "), "\(status.output)")
        }
        let yaml = try DefaultPackage.yaml().replacingOccurrences(
            of: "  Account:\n    label: Account\n", with: "  Account:\n    label: Account\n    syncEvery: soon\n")
        let error = #expect(throws: PackageLoadError.self) { try PackageLoader.load(yaml: yaml, file: "bad.yaml") }
        #expect("\(error.map { "\($0)" } ?? "")".contains("syncEvery"))
        #expect("\(error.map { "\($0)" } ?? "")".contains("'soon' is not an interval"))
    }
}

import CRMDesktop
import CRMModel
import CRMSyncProtocol
import CRMTesting
import Foundation
import Testing

/// `crm-desktop sync --push-only`: the outbox goes, nothing comes, and the receipt says what waits for a full sync.
@Suite("Push-only sync")
struct PushOnlySyncTests {
    @Test func aPushOnlySyncSendsTheOutboxBringsNothingAndSaysTheServerHoldsChanges() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            let desktop = try await DesktopFixture.make(api, user: "rita")
            try await desktop.sync()
            let fromElsewhere = try await api.create("Account", ["name": "Made On The Web"], token: rita)
            let local = try desktop.editor().create(type: "Account", fields: ["name": "Made Offline"])

            let engine = try desktop.desktop.engine(.init(pushOnly: true))
            let receipt = try await engine.run()
            #expect(receipt.outcome == .success)
            #expect(receipt.counts.pushed == 1)
            #expect(receipt.counts.applied == 1)
            #expect(receipt.counts.pulled == 0)
            #expect(try desktop.replica.outbox().isEmpty)
            #expect(try desktop.record(fromElsewhere.id) == nil, "a push-only sync brings nothing")
            let left = try #require(receipt.leftForFullSync)
            #expect(left.contains("the server holds changes for this desktop"), "\(left)")
            #expect(receipt.line.contains("push only: the server holds changes"), "\(receipt.line)")
            let onServer = try await api.send(.get, "/api/v1/records/Account/\(local.id)", token: rita)
            #expect(onServer.status == .ok)
            #expect(try desktop.replica.receipts().first?.leftForFullSync == left, "the receipt is kept with it")

            // The full sync brings what was left, and the record pushed comes back once, not as a copy.
            let full = try await desktop.sync()
            #expect(full.leftForFullSync == nil)
            #expect(try desktop.record(fromElsewhere.id) != nil)
            #expect(try desktop.records("Account").filter { $0.record.fields["name"] == "Made Offline" }.count == 1)

            // Nothing new on the server: the receipt says so. (Records a push changed come back with the next
            // full sync, which confirms they are still in the desktop's filter: they count as changes waiting.)
            let quiet = try await engine.run()
            #expect(quiet.counts.pushed == 0)
            #expect(quiet.leftForFullSync?.contains("nothing new waits on the server") == true, "\(quiet.line)")
        }
    }

    @Test func aFilterChosenOfflineStaysPendingThroughAPushOnlySync() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let desktop = try await DesktopFixture.make(api, user: "rita")
            try await desktop.sync()
            let before = try desktop.replica.filter()
            let other = try #require(try desktop.desktop.filterPresets().first { $0.name != before.name })
            try desktop.desktop.chooseFilter(other.name, parameters: [:])

            let receipt = try await desktop.desktop.engine(.init(pushOnly: true)).run()
            #expect(receipt.outcome == .success)
            let after = try desktop.replica.filter()
            #expect(after.pending && after.name == other.name, "the chosen filter waits for a full sync")
            #expect(receipt.leftForFullSync?.contains("the filter \(other.name) waits") == true, "\(receipt.line)")

            try await desktop.sync()
            let confirmed = try desktop.replica.filter()
            #expect(!confirmed.pending && confirmed.name == other.name)
        }
    }

    @Test func theCommandSaysWhatWaitsAndRefusesWatch() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let desktop = try await DesktopFixture.make(api, user: "rita")
            let run = try await Processes.run("crm-desktop", ["--home", desktop.home.path, "sync", "--push-only"])
            #expect(run.status == 0, "\(run.error)")
            #expect(run.output.contains("pulled 0"), "\(run.output)")
            #expect(run.output.contains("push only: no first sync yet"), "\(run.output)")
            #expect(try desktop.replica.cursor() == nil)
            let refused = try await Processes.run(
                "crm-desktop", ["--home", desktop.home.path, "sync", "--push-only", "--watch", "5"])
            #expect(refused.status == 64)
            #expect(refused.error.contains("--push-only goes with one sync"), "\(refused.error)")
        }
    }
}

import CRMDesktop
import CRMModel
import CRMServer
import CRMSyncProtocol
import CRMTesting
import Foundation
import Testing

@Suite("Package upgrades and exclusions")
struct PackageAndExclusionTests {
    /// The default package at version 2 without Account's `website` field: a structural change.
    static func packageWithoutWebsite() throws -> String {
        var yaml = try DefaultPackage.yaml()
        yaml = yaml.replacingOccurrences(of: "\nversion: 1\n", with: "\nversion: 2\n")
        let lines = yaml.components(separatedBy: "\n").filter { !$0.contains("website:") }
        return lines.joined(separator: "\n").replacingOccurrences(of: ", website]", with: "]")
    }

    @Test func aNewPackageIsInstalledBeforeThePushAndAnEditThatNoLongerMapsFailsVisibly() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            let acme = try await api.create("Account", ["name": "Acme"], token: rita)
            let desktop = try await DesktopFixture.make(api, user: "rita")
            try await desktop.sync()
            let before = try #require(try desktop.replica.packageVersion())
            let editor = try desktop.editor()
            try editor.update(type: "Account", id: acme.id, fields: ["website": "https://acme.example"])
            let kept = try editor.create(type: "Contact", fields: ["lastName": "Kept"])

            _ = try await PackageService(store: server.store).publish(yaml: try Self.packageWithoutWebsite(), file: "v2.yaml")
            let receipt = try await desktop.sync()

            #expect(receipt.installedPackage != nil)
            #expect(try desktop.replica.packageVersion() != before)
            #expect(try desktop.replica.requirePackage().types["Account"]?.fields["website"] == nil)
            #expect(receipt.counts.applied == 1)
            let outbox = try desktop.replica.outbox()
            #expect(outbox.count == 1)
            let failed = try #require(outbox.first)
            #expect(failed.state == .failed)
            #expect(failed.failure?.issues.map(\.field) == ["website"])
            #expect(failed.failure?.message.contains("customization package") == true)
            #expect(try desktop.record(kept.id)?.serverVersion == 1)
            // The failed edit stays visible until the user discards it.
            #expect(try desktop.record(acme.id)?.fields["website"] == "https://acme.example")
            _ = try desktop.replica.discard(opSeq: failed.seq)
            #expect(try desktop.record(acme.id)?.fields["website"] == nil)
        }
    }

    @Test func anIncompatiblePackageIsRefusedAndTheOldOneKept() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let desktop = try await DesktopFixture.make(api, user: "rita")
            try await desktop.sync()
            let installed = try desktop.replica.requirePackage()
            var broken = installed
            broken.types["Conflict"] = broken.types["Account"]
            let error = try #require(throws: DesktopError.self) {
                try desktop.replica.install(PackageUpdate(version: installed.version + 1, structural: true, package: broken))
            }
            #expect(error.code == .incompatiblePackage)
            #expect(try desktop.replica.requirePackage() == installed)
        }
    }

    @Test func aRecordRemovedFromThisDesktopOnlyStaysInTheCRMAndOutOfLaterSyncs() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            let acme = try await api.create("Account", ["name": "Acme"], token: rita)
            let desktop = try await DesktopFixture.make(api, user: "rita")
            try await desktop.sync()
            try desktop.editor().removeLocally(type: "Account", id: acme.id)
            #expect(try desktop.record(acme.id) == nil)

            _ = try await api.send(
                .patch, "/api/v1/records/Account/\(acme.id)", token: rita, body: #"{"fields":{"city":"Rome"}}"#,
                headers: [.ifMatch: "\"1\""])
            try await desktop.sync()
            #expect(try desktop.record(acme.id) == nil)
            let onServer = try await api.send(.get, "/api/v1/records/Account/\(acme.id)", token: rita)
            #expect(onServer.status == .ok)

            let opened = try Desktop.open(home: desktop.home)
            try await opened.include(type: "Account", id: acme.id)
            #expect(try desktop.record(acme.id)?.fields["city"] == "Rome")
            #expect(try desktop.replica.exclusions().isEmpty)
        }
    }

    @Test func aDeleteInTheCRMReachesTheServerAndAnotherDesktop() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            let acme = try await api.create("Account", ["name": "Acme"], token: rita)
            let (laptop, tablet) = try await DesktopFixture.pair(api, user: "rita")
            try laptop.editor().delete(type: "Account", id: acme.id)
            #expect(try laptop.record(acme.id) == nil)
            try await laptop.sync()
            try await tablet.sync()
            #expect(try tablet.record(acme.id) == nil)
            let onServer = try await api.send(.get, "/api/v1/records/Account/\(acme.id)", token: rita)
            #expect(onServer.status == .notFound)
        }
    }

    @Test func aChosenFilterIsSentAtTheNextSyncAndOnlyTheDifferenceMoves() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let desktop = try await DesktopFixture.make(api, user: "rita")
            try await desktop.sync()
            let opened = try Desktop.open(home: desktop.home)
            let presets = try opened.filterPresets()
            let other = try #require(presets.first { $0.name != (try? desktop.replica.filter().name) })
            try opened.chooseFilter(other.name, parameters: [:])
            #expect(try desktop.replica.filter().pending)
            try await desktop.sync()
            let after = try desktop.replica.filter()
            #expect(after.name == other.name)
            #expect(!after.pending)

            let error = try #require(throws: DesktopError.self) { try opened.chooseFilter("no-such-filter", parameters: [:]) }
            #expect(error.field == "--filter")
        }
    }

    @Test func aRecordCreatedHereOutsideTheFilterReachesTheCRMAndLeavesThisDesktop() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let desktop = try await DesktopFixture.make(api, user: "rita")
            try await desktop.sync()
            let editor = try desktop.editor()
            let old = try editor.create(
                type: "Activity",
                fields: ["subject": "Call last year", "display": "calendar", "start": "2020-01-01T10:00:00Z"])
            let soon = try editor.create(
                type: "Activity", fields: ["subject": "Call tomorrow", "display": "calendar",
                    "start": .string(Timestamp.string(from: Date().addingTimeInterval(86_400)))])
            let receipt = try await desktop.sync()
            #expect(receipt.counts.applied == 2)

            #expect(try desktop.record(old.id) == nil)
            #expect(try desktop.record(soon.id)?.serverVersion == 1)
            let rita = try await api.login("rita")
            let onServer = try await api.send(.get, "/api/v1/records/Activity/\(old.id)", token: rita)
            #expect(onServer.status == .ok)
        }
    }
}

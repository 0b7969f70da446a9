import CRMDesktop
import CRMModel
import CRMServer
import CRMTesting
import Foundation
import PIMBridge
import PIMFormats
import Testing

/// The mass-delete guard with the share the user set (`pim set --max-delete-share`): deletes made in the CRM stop
/// before they empty the PIM, deletes made in the PIM stop before they delete records (`onDelete: delete`).
@Suite("PIM bridge: safety stops")
struct PIMSafetyTests {
    /// Rita's desktop on a vdir folder with four contacts written there.
    static func fourContacts(_ api: TestAPI) async throws -> (fixture: DesktopFixture, pim: URL, ids: [String]) {
        let rita = try await api.login("rita")
        var ids: [String] = []
        for name in ["Lovelace", "Babbage", "Hopper", "Turing"] {
            ids.append(try await api.create("Contact", ["lastName": .string(name)], token: rita).id)
        }
        let directory = try TemporaryDirectory(prefix: "crm-pim-safety")
        let pim = directory.url.appendingPathComponent("pim")
        let fixture = try await DesktopFixture.make(api, user: "rita", pim: "vdir:" + pim.path)
        let first = try await fixture.sync()
        #expect(first.pim?.written == 4, "\(first.line)")
        return (fixture, pim, ids)
    }

    static func cards(_ pim: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: pim.appendingPathComponent("contacts").path)
            .filter { $0.hasSuffix(".vcf") }.sorted()
    }

    @Test func deletesInTheCRMBeyondTheSettingStopAndASettingThatAllowsThemGoesOn() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let (fixture, pim, ids) = try await Self.fourContacts(api)
            let desktop = try fixture.desktop
            #expect(try desktop.pimSync()?.maxDeleteShare == PIMSync.defaultMaxDeleteShare)
            for id in ids.prefix(3) { try fixture.editor().delete(type: "Contact", id: id) }

            // Three of four is more than half: nothing is deleted in the PIM.
            let stopped = try await desktop.pimOnlySync()
            #expect(stopped.stopped.count == 1, "\(stopped.line)")
            #expect(stopped.stopped.first?.contains("the CRM side would delete 3 of 4 contacts") == true)
            #expect(try Self.cards(pim).count == 4)

            let allowing = try desktop.setPIMMaxDeleteShare(0.8)
            #expect(try Desktop.open(home: fixture.home).settings.pimMaxDeleteShare == 0.8)
            let report = try await allowing.pimOnlySync()
            #expect(report.stopped.isEmpty, "\(report.line)")
            #expect(report.deleted == 3, "\(report.line)")
            #expect(try Self.cards(pim).count == 1)
        }
    }

    @Test func aShareOutsideZeroToOneIsRefusedNamingTheFlag() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let fixture = try await DesktopFixture.make(api, user: "rita")
            #expect {
                try fixture.desktop.setPIMMaxDeleteShare(1.5)
            } throws: { error in
                (error as? DesktopError)?.field == "--max-delete-share"
            }
            #expect(try Desktop.open(home: fixture.home).settings.pimMaxDeleteShare == nil)
        }
    }

    /// With `onDelete: delete`, deleting items in the PIM deletes their records in the CRM: within the share the
    /// records go, beyond it nothing happens until the user allows it.
    @Test func deletesInThePIMThatWouldDeleteRecordsStopBeyondTheSetting() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let yaml = try DefaultPackage.yaml().replacingOccurrences(of: "\nversion: 1\n", with: "\nversion: 2\n")
                .replacingOccurrences(
                    of: "  Contact:\n    - component: vcard\n", with: "  Contact:\n    - component: vcard\n      onDelete: delete\n")
            _ = try await PackageService(store: server.store).publish(yaml: yaml, file: "on-delete.yaml")
            let (fixture, pim, ids) = try await Self.fourContacts(api)
            let desktop = try fixture.desktop
            #expect(try fixture.replica.requirePackage().pim?["Contact"]?.first?.onDelete == .delete)

            let contacts = pim.appendingPathComponent("contacts")
            let cards = try Self.cards(pim)
            for name in cards.prefix(3) { try FileManager.default.removeItem(at: contacts.appendingPathComponent(name)) }
            let stopped = try await desktop.pimOnlySync()
            #expect(stopped.stopped.first?.contains("3 of 4 contacts were deleted in the PIM") == true, "\(stopped.line)")
            #expect(stopped.deletedInCRM == 0)
            #expect(try fixture.records("Contact").count == 4)
            #expect(try fixture.replica.outbox().isEmpty)

            let report = try await desktop.setPIMMaxDeleteShare(1).pimOnlySync()
            #expect(report.deletedInCRM == 3, "\(report.line)")
            #expect(try fixture.records("Contact").map(\.id).count == 1)
            #expect(try fixture.records("Contact").allSatisfy { ids.contains($0.id) })
        }
    }
}

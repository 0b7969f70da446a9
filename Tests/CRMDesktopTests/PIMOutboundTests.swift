import CRMDesktop
import CRMModel
import CRMTesting
import Foundation
import PIMBridge
import PIMFormats
import Testing

/// The outbound step skips records whose source did not change, so these prove that every source of an item
/// still reaches it: a record the mapping reads (the account behind ORG), and an edit made on this desktop that
/// is not sent yet.
@Suite("PIM bridge: outbound sources")
struct PIMOutboundTests {
    @Test func renamingTheAccountRewritesTheContactsORGThoughTheContactDidNotChange() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await PIMVdirSyncTests.world(api)
            try await world.fixture.sync()
            let rita = try await api.login("rita")
            let acme = try await api.send(.get, "/api/v1/records/Account/\(world.acme.id)", token: rita)
                .decode(Record.self)
            _ = try await api.send(
                .patch, "/api/v1/records/Account/\(world.acme.id)", token: rita,
                body: #"{"fields":{"name":"Acme Corporation"}}"#, headers: [.ifMatch: "\"\(acme.version)\""])

            let receipt = try await world.fixture.sync()
            #expect(receipt.pim?.written == 1, "\(receipt.line)")
            let card = try #require(try world.file("contacts", containing: world.ada.id))
            let vcard = try #require(try VCardReader.read(data: Data(contentsOf: card)).first)
            #expect(vcard.structured("ORG")?.first == "Acme Corporation")

            let again = try await world.fixture.sync()
            #expect(again.pim?.written == 0, "\(again.line)")
        }
    }

    @Test func anEditMadeHereReachesThePIMBeforeItIsSent() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await PIMVdirSyncTests.world(api)
            try await world.fixture.sync()
            _ = try world.fixture.editor().update(type: "Contact", id: world.ada.id, fields: ["title": "Countess"])

            let report = try await world.fixture.desktop.pimOnlySync()
            #expect(report.written == 1, "\(report.line)")
            let card = try #require(try world.file("contacts", containing: world.ada.id))
            let vcard = try #require(try VCardReader.read(data: Data(contentsOf: card)).first)
            #expect(vcard.text("TITLE") == "Countess")
            #expect(try await world.fixture.desktop.pimOnlySync().written == 0)
        }
    }
}

extension PIMOutboundTests {
    /// A record whose source stamp did not move is neither decoded nor mapped: its status row says it was last
    /// written from a mapping that no longer matches (a fields hash of nothing), and still nothing is written
    /// until the record itself changes.
    @Test func aRecordWhoseSourceDidNotMoveIsNotMappedAgain() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await PIMVdirSyncTests.world(api)
            try await world.fixture.sync()
            let replica = world.fixture.replica
            var row = try #require(try replica.pimStatus(.contacts).first { $0.crmID == world.ada.id })
            let stamp = try #require(row.sourceStamp)
            row.fieldsHash = "not the hash of any mapping"
            try replica.savePIMStatus(row)

            let skipped = try await world.fixture.desktop.pimOnlySync()
            #expect(skipped.written == 0, "\(skipped.line)")
            let kept = try #require(try replica.pimStatus(.contacts).first { $0.crmID == world.ada.id })
            #expect(kept.fieldsHash == "not the hash of any mapping", "mapping it would have given the real hash")
            #expect(kept.sourceStamp == stamp)

            _ = try world.fixture.editor().update(type: "Contact", id: world.ada.id, fields: ["title": "Countess"])
            let mapped = try await world.fixture.desktop.pimOnlySync()
            #expect(mapped.written == 1, "\(mapped.line)")
            let after = try #require(try replica.pimStatus(.contacts).first { $0.crmID == world.ada.id })
            #expect(after.sourceStamp != stamp)
            #expect(after.fieldsHash != "not the hash of any mapping")
        }
    }
}

import CRMDesktop
import CRMModel
import CRMServer
import CRMSyncProtocol
import CRMTesting
import Foundation
import Testing

@Suite("Conflicts and read-only records")
struct ConflictAndReadOnlyTests {
    @Test func anOpenConflictIsResolvedFromTheDesktopAndTheChoiceReachesTheOtherDesktop() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            let deal = try await api.create("Opportunity", ["name": "Deal", "stage": "Prospecting"], token: rita)
            let (laptop, tablet) = try await DesktopFixture.pair(api, user: "rita")
            // `stage` is settled by a person (policy `manual`): the conflict stays open.
            try laptop.editor().update(type: "Opportunity", id: deal.id, fields: ["stage": "Proposal"])
            try tablet.editor().update(type: "Opportunity", id: deal.id, fields: ["stage": "Negotiation"])
            try await laptop.sync()
            try await tablet.sync()

            let desktop = try Desktop.open(home: tablet.home)
            let open = try desktop.openConflicts()
            #expect(open.count == 1)
            let conflict = try #require(open.first)
            #expect(try tablet.record(deal.id)?.fields["stage"] == "Proposal")
            try await desktop.resolveConflict(id: String(conflict.id.prefix(8)), .mine)
            #expect(try desktop.openConflicts().isEmpty)
            #expect(try tablet.record(deal.id)?.fields["stage"] == "Negotiation")

            try await laptop.sync()
            #expect(try laptop.record(deal.id)?.fields["stage"] == "Negotiation")
            #expect(try Desktop.open(home: laptop.home).openConflicts().isEmpty)
        }
    }

    @Test func aConflictSettledByPolicyCanStillBeDecidedOtherwise() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            let acme = try await api.create("Account", ["name": "Acme"], token: rita)
            let (laptop, tablet) = try await DesktopFixture.pair(api, user: "rita")
            try laptop.editor().update(type: "Account", id: acme.id, fields: ["city": "Lyon"])
            try tablet.editor().update(type: "Account", id: acme.id, fields: ["city": "Nice"])
            try await laptop.sync()
            try await tablet.sync()
            let desktop = try Desktop.open(home: tablet.home)
            #expect(try desktop.openConflicts().isEmpty)
            let settled = try #require(try tablet.records(ConflictRecord.typeName).first)
            try await desktop.resolveConflict(id: settled.id, .value("Marseille"))
            #expect(try tablet.record(acme.id)?.fields["city"] == "Marseille")
        }
    }

    @Test func aRecordThatCameOnlyAsAReferenceIsReadOnlyAndSaysWhy() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            let ritasAccount = try await api.create("Account", ["name": "Rita's Account"], token: rita)
            let maria = try await api.login("maria")
            _ = try await api.create("Contact", ["lastName": "Team", "accountId": .string(ritasAccount.id)], token: maria)

            let desktop = try await DesktopFixture.make(api, user: "maria")
            let opened = try Desktop.open(home: desktop.home)
            try await desktop.sync()
            try opened.chooseFilter("my-records", parameters: [:])
            try await desktop.sync()

            let reference = try #require(try desktop.record(ritasAccount.id))
            #expect(reference.incomplete)
            let error = try #require(throws: DesktopError.self) {
                try desktop.editor().update(type: "Account", id: ritasAccount.id, fields: ["city": "Nope"])
            }
            #expect(error.code == .readOnly)
            #expect(error.message.contains("sync filter"))
            #expect(try desktop.replica.outbox().isEmpty)
        }
    }
}

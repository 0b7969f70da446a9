import CRMModel
import CRMSyncProtocol
import CRMTesting
import Foundation
import Testing

/// A delete follows each reference's `onDelete` rule in the package.
@Suite struct DeleteRuleTests {
    @Test func deletingAContactCascadesToItsNotesAndClearsReferencesToIt() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            let account = try await api.create("Account", ["name": "Hooli"], token: token)
            let gavin = try await api.create("Contact", ["lastName": "Belson", "accountId": .string(account.id)], token: token)
            let other = try await api.create("Contact", ["lastName": "Bachman", "accountId": .string(account.id)], token: token)
            let note = try await api.create("Note", ["body": "Call back", "parentId": .string(gavin.id)], token: token)
            let deal = try await api.create(
                "Opportunity",
                ["name": "Box 3", "stage": "Proposal", "accountId": .string(account.id),
                 "contactIds": .array([.string(gavin.id), .string(other.id)])], token: token)
            let sr = try await api.create(
                "ServiceRequest", ["title": "Broken box", "status": "Open", "contactId": .string(gavin.id)], token: token)

            let deleted = try await api.send(.delete, "/api/v1/records/Contact/\(gavin.id)", token: token)
            #expect(deleted.status == .ok)
            let outcome = deleted.json
            #expect(Set(outcome["deleted"] as? [String] ?? []) == [gavin.id, note.id])
            #expect(Set(outcome["updated"] as? [String] ?? []) == [deal.id, sr.id])
            #expect(try await api.send(.get, "/api/v1/records/Note/\(note.id)", token: token).status == .notFound)
            let dealAfter = try await api.send(.get, "/api/v1/records/Opportunity/\(deal.id)", token: token).decode(Record.self)
            #expect(dealAfter.fields["contactIds"] == .array([.string(other.id)]))
            #expect(dealAfter.version == 2)
            let srAfter = try await api.send(.get, "/api/v1/records/ServiceRequest/\(sr.id)", token: token).decode(Record.self)
            #expect(srAfter.fields["contactId"] == nil)
            let tombstone = try #require(try await server.store.record(id: gavin.id))
            #expect(tombstone.deleted && tombstone.version == 2)
        }
    }

    @Test func anAccountWithOpportunitiesCannotBeDeletedAndNothingChanges() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let token = try await api.login("rita")
            let account = try await api.create("Account", ["name": "Pied Piper"], token: token)
            let contact = try await api.create("Contact", ["lastName": "Hendricks", "accountId": .string(account.id)], token: token)
            let deal = try await api.create(
                "Opportunity", ["name": "Compression", "stage": "Proposal", "accountId": .string(account.id)], token: token)
            let refused = try await api.send(.delete, "/api/v1/records/Account/\(account.id)", token: token)
            #expect(refused.status == .conflict)
            #expect(refused.errorField == "accountId")
            #expect(refused.text.contains("Opportunity"))
            let contactAfter = try await api.send(.get, "/api/v1/records/Contact/\(contact.id)", token: token).decode(Record.self)
            #expect(contactAfter.fields["accountId"] == .string(account.id) && contactAfter.version == 1)
            #expect(try await api.send(.delete, "/api/v1/records/Opportunity/\(deal.id)", token: token).status == .ok)
            #expect(try await api.send(.delete, "/api/v1/records/Account/\(account.id)", token: token).status == .ok)
            let cleared = try await api.send(.get, "/api/v1/records/Contact/\(contact.id)", token: token).decode(Record.self)
            #expect(cleared.fields["accountId"] == nil)
        }
    }
}

import CRMModel
import CRMStore
import Foundation
import Testing

/// Deletes following each reference's `onDelete` rule, as the default package declares them: cascades,
/// cleared references, and refusals that change nothing at all.
public struct DeleteRuleConformance: Sendable {
    public let store: any RecordStore

    public init(store: any RecordStore) {
        self.store = store
    }

    private typealias Fixture = RecordFixture

    static let package = try! DefaultPackage.load()
    static let rules: @Sendable (String) -> [ReferenceRule] = { package.references(to: $0) }

    /// Needs no store: the default package declares the rules the other checks rely on.
    public static func defaultPackageDeclaresTheRulesTheseTestsRelyOn() {
        let toAccount = Self.package.references(to: "Account")
        func rule(_ type: String, _ field: String, _ onDelete: OnDelete, many: Bool = false) -> ReferenceRule {
            ReferenceRule(sourceType: type, field: field, many: many, onDelete: onDelete)
        }
        #expect(toAccount.contains(rule("Note", "parentId", .cascade)))
        #expect(toAccount.contains(rule("Contact", "accountId", .nullify)))
        #expect(toAccount.contains(rule("Opportunity", "accountId", .restrict)))
        let toContact = Self.package.references(to: "Contact")
        #expect(toContact.contains(rule("Opportunity", "contactIds", .nullify, many: true)))
    }

    public func cascadeDeletesNotesAboutTheRecord() async throws {
        let account = try await store.insert(Fixture.record("Account", ["name": "Acme"]))
        let note = try await store.insert(
            Fixture.record("Note", ["body": "Call back", "parentId": .string(account.id)]),
            references: [account.id])
        let outcome = try await store.delete(
            id: account.id, expectedVersion: 1, by: "bob", at: Fixture.time(10), rules: Self.rules)
        #expect(Set(outcome.deleted.map(\.id)) == [account.id, note.id])
        #expect(outcome.updated.isEmpty)
        let storedNote = try #require(try await store.record(id: note.id))
        #expect(storedNote.deleted)
        #expect(storedNote.version == 2)
        #expect(storedNote.updatedBy == "bob")
        #expect(try await store.all("Note").isEmpty)
        #expect(Set(outcome.deleted.map(\.seq)) == [3, 4])
    }

    public func cascadeFollowsNotesOfNotes() async throws {
        let account = try await store.insert(Fixture.record("Account", ["name": "Acme"]))
        let note = try await store.insert(
            Fixture.record("Note", ["body": "About Acme", "parentId": .string(account.id)]),
            references: [account.id])
        let reply = try await store.insert(
            Fixture.record("Note", ["body": "About the note", "parentId": .string(note.id)]), references: [note.id])
        let outcome = try await store.delete(
            id: account.id, expectedVersion: nil, by: "bob", at: Fixture.time(10), rules: Self.rules)
        #expect(Set(outcome.deleted.map(\.id)) == [account.id, note.id, reply.id])
        #expect(try await store.record(id: reply.id)?.deleted == true)
    }

    public func nullifyClearsReferenceBumpsVersionAndStampsField() async throws {
        let account = try await store.insert(Fixture.record("Account", ["name": "Acme"]))
        let contact = try await store.insert(
            Fixture.record("Contact", ["lastName": "Lee", "accountId": .string(account.id)]),
            references: [account.id])
        let outcome = try await store.delete(
            id: account.id, expectedVersion: 1, by: "bob", at: Fixture.time(10), rules: Self.rules)
        #expect(outcome.deleted.map(\.id) == [account.id])
        let updated = try #require(outcome.updated.first)
        #expect(outcome.updated.count == 1)
        #expect(updated.id == contact.id)
        #expect(updated.fields == ["lastName": "Lee"])
        #expect(updated.version == 2)
        #expect(updated.fieldVersions["accountId"] == FieldStamp(version: 2, at: Fixture.time(10)))
        #expect(updated.fieldVersions["lastName"] == contact.fieldVersions["lastName"])
        #expect(updated.updatedBy == "bob")
        #expect(updated.seq > contact.seq)
        #expect(try await store.record(id: contact.id) == updated)
        // The reference index forgot the link: the contact no longer lists under the account.
        let query = RecordQuery(
            type: "Contact", visibility: .all,
            filters: [FieldFilter(field: "accountId", value: .string(account.id), isReference: true)])
        #expect(try await store.list(query).records.isEmpty)
    }

    public func nullifyRemovesIdFromManyToManySet() async throws {
        let first = try await store.insert(Fixture.record("Contact", ["lastName": "First"]))
        let second = try await store.insert(Fixture.record("Contact", ["lastName": "Second"]))
        let ids = [first.id, second.id].sorted()
        let opportunity = try await store.insert(
            Fixture.record("Opportunity", ["name": "Deal", "contactIds": .array(ids.map(FieldValue.string))]),
            references: Set(ids))
        let outcome = try await store.delete(
            id: first.id, expectedVersion: 1, by: "bob", at: Fixture.time(10), rules: Self.rules)
        let updated = try #require(outcome.updated.first)
        #expect(updated.id == opportunity.id)
        #expect(updated.fields["contactIds"] == .array([.string(second.id)]))
        #expect(updated.fields["name"] == "Deal")
        #expect(updated.version == 2)
        #expect(updated.fieldVersions["contactIds"] == FieldStamp(version: 2, at: Fixture.time(10)))
        #expect(try await store.record(id: opportunity.id) == updated)
    }

    public func restrictRefusesAndChangesNothingAtAll() async throws {
        // Ids chosen so the note and the contact are handled before the opportunity refuses the delete.
        let account = try await store.insert(Fixture.record("Account", id: Fixture.id(0x50), ["name": "Acme"]))
        let reference: [String: FieldValue] = ["accountId": .string(account.id)]
        let note = try await store.insert(
            Fixture.record("Note", id: Fixture.id(0x01), ["body": "x", "parentId": .string(account.id)]),
            references: [account.id])
        let contact = try await store.insert(
            Fixture.record("Contact", id: Fixture.id(0x02), reference.merging(["lastName": "Lee"]) { $1 }),
            references: [account.id])
        let opportunity = try await store.insert(
            Fixture.record("Opportunity", id: Fixture.id(0xfe), reference.merging(["name": "Deal"]) { $1 }),
            references: [account.id])
        let sequence = try await store.lastSequence()

        await #expect(throws: StoreError.restricted(
            sourceType: "Opportunity", sourceID: opportunity.id, field: "accountId")
        ) {
            try await store.delete(
                id: account.id, expectedVersion: 1, by: "bob", at: Fixture.time(10), rules: Self.rules)
        }
        #expect(try await store.record(id: account.id) == account)
        #expect(try await store.record(id: note.id) == note)
        #expect(try await store.record(id: contact.id) == contact)
        #expect(try await store.record(id: opportunity.id) == opportunity)
        #expect(try await store.lastSequence() == sequence)
        #expect(try await store.countByType() == ["Account": 1, "Note": 1, "Contact": 1, "Opportunity": 1])
        let query = RecordQuery(
            type: "Contact", visibility: .all,
            filters: [FieldFilter(field: "accountId", value: .string(account.id), isReference: true)])
        #expect(try await store.list(query).records.map(\.id) == [contact.id])
    }

    public func restrictDeepInCascadeRollsBackTheCascade() async throws {
        // A hand-made rule set: deleting an Account cascades to its Opportunities, and an Opportunity
        // with an open ServiceRequest may not be deleted.
        let rules: @Sendable (String) -> [ReferenceRule] = { type in
            switch type {
            case "Account":
                [ReferenceRule(sourceType: "Opportunity", field: "accountId", many: false, onDelete: .cascade)]
            case "Opportunity":
                [
                    ReferenceRule(
                        sourceType: "ServiceRequest", field: "opportunityId", many: false, onDelete: .restrict)
                ]
            default: []
            }
        }
        let account = try await store.insert(Fixture.record("Account", ["name": "Acme"]))
        let opportunity = try await store.insert(
            Fixture.record("Opportunity", ["name": "Deal", "accountId": .string(account.id)]),
            references: [account.id])
        let request = try await store.insert(
            Fixture.record("ServiceRequest", ["title": "Help", "opportunityId": .string(opportunity.id)]),
            references: [opportunity.id])
        await #expect(throws: StoreError.restricted(
            sourceType: "ServiceRequest", sourceID: request.id, field: "opportunityId")
        ) {
            try await store.delete(
                id: account.id, expectedVersion: nil, by: "bob", at: Fixture.time(5), rules: rules)
        }
        #expect(try await store.record(id: account.id) == account)
        #expect(try await store.record(id: opportunity.id) == opportunity)
        #expect(try await store.lastSequence() == 3)
    }

    public func referenceWithoutRuleIsNullified() async throws {
        let account = try await store.insert(Fixture.record("Account", ["name": "Acme"]))
        let contact = try await store.insert(
            Fixture.record("Contact", ["lastName": "Lee", "accountId": .string(account.id)]),
            references: [account.id])
        let outcome = try await store.delete(
            id: account.id, expectedVersion: nil, by: "bob", at: Fixture.time(3)) { _ in [] }
        #expect(outcome.updated.map(\.id) == [contact.id])
        #expect(try await store.record(id: contact.id)?.fields["accountId"] == nil)
    }
}

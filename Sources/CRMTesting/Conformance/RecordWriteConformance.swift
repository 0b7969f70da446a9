import CRMModel
import CRMStore
import Foundation
import Testing

/// Record writes: sequence numbers, refused inserts, versions, references that must be live, batches that
/// store all or nothing, and tombstones.
public struct RecordWriteConformance: Sendable {
    public let store: any RecordStore

    public init(store: any RecordStore) {
        self.store = store
    }

    private typealias Fixture = RecordFixture

    public func insertAssignsIncreasingSequenceNumbers() async throws {
        var seqs: [Int64] = []
        for index in 0..<5 {
            let stored = try await store.insert(Fixture.record("Account", ["name": .string("A\(index)")]))
            seqs.append(stored.seq)
            #expect(try await store.record(id: stored.id) == stored)
        }
        #expect(seqs == [1, 2, 3, 4, 5])
        #expect(try await store.lastSequence() == 5)
    }

    public func insertOfAnExistingIdIsRefused() async throws {
        let account = try await store.insert(Fixture.record("Account", ["name": "Acme"]))
        var copy = account
        copy.fields["name"] = "Other"
        await #expect(throws: StoreError.alreadyExists(account.id)) { try await store.insert(copy) }
        #expect(try await store.record(id: account.id) == account)
        #expect(try await store.lastSequence() == 1)
    }

    public func updateBumpsSequenceAndKeepsId() async throws {
        let account = try await store.insert(Fixture.record("Account", ["name": "Acme"]))
        try await store.insert(Fixture.record("Account", ["name": "Other"]))
        let updated = try await store.update(id: account.id, expectedVersion: 1, references: []) {
            $0.applying(["name": "Acme Ltd", "city": "Berlin"], by: "bob", at: Fixture.time(60))
        }
        #expect(updated.id == account.id)
        #expect(updated.version == 2)
        #expect(updated.seq == 3)
        #expect(updated.fields == ["name": "Acme Ltd", "city": "Berlin"])
        #expect(updated.fieldVersions["name"] == FieldStamp(version: 2, at: Fixture.time(60)))
        #expect(updated.updatedBy == "bob")
        #expect(try await store.record(id: account.id) == updated)
        #expect(try await store.countByType() == ["Account": 2])
    }

    public func updateThatChangesNothingKeepsVersionAndSequence() async throws {
        let account = try await store.insert(Fixture.record("Account", ["name": "Acme"]))
        let same = try await store.update(id: account.id, expectedVersion: nil, references: []) {
            $0.applying(["name": "Acme"], by: "bob", at: Fixture.time(60))
        }
        #expect(same == account)
        #expect(try await store.lastSequence() == 1)
    }

    public func updateWithStaleVersionThrowsMismatchCarryingCurrentRecord() async throws {
        let account = try await store.insert(Fixture.record("Account", ["name": "Acme"]))
        let current = try await store.update(id: account.id, expectedVersion: 1, references: []) {
            $0.applying(["name": "Acme 2"], by: "alice", at: Fixture.time(1))
        }
        await #expect(throws: StoreError.versionMismatch(current: current)) {
            try await store.update(id: account.id, expectedVersion: 1, references: []) {
                $0.applying(["name": "Lost edit"], by: "bob", at: Fixture.time(2))
            }
        }
        #expect(try await store.record(id: account.id) == current)
        #expect(try await store.lastSequence() == 2)
    }

    public func updateOfDeletedOrUnknownRecordIsNotFound() async throws {
        let account = try await store.insert(Fixture.record("Account", ["name": "Acme"]))
        _ = try await store.delete(
            id: account.id, expectedVersion: nil, by: "alice", at: Fixture.time(1)) { _ in [] }
        await #expect(throws: StoreError.notFound(account.id)) {
            try await store.update(id: account.id, expectedVersion: nil, references: []) {
                $0.applying(["name": "Back"], by: "alice", at: Fixture.time(2))
            }
        }
        let unknown = RecordID.make()
        await #expect(throws: StoreError.notFound(unknown)) {
            try await store.update(id: unknown, expectedVersion: nil, references: []) { $0 }
        }
    }

    public func insertReferencingMissingRecordStoresNothing() async throws {
        let missing = RecordID.make()
        let contact = Fixture.record("Contact", ["lastName": "Lee", "accountId": .string(missing)])
        await #expect(throws: StoreError.missingReference(missing)) {
            try await store.insert(contact, references: [missing])
        }
        #expect(try await store.record(id: contact.id) == nil)
        #expect(try await store.countByType() == [:])
        #expect(try await store.lastSequence() == 0)
    }

    public func insertReferencingDeletedRecordStoresNothing() async throws {
        let account = try await store.insert(Fixture.record("Account", ["name": "Gone"]))
        _ = try await store.delete(id: account.id, expectedVersion: 1, by: "alice", at: Fixture.time(1)) { _ in [] }
        let before = try await store.lastSequence()
        let contact = Fixture.record("Contact", ["lastName": "Lee", "accountId": .string(account.id)])
        await #expect(throws: StoreError.missingReference(account.id)) {
            try await store.insert(contact, references: [account.id])
        }
        #expect(try await store.record(id: contact.id) == nil)
        #expect(try await store.countByType() == [:])
        #expect(try await store.lastSequence() == before)
    }

    public func updateReferencingMissingRecordChangesNothing() async throws {
        let contact = try await store.insert(Fixture.record("Contact", ["lastName": "Lee"]))
        let missing = RecordID.make()
        await #expect(throws: StoreError.missingReference(missing)) {
            try await store.update(id: contact.id, expectedVersion: 1, references: [missing]) {
                $0.applying(["accountId": .string(missing)], by: "alice", at: Fixture.time(1))
            }
        }
        #expect(try await store.record(id: contact.id) == contact)
        #expect(try await store.lastSequence() == 1)
    }

    public func insertBatchWithExistingIdStoresNoneOfTheBatch() async throws {
        let existing = try await store.insert(Fixture.record("Account", ["name": "Existing"]))
        let first = Fixture.record("Account", ["name": "First"])
        var duplicate = Fixture.record("Account", ["name": "Duplicate"])
        duplicate.id = existing.id
        let last = Fixture.record("Account", ["name": "Last"])
        await #expect(throws: StoreError.alreadyExists(existing.id)) {
            try await store.insertBatch([first, duplicate, last])
        }
        #expect(try await store.countByType() == ["Account": 1])
        #expect(try await store.records(ids: [first.id, last.id]).isEmpty)
        #expect(try await store.record(id: existing.id) == existing)
        #expect(try await store.lastSequence() == 1)
    }

    public func insertBatchWithIdTwiceStoresNone() async throws {
        let record = Fixture.record("Account", ["name": "Twice"])
        await #expect(throws: StoreError.alreadyExists(record.id)) {
            try await store.insertBatch([record, record])
        }
        #expect(try await store.countByType() == [:])
        #expect(try await store.lastSequence() == 0)
    }

    public func insertBatchGivesConsecutiveSequenceNumbersInOrder() async throws {
        try await store.insert(Fixture.record("Account", ["name": "Before"]))
        let batch = (0..<10).map { Fixture.record("Contact", ["lastName": .string("L\($0)")]) }
        try await store.insertBatch(batch)
        let stored = try await store.records(ids: batch.map(\.id))
        let seqByID = Dictionary(uniqueKeysWithValues: stored.map { ($0.id, $0.seq) })
        #expect(batch.map { seqByID[$0.id] } == (2...11).map { Int64($0) })
        #expect(try await store.lastSequence() == 11)
    }

    public func deleteLeavesTombstoneThatRecordFindsAndListSkips() async throws {
        let account = try await store.insert(Fixture.record("Account", ["name": "Acme"]))
        let other = try await store.insert(Fixture.record("Account", ["name": "Other"]))
        let outcome = try await store.delete(
            id: account.id, expectedVersion: 1, by: "bob", at: Fixture.time(30)
        ) { _ in [] }
        let tombstone = try #require(outcome.deleted.first)
        #expect(outcome.deleted.count == 1)
        #expect(outcome.updated.isEmpty)
        #expect(tombstone.id == account.id)
        #expect(tombstone.deleted)
        #expect(tombstone.version == 2)
        #expect(tombstone.seq == 3)
        #expect(tombstone.updatedBy == "bob")
        #expect(tombstone.updatedAt == Fixture.time(30))
        #expect(tombstone.fields == account.fields)

        #expect(try await store.record(id: account.id) == tombstone)
        #expect(try await store.records(ids: [account.id, other.id]).count == 2)
        #expect(try await store.all("Account").map(\.id) == [other.id])
        #expect(try await store.countByType() == ["Account": 1])
        #expect(try await store.lastSequence() == 3)
        await #expect(throws: StoreError.notFound(account.id)) {
            try await store.delete(
                id: account.id, expectedVersion: nil, by: "bob", at: Fixture.time(31)) { _ in [] }
        }
    }

    public func deleteWithStaleVersionChangesNothing() async throws {
        let account = try await store.insert(Fixture.record("Account", ["name": "Acme"]))
        await #expect(throws: StoreError.versionMismatch(current: account)) {
            try await store.delete(id: account.id, expectedVersion: 7, by: "bob", at: Fixture.time(1)) { _ in [] }
        }
        #expect(try await store.record(id: account.id) == account)
    }
}

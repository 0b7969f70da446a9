import CRMModel
import CRMStore
import Foundation
import Testing

/// The attachment store's index of live records listing content: written with the records (by every write
/// path: insert, push, update, delete rules), read by `attachmentHolders`, and never taken for a reference to a
/// record by the sync's reference phase.
public struct AttachmentIndexConformance: Sendable {
    public let store: any AttachmentStore & RecordStore & SyncStore

    public init(store: any AttachmentStore & RecordStore & SyncStore) {
        self.store = store
    }

    private typealias F = AccountsFixture

    static func record(_ type: String, _ fields: [String: FieldValue]) -> Record {
        let stamp = FieldStamp(version: 1, at: F.start)
        return Record(
            id: RecordID.make(), type: type, owner: "alice", team: [], createdAt: F.start, updatedAt: F.start,
            updatedBy: "alice", fields: fields, fieldVersions: fields.mapValues { _ in stamp })
    }

    static func ref(_ sha: String, _ name: String = "report.pdf", size: Int = 10) -> FieldValue {
        AttachmentRef.value([AttachmentRef(sha256: sha, name: name, mediaType: "application/pdf", size: size)])
    }

    /// An activity of `account` listing content `sha` in its `attachments` field.
    static func activity(listing sha: String, account: Record) -> Record {
        record("Activity", ["subject": "Call", "attachments": ref(sha), "accountId": .string(account.id)])
    }

    public func liveRecordsListingAHashAreIndexedUntilTheyDropItOrAreDeleted() async throws {
        let sha = AttachmentStoreConformance.name(Data("report".utf8))
        let other = AttachmentStoreConformance.name(Data("photo".utf8))
        let account = try await store.insert(Self.record("Account", ["name": "Acme"]), references: [])
        let activity = try await store.insert(Self.activity(listing: sha, account: account), references: [account.id])
        #expect(
            try await store.attachmentHolders(sha256: sha) == [
                AttachmentHolder(recordID: activity.id, field: "attachments")
            ])

        // A push writes through the same index, and the hash is no record that must be live.
        let note = Self.record("Note", ["body": "Photos", "files": Self.ref(other, "a.jpg")])
        _ = try await store.push { tx in try tx.insert(note) }
        #expect(try await store.attachmentHolders(sha256: other).map(\.recordID) == [note.id])

        _ = try await store.update(id: activity.id, expectedVersion: nil, references: [account.id]) { current in
            current.applying(["attachments": Self.ref(other, "b.jpg")], by: "alice", at: F.time(5))
        }
        #expect(try await store.attachmentHolders(sha256: sha).isEmpty)
        #expect(Set(try await store.attachmentHolders(sha256: other).map(\.recordID)) == [note.id, activity.id])

        // Deleting the account follows its delete rules (the activity's reference is cleared) and leaves the
        // activity's attachment listed.
        let package = try DefaultPackage.load()
        let outcome = try await store.delete(id: account.id, expectedVersion: nil, by: "alice", at: F.time(6)) {
            package.references(to: $0)
        }
        #expect(outcome.updated.map(\.id) == [activity.id])
        #expect(Set(try await store.attachmentHolders(sha256: other).map(\.recordID)) == [note.id, activity.id])
        _ = try await store.delete(id: note.id, expectedVersion: nil, by: "alice", at: F.time(6), rules: { _ in [] })
        #expect(try await store.attachmentHolders(sha256: other).map(\.recordID) == [activity.id])
        _ = try await store.delete(
            id: activity.id, expectedVersion: nil, by: "alice", at: F.time(7), rules: { _ in [] })
        #expect(try await store.attachmentHolders(sha256: other).isEmpty)
    }

    public func aDeviceHoldingARecordWithAttachmentsMissesNoRecordForThem() async throws {
        let sha = AttachmentStoreConformance.name(Data("report".utf8))
        let account = try await store.insert(Self.record("Account", ["name": "Acme"]), references: [])
        let activity = try await store.insert(Self.activity(listing: sha, account: account), references: [account.id])
        try await store.saveSyncState(DeviceSyncState(device: "laptop", user: "alice"))
        let generation = try await store.setPending(
            device: "laptop",
            delta: ScopeDelta(upserts: [ScopeEntry(id: activity.id, type: "Activity", version: 1, reason: .filter)]))
        #expect(try await store.acknowledge(device: "laptop", generation: generation))
        // Only the account is a missing reference: the attachment's index row names content, not a record.
        #expect(try await store.missingReferences(device: "laptop") == [account.id])
    }
}

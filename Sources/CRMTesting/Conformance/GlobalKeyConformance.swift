import CRMModel
import CRMStore
import Foundation
import Testing

/// The global-key table: every record writer keeps it from the newest package's `globalKeys`, and its unique
/// constraint refuses a second live record with one key (text compared without case), whatever the caller
/// checked before: concurrent inserts, updates onto a held key, batches. Tombstones release their keys, and
/// publishing a package with new keys builds the table from the records already stored.
public struct GlobalKeyConformance: Sendable {
    public let store: any RecordStore & SyncStore & PackageStore

    public init(store: any RecordStore & SyncStore & PackageStore) {
        self.store = store
    }

    private typealias Fixture = RecordFixture

    /// Publishes a package (version `version`) whose `Activity` has `messageId` as its global key.
    public func publishKeys(version: Int = 1, keys: [String] = ["messageId"]) async throws {
        let json = try JSONSerialization.data(withJSONObject: [
            "name": "keys", "version": version, "types": ["Activity": ["globalKeys": keys], "Account": [:]],
        ])
        try await store.publish(
            PublishedPackage(
                name: "keys", version: version, source: "", json: json, roles: ["sales-rep"],
                publishedAt: Fixture.start))
    }

    private func activity(_ messageId: String, subject: String = "Hello") -> Record {
        Fixture.record("Activity", ["messageId": .string(messageId), "subject": .string(subject)])
    }

    private func expectKeyTaken(holder: String, _ body: () async throws -> Void) async throws {
        do {
            try await body()
            Issue.record("the write was not refused")
        } catch StoreError.keyTaken(let type, let field, let found) {
            #expect(type == "Activity" && field == "messageId" && found == holder)
        }
    }

    public func concurrentInsertsOfOneGlobalKeyStoreOneRecord() async throws {
        try await publishKeys()
        let store = self.store
        let outcomes = try await withThrowingTaskGroup(of: String?.self) { group in
            for index in 0..<6 {
                group.addTask {
                    let record = Fixture.record(
                        "Activity", ["messageId": .string(index % 2 == 0 ? "<Mail-1@Example.com>" : "<mail-1@example.com>")])
                    do {
                        return try await store.insert(record, references: []).id
                    } catch StoreError.keyTaken {
                        return nil
                    }
                }
            }
            var stored: [String] = []
            for try await id in group { if let id { stored.append(id) } }
            return stored
        }
        #expect(outcomes.count == 1)
        #expect(try await store.all("Activity").map(\.id) == outcomes)
    }

    public func anUpdateOntoAHeldKeyIsRefusedAndChangesNothing() async throws {
        try await publishKeys()
        let first = try await store.insert(activity("<a@example.com>"))
        let second = try await store.insert(activity("<b@example.com>"))
        try await expectKeyTaken(holder: first.id) {
            _ = try await store.update(id: second.id, expectedVersion: nil, references: []) { record in
                record.applying(["messageId": .string("<A@example.com>")], by: "alice", at: Fixture.time(1))
            }
        }
        #expect(try await store.record(id: second.id)?.fields["messageId"] == .string("<b@example.com>"))
        // Inside a push too: the op's savepoint rolls it back, and the batch goes on.
        try await expectKeyTaken(holder: first.id) {
            try await store.push { tx in
                let current = try #require(try tx.record(id: second.id))
                _ = try tx.update(current.applying(["messageId": .string("<a@EXAMPLE.com>")], by: "alice", at: Fixture.time(2)))
            }
        }
        // A value of its own is fine, and the value it left is free for another record.
        _ = try await store.update(id: second.id, expectedVersion: nil, references: []) { record in
            record.applying(["messageId": .string("<c@example.com>")], by: "alice", at: Fixture.time(3))
        }
        _ = try await store.insert(activity("<b@example.com>"))
        #expect(try await store.all("Activity").count == 3)
    }

    public func aDeletedRecordReleasesItsKeys() async throws {
        try await publishKeys()
        let first = try await store.insert(activity("<a@example.com>"))
        try await expectKeyTaken(holder: first.id) { _ = try await store.insert(activity("<A@example.com>")) }
        _ = try await store.delete(id: first.id, expectedVersion: nil, by: "alice", at: Fixture.time(1)) { _ in [] }
        let again = try await store.insert(activity("<A@example.com>"))
        #expect(try await store.all("Activity").map(\.id) == [again.id])
    }

    public func aBatchHoldingAHeldKeyStoresNothing() async throws {
        try await publishKeys()
        let first = try await store.insert(activity("<a@example.com>"))
        let fresh = activity("<new@example.com>")
        try await expectKeyTaken(holder: first.id) {
            try await store.insertBatch([fresh, activity("<a@example.com>")])
        }
        #expect(try await store.record(id: fresh.id) == nil)
        // Unkeyed types and values that are not text hold no keys.
        try await store.insertBatch([
            Fixture.record("Account", ["messageId": "<a@example.com>"]), activity("   "),
            Fixture.record("Activity", ["subject": "no key"]),
        ])
        #expect(try await store.all("Activity").count == 3)
    }

    public func publishingNewKeysBuildsTheTableFromStoredRecords() async throws {
        // Written before any package named keys: nothing stopped the repeat.
        let older = try await store.insert(activity("<a@example.com>", subject: "older"))
        let younger = try await store.insert(activity("<A@example.com>", subject: "younger"))
        try await publishKeys()
        try await expectKeyTaken(holder: older.id) { _ = try await store.insert(activity("<a@example.com>")) }
        // The younger repeat stays editable, without taking the key.
        _ = try await store.update(id: younger.id, expectedVersion: nil, references: []) { record in
            record.applying(["subject": "edited"], by: "alice", at: Fixture.time(1))
        }
        // A package without the key drops its rows: the value is free again.
        try await publishKeys(version: 2, keys: [])
        _ = try await store.insert(activity("<a@example.com>"))
        #expect(try await store.all("Activity").count == 3)
    }
}

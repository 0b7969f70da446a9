import CRMModel
import CRMStore
import Foundation
import Testing

extension DeviceStoreConformance {
    /// Records held by hand belong to one device; adding twice keeps one, a drop removes only that record.
    public func fetchedRecordsArePerDeviceAndIdempotent() async throws {
        let (alice, bob) = try await setUp()
        let first = RecordID.make(), second = RecordID.make()
        #expect(try await store.fetchedRecords(device: alice.id).isEmpty)
        try await store.setFetched(device: alice.id, id: first, type: "Account", held: true)
        try await store.setFetched(device: alice.id, id: first, type: "Account", held: true)
        try await store.setFetched(device: alice.id, id: second, type: "Contact", held: true)
        #expect(try await store.fetchedRecords(device: alice.id) == [first: "Account", second: "Contact"])
        #expect(try await store.fetchedRecords(device: bob.id).isEmpty)
        try await store.setFetched(device: alice.id, id: first, type: "", held: false)
        try await store.setFetched(device: alice.id, id: first, type: "", held: false)
        #expect(try await store.fetchedRecords(device: alice.id) == [second: "Contact"])
    }
}

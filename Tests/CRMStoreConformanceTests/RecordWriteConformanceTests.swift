import CRMStore
import CRMTesting
import Testing

/// `RecordWriteConformance` on every store.
@Suite("Record writes") struct RecordWriteConformanceTests {
    /// The store protocols the suite needs.
    private typealias Store = any RecordStore & SyncStore

    /// Runs one test of the suite on a fresh store of `kind`.
    private func run(_ kind: StoreKind, _ test: (RecordWriteConformance) async throws -> Void) async throws {
        try await kind.run(Store.self) { try await test(RecordWriteConformance(store: $0)) }
    }

    @Test(arguments: StoreKind.allCases)
    func insertAssignsIncreasingSequenceNumbers(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.insertAssignsIncreasingSequenceNumbers() }
    }

    @Test(arguments: StoreKind.allCases)
    func insertOfAnExistingIdIsRefused(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.insertOfAnExistingIdIsRefused() }
    }

    @Test(arguments: StoreKind.allCases)
    func updateBumpsSequenceAndKeepsId(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.updateBumpsSequenceAndKeepsId() }
    }

    @Test(arguments: StoreKind.allCases)
    func updateThatChangesNothingKeepsVersionAndSequence(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.updateThatChangesNothingKeepsVersionAndSequence() }
    }

    @Test(arguments: StoreKind.allCases)
    func updateWithStaleVersionThrowsMismatchCarryingCurrentRecord(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.updateWithStaleVersionThrowsMismatchCarryingCurrentRecord() }
    }

    @Test(arguments: StoreKind.allCases)
    func updateOfDeletedOrUnknownRecordIsNotFound(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.updateOfDeletedOrUnknownRecordIsNotFound() }
    }

    @Test(arguments: StoreKind.allCases)
    func insertReferencingMissingRecordStoresNothing(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.insertReferencingMissingRecordStoresNothing() }
    }

    @Test(arguments: StoreKind.allCases)
    func insertReferencingDeletedRecordStoresNothing(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.insertReferencingDeletedRecordStoresNothing() }
    }

    @Test(arguments: StoreKind.allCases)
    func updateReferencingMissingRecordChangesNothing(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.updateReferencingMissingRecordChangesNothing() }
    }

    @Test(arguments: StoreKind.allCases)
    func insertBatchWithExistingIdStoresNoneOfTheBatch(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.insertBatchWithExistingIdStoresNoneOfTheBatch() }
    }

    @Test(arguments: StoreKind.allCases)
    func insertBatchWithIdTwiceStoresNone(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.insertBatchWithIdTwiceStoresNone() }
    }

    @Test(arguments: StoreKind.allCases)
    func insertBatchGivesConsecutiveSequenceNumbersInOrder(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.insertBatchGivesConsecutiveSequenceNumbersInOrder() }
    }

    @Test(arguments: StoreKind.allCases)
    func deleteLeavesTombstoneThatRecordFindsAndListSkips(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.deleteLeavesTombstoneThatRecordFindsAndListSkips() }
    }

    @Test(arguments: StoreKind.allCases)
    func deleteWithStaleVersionChangesNothing(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.deleteWithStaleVersionChangesNothing() }
    }
}

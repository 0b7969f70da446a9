import CRMStore
import CRMTesting
import Testing

/// `AttachmentIndexConformance` on every store.
@Suite("Records listing attachments") struct AttachmentIndexConformanceTests {
    /// The store protocols the suite needs.
    private typealias Store = any AttachmentStore & RecordStore & SyncStore

    /// Runs one test of the suite on a fresh store of `kind`.
    private func run(_ kind: StoreKind, _ test: (AttachmentIndexConformance) async throws -> Void) async throws {
        try await kind.run(Store.self) { try await test(AttachmentIndexConformance(store: $0)) }
    }

    @Test(arguments: StoreKind.allCases)
    func liveRecordsListingAHashAreIndexedUntilTheyDropItOrAreDeleted(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.liveRecordsListingAHashAreIndexedUntilTheyDropItOrAreDeleted() }
    }

    @Test(arguments: StoreKind.allCases)
    func aDeviceHoldingARecordWithAttachmentsMissesNoRecordForThem(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.aDeviceHoldingARecordWithAttachmentsMissesNoRecordForThem() }
    }
}

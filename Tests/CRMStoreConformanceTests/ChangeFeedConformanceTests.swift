import CRMStore
import CRMTesting
import Testing

/// `ChangeFeedConformance` on every store.
@Suite("Change feed") struct ChangeFeedConformanceTests {
    /// The store protocols the suite needs.
    private typealias Store = any RecordStore & SyncStore

    /// Runs one test of the suite on a fresh store of `kind`.
    private func run(_ kind: StoreKind, _ test: (ChangeFeedConformance) async throws -> Void) async throws {
        try await kind.run(Store.self) { try await test(ChangeFeedConformance(store: $0)) }
    }

    @Test(arguments: StoreKind.allCases)
    func theFeedCarriesTombstonesAndTheLatestVersionOnly(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.theFeedCarriesTombstonesAndTheLatestVersionOnly() }
    }

    @Test(arguments: StoreKind.allCases)
    func aConcurrentReaderNeverSeesAGapThatIsFilledLater(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.aConcurrentReaderNeverSeesAGapThatIsFilledLater() }
    }

    @Test(arguments: StoreKind.allCases)
    func aBatchLargerThanAChunkStoresEveryRecordInOrder(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.aBatchLargerThanAChunkStoresEveryRecordInOrder() }
    }
}

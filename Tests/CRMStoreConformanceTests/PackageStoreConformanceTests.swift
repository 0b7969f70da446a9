import CRMStore
import CRMTesting
import Testing

/// `PackageStoreConformance` on every store.
@Suite("Published packages") struct PackageStoreConformanceTests {
    /// The store protocols the suite needs.
    private typealias Store = any PackageStore

    /// Runs one test of the suite on a fresh store of `kind`.
    private func run(_ kind: StoreKind, _ test: (PackageStoreConformance) async throws -> Void) async throws {
        try await kind.run(Store.self) { try await test(PackageStoreConformance(store: $0)) }
    }

    @Test(arguments: StoreKind.allCases)
    func publishedPackageReadsBackExactly(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.publishedPackageReadsBackExactly() }
    }

    @Test(arguments: StoreKind.allCases)
    func publishingSameVersionAndContentAgainIsIdempotent(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.publishingSameVersionAndContentAgainIsIdempotent() }
    }

    @Test(arguments: StoreKind.allCases)
    func publishingSameVersionWithOtherContentIsRefused(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.publishingSameVersionWithOtherContentIsRefused() }
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentPublishesOfOneVersionKeepOne(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.concurrentPublishesOfOneVersionKeepOne() }
    }

    @Test(arguments: StoreKind.allCases)
    func latestIsHighestVersionAndRolesFollowTheirLatestPublish(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.latestIsHighestVersionAndRolesFollowTheirLatestPublish() }
    }
}

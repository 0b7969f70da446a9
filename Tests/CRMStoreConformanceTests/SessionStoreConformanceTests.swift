import CRMStore
import CRMTesting
import Testing

/// `SessionStoreConformance` on every store.
@Suite("Sessions") struct SessionStoreConformanceTests {
    /// The store protocols the suite needs.
    private typealias Store = any UserStore & SessionStore

    /// Runs one test of the suite on a fresh store of `kind`.
    private func run(_ kind: StoreKind, _ test: (SessionStoreConformance) async throws -> Void) async throws {
        try await kind.run(Store.self) { try await test(SessionStoreConformance(store: $0)) }
    }

    @Test(arguments: StoreKind.allCases)
    func sessionIsCreatedFetchedByHashAndDeleted(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.sessionIsCreatedFetchedByHashAndDeleted() }
    }

    @Test(arguments: StoreKind.allCases)
    func deleteSessionsOfUserKeepsOthers(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.deleteSessionsOfUserKeepsOthers() }
    }

    @Test(arguments: StoreKind.allCases)
    func deleteExpiredSessionsRemovesOnlyThoseExpiredBeforeTheDate(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.deleteExpiredSessionsRemovesOnlyThoseExpiredBeforeTheDate() }
    }

    @Test(arguments: StoreKind.allCases)
    func aSessionOfAnUnknownUserIsRefused(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.aSessionOfAnUnknownUserIsRefused() }
    }
}

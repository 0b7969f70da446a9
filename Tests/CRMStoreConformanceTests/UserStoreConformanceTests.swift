import CRMStore
import CRMTesting
import Testing

/// `UserStoreConformance` on every store.
@Suite("Users") struct UserStoreConformanceTests {
    /// The store protocols the suite needs.
    private typealias Store = any UserStore & SessionStore

    /// Runs one test of the suite on a fresh store of `kind`.
    private func run(_ kind: StoreKind, _ test: (UserStoreConformance) async throws -> Void) async throws {
        try await kind.run(Store.self) { try await test(UserStoreConformance(store: $0)) }
    }

    @Test(arguments: StoreKind.allCases)
    func addedUserReadsBackExactly(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.addedUserReadsBackExactly() }
    }

    @Test(arguments: StoreKind.allCases)
    func usersAreListedByNameBytewise(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.usersAreListedByNameBytewise() }
    }

    @Test(arguments: StoreKind.allCases)
    func timesKeepTheirMillisecond(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.timesKeepTheirMillisecond() }
    }

    @Test(arguments: StoreKind.allCases)
    func addingAnExistingNameIsRefused(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.addingAnExistingNameIsRefused() }
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentAddsOfOneNameLeaveOneUser(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.concurrentAddsOfOneNameLeaveOneUser() }
    }

    @Test(arguments: StoreKind.allCases)
    func reportsAreTransitiveAndExcludeTheUser(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.reportsAreTransitiveAndExcludeTheUser() }
    }

    @Test(arguments: StoreKind.allCases)
    func managerCycleEndsAndStillExcludesTheUser(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.managerCycleEndsAndStillExcludesTheUser() }
    }

    @Test(arguments: StoreKind.allCases)
    func updateUserChangesFieldsButNotNameOrCreation(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.updateUserChangesFieldsButNotNameOrCreation() }
    }

    @Test(arguments: StoreKind.allCases)
    func aChangeThatThrowsChangesNothing(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.aChangeThatThrowsChangesNothing() }
    }

    @Test(arguments: StoreKind.allCases)
    func disablingAUserDeletesTheirSessionsOnly(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.disablingAUserDeletesTheirSessionsOnly() }
    }
}

import CRMStore
import CRMTesting
import Testing

/// `LoginThrottleConformance` on every store.
@Suite("Login throttle") struct LoginThrottleConformanceTests {
    /// The store protocols the suite needs.
    private typealias Store = any LoginThrottleStore

    /// Runs one test of the suite on a fresh store of `kind`.
    private func run(_ kind: StoreKind, _ test: (LoginThrottleConformance) async throws -> Void) async throws {
        try await kind.run(Store.self) { try await test(LoginThrottleConformance(store: $0)) }
    }

    @Test(arguments: StoreKind.allCases)
    func failuresBelowTheLimitDoNotLock(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.failuresBelowTheLimitDoNotLock() }
    }

    @Test(arguments: StoreKind.allCases)
    func reachingMaxFailuresLocksForTheLockPeriod(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.reachingMaxFailuresLocksForTheLockPeriod() }
    }

    @Test(arguments: StoreKind.allCases)
    func furtherFailuresDoubleTheLockUpToTheMaximum(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.furtherFailuresDoubleTheLockUpToTheMaximum() }
    }

    @Test(arguments: StoreKind.allCases)
    func failuresOutsideTheWindowStartANewCount(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.failuresOutsideTheWindowStartANewCount() }
    }

    @Test(arguments: StoreKind.allCases)
    func keysAreCountedSeparatelyAndTheLatestLockWins(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.keysAreCountedSeparatelyAndTheLatestLockWins() }
    }

    @Test(arguments: StoreKind.allCases)
    func clearFailuresUnlocksAndResetsTheCount(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.clearFailuresUnlocksAndResetsTheCount() }
    }

    @Test(arguments: StoreKind.allCases)
    func waitingOutEachLockNeverBuysFreshGuesses(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.waitingOutEachLockNeverBuysFreshGuesses() }
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentFailuresAreAllCounted(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.concurrentFailuresAreAllCounted() }
    }
}

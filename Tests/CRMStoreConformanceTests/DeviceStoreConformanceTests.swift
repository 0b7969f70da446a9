import CRMStore
import CRMTesting
import Testing

/// `DeviceStoreConformance` on every store.
@Suite("Devices and refresh tokens") struct DeviceStoreConformanceTests {
    /// The store protocols the suite needs.
    private typealias Store = any DeviceStore & UserStore & SessionStore

    /// Runs one test of the suite on a fresh store of `kind`.
    private func run(_ kind: StoreKind, _ test: (DeviceStoreConformance) async throws -> Void) async throws {
        try await kind.run(Store.self) { try await test(DeviceStoreConformance(store: $0)) }
    }

    @Test(arguments: StoreKind.allCases)
    func addedDevicesReadBackAndListByUserThenRegistration(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.addedDevicesReadBackAndListByUserThenRegistration() }
    }

    @Test(arguments: StoreKind.allCases)
    func aDeviceNeedsAnExistingUserAndAFreshId(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.aDeviceNeedsAnExistingUserAndAFreshId() }
    }

    @Test(arguments: StoreKind.allCases)
    func sessionsRememberTheirDevice(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.sessionsRememberTheirDevice() }
    }

    @Test(arguments: StoreKind.allCases)
    func revokingEndsOnlyThatDevicesTokensAndSessionsAndRemembersThem(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.revokingEndsOnlyThatDevicesTokensAndSessionsAndRemembersThem() }
    }

    @Test(arguments: StoreKind.allCases)
    func touchingRecordsLastSeenButNotOnARevokedDevice(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.touchingRecordsLastSeenButNotOnARevokedDevice() }
    }

    @Test(arguments: StoreKind.allCases)
    func deletingARefreshTokenLeavesTheDevice(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.deletingARefreshTokenLeavesTheDevice() }
    }

    @Test(arguments: StoreKind.allCases)
    func disablingAUserRevokesTheirDevicesAndEndsTheirTokensInOneTransaction(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.disablingAUserRevokesTheirDevicesAndEndsTheirTokensInOneTransaction() }
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentRegistrationsOfOneIdKeepOne(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.concurrentRegistrationsOfOneIdKeepOne() }
    }

    @Test(arguments: StoreKind.allCases)
    func fetchedRecordsArePerDeviceAndIdempotent(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.fetchedRecordsArePerDeviceAndIdempotent() }
    }
}

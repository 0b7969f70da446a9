import CRMStore
import CRMTesting
import Testing

/// `ValueRoundTripConformance` on every store.
@Suite("Value round trips") struct ValueRoundTripConformanceTests {
    /// The store protocols the suite needs.
    private typealias Store = any RecordStore & SyncStore

    /// Runs one test of the suite on a fresh store of `kind`.
    private func run(_ kind: StoreKind, _ test: (ValueRoundTripConformance) async throws -> Void) async throws {
        try await kind.run(Store.self) { try await test(ValueRoundTripConformance(store: $0)) }
    }

    @Test(arguments: StoreKind.allCases, ValueRoundTripConformance.texts)
    func textRoundTripsExactly(_ kind: StoreKind, text: String) async throws {
        try await run(kind) { try await $0.textRoundTripsExactly(text: text) }
    }

    @Test(arguments: StoreKind.allCases, ValueRoundTripConformance.numbers)
    func decimalRoundTripsExactly(_ kind: StoreKind, text: String) async throws {
        try await run(kind) { try await $0.decimalRoundTripsExactly(text: text) }
    }

    @Test(arguments: StoreKind.allCases)
    func systemFieldsAndStampsRoundTrip(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.systemFieldsAndStampsRoundTrip() }
    }
}

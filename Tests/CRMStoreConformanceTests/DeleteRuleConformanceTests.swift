import CRMStore
import CRMTesting
import Testing

/// `DeleteRuleConformance` on every store.
@Suite("Delete rules") struct DeleteRuleConformanceTests {
    /// The store protocols the suite needs.
    private typealias Store = any RecordStore & SyncStore

    /// Runs one test of the suite on a fresh store of `kind`.
    private func run(_ kind: StoreKind, _ test: (DeleteRuleConformance) async throws -> Void) async throws {
        try await kind.run(Store.self) { try await test(DeleteRuleConformance(store: $0)) }
    }

    @Test func defaultPackageDeclaresTheRulesTheseTestsRelyOn() {
        DeleteRuleConformance.defaultPackageDeclaresTheRulesTheseTestsRelyOn()
    }

    @Test(arguments: StoreKind.allCases)
    func cascadeDeletesNotesAboutTheRecord(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.cascadeDeletesNotesAboutTheRecord() }
    }

    @Test(arguments: StoreKind.allCases)
    func cascadeFollowsNotesOfNotes(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.cascadeFollowsNotesOfNotes() }
    }

    @Test(arguments: StoreKind.allCases)
    func nullifyClearsReferenceBumpsVersionAndStampsField(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.nullifyClearsReferenceBumpsVersionAndStampsField() }
    }

    @Test(arguments: StoreKind.allCases)
    func nullifyRemovesIdFromManyToManySet(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.nullifyRemovesIdFromManyToManySet() }
    }

    @Test(arguments: StoreKind.allCases)
    func restrictRefusesAndChangesNothingAtAll(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.restrictRefusesAndChangesNothingAtAll() }
    }

    @Test(arguments: StoreKind.allCases)
    func restrictDeepInCascadeRollsBackTheCascade(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.restrictDeepInCascadeRollsBackTheCascade() }
    }

    @Test(arguments: StoreKind.allCases)
    func referenceWithoutRuleIsNullified(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.referenceWithoutRuleIsNullified() }
    }
}

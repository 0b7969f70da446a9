import CRMStore
import CRMTesting
import Testing

/// `AttachmentStoreConformance` on every store.
@Suite("Attachment store") struct AttachmentStoreConformanceTests {
    /// The store protocols the suite needs.
    private typealias Store = any AttachmentStore

    /// Runs one test of the suite on a fresh store of `kind`.
    private func run(_ kind: StoreKind, _ test: (AttachmentStoreConformance) async throws -> Void) async throws {
        try await kind.run(Store.self) { try await test(AttachmentStoreConformance(store: $0)) }
    }

    @Test(arguments: StoreKind.allCases)
    func chunkedAppendsResumeAtTheHeldOffsetAndFinishIntoStoredContent(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.chunkedAppendsResumeAtTheHeldOffsetAndFinishIntoStoredContent() }
    }

    @Test(arguments: StoreKind.allCases)
    func withoutAnUploadAppendAndFinishAreNotFound(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.withoutAnUploadAppendAndFinishAreNotFound() }
    }

    @Test(arguments: StoreKind.allCases)
    func appendRunningPastTheAnnouncedLengthIsRefused(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.appendRunningPastTheAnnouncedLengthIsRefused() }
    }

    @Test(arguments: StoreKind.allCases)
    func contentThatDoesNotHashToItsNameIsDiscarded(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.contentThatDoesNotHashToItsNameIsDiscarded() }
    }

    @Test(arguments: StoreKind.allCases)
    func emptyContentIsStoredToo(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.emptyContentIsStoredToo() }
    }

    @Test(arguments: StoreKind.allCases)
    func sameContentUploadedByTwoUsersIsStoredOnce(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.sameContentUploadedByTwoUsersIsStoredOnce() }
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentAppendsAtOneOffsetWriteOnce(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.concurrentAppendsAtOneOffsetWriteOnce() }
    }

    @Test(arguments: StoreKind.allCases)
    func rangeReadsReturnExactlyTheBytesAskedForAcrossRows(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.rangeReadsReturnExactlyTheBytesAskedForAcrossRows() }
    }

    @Test(arguments: StoreKind.allCases)
    func uploadsUntouchedSinceTheCutoffAreDropped(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.uploadsUntouchedSinceTheCutoffAreDropped() }
    }

    @Test(arguments: StoreKind.allCases)
    func announcingAnotherLengthStartsTheUploadAgain(_ kind: StoreKind) async throws {
        try await run(kind) { try await $0.announcingAnotherLengthStartsTheUploadAgain() }
    }
}

import CRMStore
import CRMStoreSQLite
import CRMTesting
import Foundation
import GRDB
import Testing

/// How the SQLite store lays attachments out in its tables; what every store does is
/// `AttachmentStoreConformance` (CRMStoreConformanceTests).
@Suite struct AttachmentStoreTests {
    /// The one value of a query, such as a count.
    static func scalar(_ store: SQLiteStore, _ sql: String) async throws -> Int? {
        try await store.pool.read { db in try Int.fetchOne(db, sql: sql) }
    }

    @Test func contentIsStoredOnceInRowsOfAtMostAChunkAndUploadRowsGo() async throws {
        try await withStore { store in
            let data = AttachmentStoreConformance.content(700_000)
            async let alice = AttachmentStoreConformance.upload(store, data, user: "alice", piece: 700_000)
            async let bob = AttachmentStoreConformance.upload(store, data, user: "bob", piece: 250_000)
            _ = try await [alice, bob]
            #expect(try await Self.scalar(store, "SELECT count(*) FROM attachments") == 1)
            #expect(try await Self.scalar(store, "SELECT sum(size) FROM attachment_chunks") == 700_000)
            #expect(
                try await Self.scalar(store, "SELECT max(size) FROM attachment_chunks") == StoredAttachment.chunkSize)
            #expect(try await Self.scalar(store, "SELECT count(*) FROM attachment_uploads") == 0)
            #expect(try await Self.scalar(store, "SELECT count(*) FROM attachment_upload_chunks") == 0)
        }
    }

    @Test func discardedAndDroppedUploadsLeaveNoRows() async throws {
        try await withStore { store in
            let data = AttachmentStoreConformance.content(300_000)
            let wrongName = AttachmentStoreConformance.name(AttachmentStoreConformance.content(300_000, seed: 2))
            _ = try await AttachmentStoreConformance.upload(store, data, as: wrongName)
            #expect(try await Self.scalar(store, "SELECT count(*) FROM attachment_upload_chunks") == 0)
            _ = try await store.startUpload(
                sha256: wrongName, user: "alice", length: 10, mediaType: "text/plain", at: AccountsFixture.time(0))
            _ = try await store.appendUpload(
                sha256: wrongName, user: "alice", offset: 0, bytes: Data("012".utf8), at: AccountsFixture.time(10))
            #expect(try await store.dropUploads(untouchedSince: AccountsFixture.time(86_400)) == 1)
            #expect(try await Self.scalar(store, "SELECT count(*) FROM attachment_upload_chunks") == 0)
        }
    }
}

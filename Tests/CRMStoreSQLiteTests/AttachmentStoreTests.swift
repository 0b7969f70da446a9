import CRMModel
import CRMStore
import CRMStoreSQLite
import Foundation
import GRDB
import Testing

/// The attachment store on SQLite: resumable uploads appended in rows of at most 256 KiB, finishing by hashing
/// the rows, content stored once, range reads, the index of records listing content, and stale uploads dropped.
@Suite struct AttachmentStoreTests {
    /// A stand-in digest: the store compares whatever the caller's digest says with the name, and this target
    /// has no SHA-256 of its own (the server passes swift-crypto's; its tests prove the real hash end to end).
    /// Four FNV-1a-64 lanes with different seeds, as 64 hex digits like a SHA-256.
    struct LaneDigest: ContentDigest {
        var lanes: [UInt64] = [
            0xcbf2_9ce4_8422_2325, 0x1234_5678_9abc_def0, 0x0f0f_0f0f_f0f0_f0f0, 0x5555_aaaa_3333_cccc,
        ]

        mutating func update(_ bytes: UnsafeRawBufferPointer) {
            for byte in bytes {
                for lane in 0..<4 {
                    lanes[lane] = (lanes[lane] ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
                }
            }
        }

        func hexDigest() -> String {
            lanes.map { String(format: "%016llx", $0) }.joined()
        }

        static func of(_ data: Data) -> String {
            var digest = LaneDigest()
            data.withUnsafeBytes { digest.update($0) }
            return digest.hexDigest()
        }
    }

    /// The one value of a query, such as a count.
    static func scalar(_ store: SQLiteStore, _ sql: String) async throws -> Int? {
        try await store.pool.read { db in try Int.fetchOne(db, sql: sql) }
    }

    /// `count` bytes that differ with `seed`.
    static func content(_ count: Int, seed: UInt64 = 1) -> Data {
        var state = seed &* 0x9e37_79b9_7f4a_7c15
        return Data(
            (0..<count).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8(truncatingIfNeeded: state >> 33)
            })
    }

    static func ref(_ sha: String, _ name: String = "report.pdf", size: Int = 10) -> FieldValue {
        AttachmentRef.value([AttachmentRef(sha256: sha, name: name, mediaType: "application/pdf", size: size)])
    }

    /// Uploads `data` under `name` for `user` in pieces of `piece` bytes and finishes it.
    @discardableResult
    static func upload(
        _ store: SQLiteStore, _ data: Data, as name: String? = nil, user: String = "alice", piece: Int = 100_000
    ) async throws -> UploadFinish {
        let sha = name ?? LaneDigest.of(data)
        _ = try await store.startUpload(
            sha256: sha, user: user, length: Int64(data.count), mediaType: "application/pdf", at: Fixture.time(0))
        var offset = 0
        while offset < data.count {
            let end = min(offset + piece, data.count)
            let appended = try await store.appendUpload(
                sha256: sha, user: user, offset: Int64(offset), bytes: data[offset..<end], at: Fixture.time(1))
            guard case .appended = appended else {
                Issue.record("append at \(offset): \(appended)")
                break
            }
            offset = end
        }
        return try await store.finishUpload(sha256: sha, user: user, digest: LaneDigest.self, at: Fixture.time(2))
    }

    @Test func chunkedAppendsResumeAtTheHeldOffsetAndFinishIntoStoredContent() async throws {
        try await withStore { store in
            let data = Self.content(700_000)
            let sha = LaneDigest.of(data)
            let upload = try await store.startUpload(
                sha256: sha, user: "alice", length: 700_000, mediaType: "application/pdf", at: Fixture.time(0))
            #expect(upload.received == 0)
            let first = try await store.appendUpload(
                sha256: sha, user: "alice", offset: 0, bytes: data[0..<300_000], at: Fixture.time(1))
            guard case .appended(let held) = first else {
                Issue.record("\(first)")
                return
            }
            #expect(held.received == 300_000)
            // A resumed upload asks where to go on: the offset the store holds.
            #expect(try await store.attachmentUpload(sha256: sha, user: "alice")?.received == 300_000)
            let again = try await store.appendUpload(
                sha256: sha, user: "alice", offset: 0, bytes: data[0..<10], at: Fixture.time(1))
            #expect(again == .offsetMismatch(received: 300_000))
            let early = try await store.finishUpload(
                sha256: sha, user: "alice", digest: LaneDigest.self, at: Fixture.time(1))
            guard case .incomplete = early else {
                Issue.record("\(early)")
                return
            }
            let rest = try await store.appendUpload(
                sha256: sha, user: "alice", offset: 300_000, bytes: data[300_000...], at: Fixture.time(2))
            guard case .appended(let complete) = rest else {
                Issue.record("\(rest)")
                return
            }
            #expect(complete.isComplete)

            let finished = try await store.finishUpload(
                sha256: sha, user: "alice", digest: LaneDigest.self, at: Fixture.time(3))
            guard case .stored(let stored) = finished else {
                Issue.record("\(finished)")
                return
            }
            #expect(stored.size == 700_000)
            #expect(stored.mediaType == "application/pdf")
            #expect(try await store.storedAttachment(sha256: sha) == stored)
            #expect(try await store.attachmentUpload(sha256: sha, user: "alice") == nil)
            #expect(try await store.readAttachment(sha256: sha, offset: 0, maxLength: 1_000_000) == data)
            #expect(
                try await Self.scalar(store, "SELECT max(size) FROM attachment_chunks") == StoredAttachment.chunkSize)
            #expect(try await Self.scalar(store, "SELECT count(*) FROM attachment_upload_chunks") == 0)
        }
    }

    @Test func appendRunningPastTheAnnouncedLengthIsRefused() async throws {
        try await withStore { store in
            let sha = LaneDigest.of(Data("abc".utf8))
            _ = try await store.startUpload(
                sha256: sha, user: "alice", length: 3, mediaType: "text/plain", at: Fixture.time(0))
            let outcome = try await store.appendUpload(
                sha256: sha, user: "alice", offset: 0, bytes: Data("abcd".utf8), at: Fixture.time(1))
            #expect(outcome == .tooLong(length: 3))
            #expect(try await store.attachmentUpload(sha256: sha, user: "alice")?.received == 0)
        }
    }

    @Test func contentThatDoesNotHashToItsNameIsDiscarded() async throws {
        try await withStore { store in
            let data = Self.content(300_000)
            let wrongName = LaneDigest.of(Self.content(300_000, seed: 2))
            let outcome = try await Self.upload(store, data, as: wrongName)
            #expect(outcome == .mismatch(actual: LaneDigest.of(data)))
            #expect(try await store.storedAttachment(sha256: wrongName) == nil)
            #expect(try await store.attachmentUpload(sha256: wrongName, user: "alice") == nil)
            #expect(try await Self.scalar(store, "SELECT count(*) FROM attachment_upload_chunks") == 0)
        }
    }

    @Test func sameContentUploadedByTwoUsersIsStoredOnce() async throws {
        try await withStore { store in
            let data = Self.content(600_000)
            async let alice = Self.upload(store, data, user: "alice")
            async let bob = Self.upload(store, data, user: "bob", piece: 250_000)
            let outcomes = try await [alice, bob]
            for outcome in outcomes {
                guard case .stored(let stored) = outcome else {
                    Issue.record("\(outcome)")
                    continue
                }
                #expect(stored.size == 600_000)
            }
            #expect(try await Self.scalar(store, "SELECT count(*) FROM attachments") == 1)
            #expect(try await Self.scalar(store, "SELECT sum(size) FROM attachment_chunks") == 600_000)
            #expect(try await Self.scalar(store, "SELECT count(*) FROM attachment_uploads") == 0)
            // A third upload of stored content finishes at once: there is nothing left of it to keep.
            let again = try await Self.upload(store, data, user: "carol")
            guard case .stored = again else {
                Issue.record("\(again)")
                return
            }
        }
    }

    @Test func rangeReadsReturnExactlyTheBytesAskedForAcrossRows() async throws {
        try await withStore { store in
            let data = Self.content(650_000)
            let sha = LaneDigest.of(data)
            // Pieces of 100,000 bytes make rows that do not fall on 256 KiB boundaries.
            try await Self.upload(store, data, piece: 100_000)
            for (offset, length) in [(0, 10), (99_990, 20), (250_000, 123_456), (600_000, 100_000), (649_999, 5)] {
                let bytes = try await store.readAttachment(sha256: sha, offset: Int64(offset), maxLength: length)
                #expect(bytes == data[offset..<min(offset + length, data.count)], "at \(offset)")
            }
            #expect(try await store.readAttachment(sha256: sha, offset: 650_000, maxLength: 10).isEmpty)
            #expect(try await store.readAttachment(sha256: LaneDigest.of(Data()), offset: 0, maxLength: 10).isEmpty)
        }
    }

    @Test func liveRecordsListingAHashAreIndexedUntilTheyDropItOrAreDeleted() async throws {
        try await withStore { store in
            let sha = LaneDigest.of(Data("report".utf8))
            let other = LaneDigest.of(Data("photo".utf8))
            let account = try await store.insert(Fixture.record("Account", ["name": "Acme"]))
            let activity = try await store.insert(
                Fixture.record(
                    "Activity", ["subject": "Call", "attachments": Self.ref(sha), "accountId": .string(account.id)]),
                references: [account.id])
            #expect(
                try await store.attachmentHolders(sha256: sha) == [
                    AttachmentHolder(recordID: activity.id, field: "attachments")
                ])

            // A push writes through the same index, and the hash is no record that must be live.
            let note = Fixture.record("Note", ["body": "Photos", "files": Self.ref(other, "a.jpg")])
            _ = try await store.push { tx in try tx.insert(note) }
            #expect(try await store.attachmentHolders(sha256: other).map(\.recordID) == [note.id])

            _ = try await store.update(id: activity.id, expectedVersion: nil, references: [account.id]) { current in
                current.applying(["attachments": Self.ref(other, "b.jpg")], by: "alice", at: Fixture.time(5))
            }
            #expect(try await store.attachmentHolders(sha256: sha).isEmpty)
            #expect(Set(try await store.attachmentHolders(sha256: other).map(\.recordID)) == [note.id, activity.id])

            // Deleting the account follows its delete rules (the activity's reference is cleared) and leaves the
            // activity's attachment listed.
            let package = try DefaultPackage.load()
            let outcome = try await store.delete(
                id: account.id, expectedVersion: nil, by: "alice", at: Fixture.time(6)
            ) { package.references(to: $0) }
            #expect(outcome.updated.map(\.id) == [activity.id])
            #expect(Set(try await store.attachmentHolders(sha256: other).map(\.recordID)) == [note.id, activity.id])
            _ = try await store.delete(
                id: note.id, expectedVersion: nil, by: "alice", at: Fixture.time(6), rules: { _ in [] })
            #expect(try await store.attachmentHolders(sha256: other).map(\.recordID) == [activity.id])
            _ = try await store.delete(
                id: activity.id, expectedVersion: nil, by: "alice", at: Fixture.time(7), rules: { _ in [] })
            #expect(try await store.attachmentHolders(sha256: other).isEmpty)
        }
    }

    @Test func aDeviceHoldingARecordWithAttachmentsMissesNoRecordForThem() async throws {
        try await withStore { store in
            let sha = LaneDigest.of(Data("report".utf8))
            let account = try await store.insert(Fixture.record("Account", ["name": "Acme"]))
            let activity = try await store.insert(
                Fixture.record(
                    "Activity", ["subject": "Call", "attachments": Self.ref(sha), "accountId": .string(account.id)]),
                references: [account.id])
            try await store.saveSyncState(DeviceSyncState(device: "laptop", user: "alice"))
            let generation = try await store.setPending(
                device: "laptop",
                delta: ScopeDelta(upserts: [ScopeEntry(id: activity.id, type: "Activity", version: 1, reason: .filter)])
            )
            #expect(try await store.acknowledge(device: "laptop", generation: generation))
            // Only the account is a missing reference: the attachment's index row names content, not a record.
            #expect(try await store.missingReferences(device: "laptop") == [account.id])
        }
    }

    @Test func uploadsUntouchedSinceTheCutoffAreDropped() async throws {
        try await withStore { store in
            let old = LaneDigest.of(Data("old".utf8))
            let fresh = LaneDigest.of(Data("fresh".utf8))
            _ = try await store.startUpload(
                sha256: old, user: "alice", length: 10, mediaType: "text/plain", at: Fixture.time(0))
            _ = try await store.appendUpload(
                sha256: old, user: "alice", offset: 0, bytes: Data("012".utf8), at: Fixture.time(10))
            _ = try await store.startUpload(
                sha256: fresh, user: "alice", length: 10, mediaType: "text/plain", at: Fixture.time(0))
            _ = try await store.appendUpload(
                sha256: fresh, user: "alice", offset: 0, bytes: Data("012".utf8), at: Fixture.time(90_000))
            #expect(try await store.dropUploads(untouchedSince: Fixture.time(86_400)) == 1)
            #expect(try await store.attachmentUpload(sha256: old, user: "alice") == nil)
            #expect(try await store.attachmentUpload(sha256: fresh, user: "alice")?.received == 3)
            #expect(try await Self.scalar(store, "SELECT count(*) FROM attachment_upload_chunks") == 1)
        }
    }

    @Test func announcingAnotherLengthStartsTheUploadAgain() async throws {
        try await withStore { store in
            let sha = LaneDigest.of(Data("abcdef".utf8))
            _ = try await store.startUpload(
                sha256: sha, user: "alice", length: 6, mediaType: "text/plain", at: Fixture.time(0))
            _ = try await store.appendUpload(
                sha256: sha, user: "alice", offset: 0, bytes: Data("abc".utf8), at: Fixture.time(1))
            let same = try await store.startUpload(
                sha256: sha, user: "alice", length: 6, mediaType: "text/csv", at: Fixture.time(2))
            #expect(same.received == 3)
            #expect(same.mediaType == "text/csv")
            let other = try await store.startUpload(
                sha256: sha, user: "alice", length: 7, mediaType: "text/plain", at: Fixture.time(3))
            #expect(other.received == 0)
            #expect(other.length == 7)
        }
    }
}

import CRMServer
import CRMStore
import Foundation
import Testing

/// What every `AttachmentStore` does: resumable uploads appended in rows of at most 256 KiB, finishing by
/// hashing the rows (SHA-256, as the server does), content stored once whoever uploads it, range reads, and
/// stale uploads dropped. (The index of records listing content is `AttachmentIndexConformance`.)
public struct AttachmentStoreConformance: Sendable {
    public let store: any AttachmentStore

    public init(store: any AttachmentStore) {
        self.store = store
    }

    private typealias F = AccountsFixture

    /// `count` bytes that differ with `seed`.
    public static func content(_ count: Int, seed: UInt64 = 1) -> Data {
        var state = seed &* 0x9e37_79b9_7f4a_7c15
        return Data(
            (0..<count).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8(truncatingIfNeeded: state >> 33)
            })
    }

    /// The name content has in the store.
    public static func name(_ data: Data) -> String { SHA256Digest.hex(of: data) }

    /// Uploads `data` under `name` (its SHA-256 unless given) for `user` in pieces of `piece` bytes and
    /// finishes it.
    @discardableResult
    public static func upload(
        _ store: any AttachmentStore, _ data: Data, as name: String? = nil, user: String = "alice",
        piece: Int = 100_000
    ) async throws -> UploadFinish {
        let sha = name ?? Self.name(data)
        _ = try await store.startUpload(
            sha256: sha, user: user, length: Int64(data.count), mediaType: "application/pdf", at: F.time(0))
        var offset = 0
        while offset < data.count {
            let end = min(offset + piece, data.count)
            let appended = try await store.appendUpload(
                sha256: sha, user: user, offset: Int64(offset), bytes: data[offset..<end], at: F.time(1))
            guard case .appended = appended else {
                Issue.record("append at \(offset): \(appended)")
                break
            }
            offset = end
        }
        return try await store.finishUpload(sha256: sha, user: user, digest: SHA256Digest.self, at: F.time(2))
    }

    public func chunkedAppendsResumeAtTheHeldOffsetAndFinishIntoStoredContent() async throws {
        let data = Self.content(700_000)
        let sha = Self.name(data)
        let upload = try await store.startUpload(
            sha256: sha, user: "alice", length: 700_000, mediaType: "application/pdf", at: F.time(0))
        #expect(upload.received == 0)
        #expect(try await store.attachmentUpload(sha256: sha, user: "alice") == upload)
        let first = try await store.appendUpload(
            sha256: sha, user: "alice", offset: 0, bytes: data[0..<300_000], at: F.time(1))
        guard case .appended(let held) = first else {
            Issue.record("\(first)")
            return
        }
        #expect(held.received == 300_000)
        #expect(held.updatedAt == F.time(1))
        // A resumed upload asks where to go on: the offset the store holds.
        #expect(try await store.attachmentUpload(sha256: sha, user: "alice") == held)
        let again = try await store.appendUpload(
            sha256: sha, user: "alice", offset: 0, bytes: data[0..<10], at: F.time(1))
        #expect(again == .offsetMismatch(received: 300_000))
        let early = try await store.finishUpload(sha256: sha, user: "alice", digest: SHA256Digest.self, at: F.time(1))
        #expect(early == .incomplete(held))
        let rest = try await store.appendUpload(
            sha256: sha, user: "alice", offset: 300_000, bytes: data[300_000...], at: F.time(2))
        guard case .appended(let complete) = rest else {
            Issue.record("\(rest)")
            return
        }
        #expect(complete.isComplete)

        let finished = try await store.finishUpload(
            sha256: sha, user: "alice", digest: SHA256Digest.self, at: F.time(3))
        let expected = StoredAttachment(sha256: sha, size: 700_000, mediaType: "application/pdf", storedAt: F.time(3))
        #expect(finished == .stored(expected))
        #expect(try await store.storedAttachment(sha256: sha) == expected)
        #expect(try await store.attachmentUpload(sha256: sha, user: "alice") == nil)
        #expect(try await store.readAttachment(sha256: sha, offset: 0, maxLength: 1_000_000) == data)
        // Finishing again answers with the stored content.
        #expect(
            try await store.finishUpload(sha256: sha, user: "alice", digest: SHA256Digest.self, at: F.time(4))
                == .stored(expected))
    }

    public func withoutAnUploadAppendAndFinishAreNotFound() async throws {
        let sha = Self.name(Data("nothing".utf8))
        await #expect(throws: StoreError.notFound("upload of \(sha) by alice")) {
            try await store.appendUpload(sha256: sha, user: "alice", offset: 0, bytes: Data("x".utf8), at: F.start)
        }
        await #expect(throws: StoreError.notFound("upload of \(sha) by alice")) {
            try await store.finishUpload(sha256: sha, user: "alice", digest: SHA256Digest.self, at: F.start)
        }
        #expect(try await store.storedAttachment(sha256: sha) == nil)
        #expect(try await store.attachmentUpload(sha256: sha, user: "alice") == nil)
    }

    public func appendRunningPastTheAnnouncedLengthIsRefused() async throws {
        let sha = Self.name(Data("abc".utf8))
        _ = try await store.startUpload(sha256: sha, user: "alice", length: 3, mediaType: "text/plain", at: F.time(0))
        let outcome = try await store.appendUpload(
            sha256: sha, user: "alice", offset: 0, bytes: Data("abcd".utf8), at: F.time(1))
        #expect(outcome == .tooLong(length: 3))
        #expect(try await store.attachmentUpload(sha256: sha, user: "alice")?.received == 0)
    }

    public func contentThatDoesNotHashToItsNameIsDiscarded() async throws {
        let data = Self.content(300_000)
        let wrongName = Self.name(Self.content(300_000, seed: 2))
        let outcome = try await Self.upload(store, data, as: wrongName)
        #expect(outcome == .mismatch(actual: Self.name(data)))
        #expect(try await store.storedAttachment(sha256: wrongName) == nil)
        #expect(try await store.attachmentUpload(sha256: wrongName, user: "alice") == nil)
        #expect(try await !store.hasUploaded(sha256: wrongName, user: "alice"))
        // Nothing of it is left: the right content uploaded under that name afterwards is stored whole.
        let right = Self.content(300_000, seed: 2)
        guard case .stored = try await Self.upload(store, right, as: wrongName, piece: 300_000) else {
            Issue.record("the right content was not stored")
            return
        }
        #expect(try await store.readAttachment(sha256: wrongName, offset: 0, maxLength: 400_000) == right)
    }

    public func emptyContentIsStoredToo() async throws {
        let sha = Self.name(Data())
        let outcome = try await Self.upload(store, Data())
        let stored = StoredAttachment(sha256: sha, size: 0, mediaType: "application/pdf", storedAt: F.time(2))
        #expect(outcome == .stored(stored))
        #expect(try await store.readAttachment(sha256: sha, offset: 0, maxLength: 10) == Data())
    }

    public func sameContentUploadedByTwoUsersIsStoredOnce() async throws {
        let data = Self.content(600_000)
        let sha = Self.name(data)
        let store = store
        async let alice = Self.upload(store, data, user: "alice")
        async let bob = Self.upload(store, data, user: "bob", piece: 250_000)
        let outcomes = try await [alice, bob]
        let stored = try #require(try await store.storedAttachment(sha256: sha))
        #expect(stored.size == 600_000)
        #expect(outcomes == [.stored(stored), .stored(stored)])
        #expect(try await store.attachmentUpload(sha256: sha, user: "alice") == nil)
        #expect(try await store.attachmentUpload(sha256: sha, user: "bob") == nil)
        #expect(try await store.readAttachment(sha256: sha, offset: 0, maxLength: 1_000_000) == data)
        // A third upload of stored content finishes at once: there is nothing left of it to keep.
        #expect(try await Self.upload(store, data, user: "carol") == .stored(stored))
        // Each who sent all of it is known to have it; someone who only knows its name is not.
        for user in ["alice", "bob", "carol"] { #expect(try await store.hasUploaded(sha256: sha, user: user)) }
        #expect(try await !store.hasUploaded(sha256: sha, user: "dave"))
    }

    /// Appends of the same bytes at one offset at once (a client retrying over two servers): one is written, the
    /// others are told the offset the upload holds now.
    public func concurrentAppendsAtOneOffsetWriteOnce() async throws {
        let data = Self.content(400_000)
        let sha = Self.name(data)
        _ = try await store.startUpload(
            sha256: sha, user: "alice", length: 400_000, mediaType: "text/plain", at: F.start)
        let store = store
        let outcomes = try await withThrowingTaskGroup(of: UploadAppend.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    try await store.appendUpload(
                        sha256: sha, user: "alice", offset: 0, bytes: data[0..<300_000], at: F.time(1))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { if case .appended = $0 { true } else { false } }.count == 1)
        #expect(outcomes.filter { $0 == .offsetMismatch(received: 300_000) }.count == 5)
        _ = try await store.appendUpload(
            sha256: sha, user: "alice", offset: 300_000, bytes: data[300_000...], at: F.time(2))
        let finished = try await store.finishUpload(
            sha256: sha, user: "alice", digest: SHA256Digest.self, at: F.time(3))
        guard case .stored = finished else {
            Issue.record("not stored")
            return
        }
        #expect(try await store.readAttachment(sha256: sha, offset: 0, maxLength: 500_000) == data)
    }

    public func rangeReadsReturnExactlyTheBytesAskedForAcrossRows() async throws {
        let data = Self.content(650_000)
        let sha = Self.name(data)
        // Pieces of 100,000 bytes make rows that do not fall on 256 KiB boundaries.
        try await Self.upload(store, data, piece: 100_000)
        for (offset, length) in [(0, 10), (99_990, 20), (250_000, 123_456), (600_000, 100_000), (649_999, 5)] {
            let bytes = try await store.readAttachment(sha256: sha, offset: Int64(offset), maxLength: length)
            #expect(bytes == data[offset..<min(offset + length, data.count)], "at \(offset)")
        }
        #expect(try await store.readAttachment(sha256: sha, offset: 650_000, maxLength: 10).isEmpty)
        #expect(try await store.readAttachment(sha256: sha, offset: 700_000, maxLength: 10).isEmpty)
        #expect(try await store.readAttachment(sha256: sha, offset: 0, maxLength: 0).isEmpty)
        #expect(try await store.readAttachment(sha256: Self.name(Data()), offset: 0, maxLength: 10).isEmpty)
    }

    public func uploadsUntouchedSinceTheCutoffAreDropped() async throws {
        let old = Self.name(Data("old".utf8))
        let fresh = Self.name(Data("fresh".utf8))
        _ = try await store.startUpload(sha256: old, user: "alice", length: 10, mediaType: "text/plain", at: F.time(0))
        _ = try await store.appendUpload(
            sha256: old, user: "alice", offset: 0, bytes: Data("012".utf8), at: F.time(10))
        _ = try await store.startUpload(
            sha256: fresh, user: "alice", length: 10, mediaType: "text/plain", at: F.time(0))
        _ = try await store.appendUpload(
            sha256: fresh, user: "alice", offset: 0, bytes: Data("012".utf8), at: F.time(90_000))
        #expect(try await store.dropUploads(untouchedSince: F.time(86_400)) == 1)
        #expect(try await store.attachmentUpload(sha256: old, user: "alice") == nil)
        #expect(try await store.attachmentUpload(sha256: fresh, user: "alice")?.received == 3)
        #expect(try await store.dropUploads(untouchedSince: F.time(86_400)) == 0)
    }

    public func announcingAnotherLengthStartsTheUploadAgain() async throws {
        let data = Data("abcdefg".utf8)
        let sha = Self.name(data)
        _ = try await store.startUpload(sha256: sha, user: "alice", length: 6, mediaType: "text/plain", at: F.time(0))
        _ = try await store.appendUpload(sha256: sha, user: "alice", offset: 0, bytes: Data("xyz".utf8), at: F.time(1))
        let same = try await store.startUpload(
            sha256: sha, user: "alice", length: 6, mediaType: "text/csv", at: F.time(2))
        #expect(same.received == 3)
        #expect(same.mediaType == "text/csv")
        #expect(same.startedAt == F.time(0))
        #expect(same.updatedAt == F.time(2))
        let other = try await store.startUpload(
            sha256: sha, user: "alice", length: 7, mediaType: "text/plain", at: F.time(3))
        #expect(
            other
                == AttachmentUpload(
                    sha256: sha, user: "alice", length: 7, mediaType: "text/plain", received: 0, startedAt: F.time(3),
                    updatedAt: F.time(3)))
        // The bytes of the first start are gone: the new content alone makes the upload.
        _ = try await store.appendUpload(sha256: sha, user: "alice", offset: 0, bytes: data, at: F.time(4))
        let finished = try await store.finishUpload(
            sha256: sha, user: "alice", digest: SHA256Digest.self, at: F.time(5))
        let stored = StoredAttachment(sha256: sha, size: 7, mediaType: "text/plain", storedAt: F.time(5))
        #expect(finished == .stored(stored))
        #expect(try await store.readAttachment(sha256: sha, offset: 0, maxLength: 100) == data)
    }
}

import Foundation

/// Content in the attachment store: named by its SHA-256, stored once whoever uploaded it.
public struct StoredAttachment: Sendable, Equatable {
    /// Lowercase hex SHA-256 of the content.
    public var sha256: String
    /// Bytes.
    public var size: Int64
    /// The media type the first finished upload declared, such as `application/pdf`.
    public var mediaType: String
    public var storedAt: Date

    /// The most bytes one stored row holds (256 KiB): content is written, hashed and read a row at a time, so
    /// no operation holds a whole file in memory.
    public static let chunkSize = 256 * 1024

    public init(sha256: String, size: Int64, mediaType: String, storedAt: Date) {
        self.sha256 = sha256
        self.size = size
        self.mediaType = mediaType
        self.storedAt = storedAt
    }
}

/// One user's unfinished upload of some content: what has arrived so far, so that a cut upload resumes where it
/// stopped instead of starting again.
public struct AttachmentUpload: Sendable, Equatable {
    public var sha256: String
    public var user: String
    /// The size the uploader announced (`Upload-Length`).
    public var length: Int64
    public var mediaType: String
    /// Bytes received so far: the offset the next append must name.
    public var received: Int64
    public var startedAt: Date
    /// The last append; uploads untouched for a day are dropped.
    public var updatedAt: Date

    public init(
        sha256: String, user: String, length: Int64, mediaType: String, received: Int64, startedAt: Date,
        updatedAt: Date
    ) {
        self.sha256 = sha256
        self.user = user
        self.length = length
        self.mediaType = mediaType
        self.received = received
        self.startedAt = startedAt
        self.updatedAt = updatedAt
    }

    /// Whether every announced byte has arrived.
    public var isComplete: Bool { received >= length }
}

/// What an append did.
public enum UploadAppend: Sendable, Equatable {
    /// The bytes were added; the upload as it is now.
    case appended(AttachmentUpload)
    /// The upload holds `received` bytes, not the offset the writer named: nothing was written, and the writer
    /// resumes from `received`.
    case offsetMismatch(received: Int64)
    /// The bytes would run past the announced length: nothing was written.
    case tooLong(length: Int64)
}

/// What finishing an upload did.
public enum UploadFinish: Sendable, Equatable {
    /// The content hashed to its name and is stored (or already was: another upload finished first).
    case stored(StoredAttachment)
    /// The content hashed to `actual`, not to the name it was uploaded under: the upload was discarded.
    case mismatch(actual: String)
    /// Not every announced byte has arrived yet.
    case incomplete(AttachmentUpload)
}

/// A live record that lists some content in an attachments field.
public struct AttachmentHolder: Sendable, Equatable, Hashable {
    public var recordID: String
    /// The attachments field that lists it.
    public var field: String

    public init(recordID: String, field: String) {
        self.recordID = recordID
        self.field = field
    }
}

/// A SHA-256 computed over content fed to it in order. The store layer has no crypto library: the server
/// passes swift-crypto's (`SHA256Digest` in CRMServer), so finishing an upload hashes the stored rows one at a
/// time without the store depending on it.
public protocol ContentDigest: Sendable {
    init()
    mutating func update(_ bytes: UnsafeRawBufferPointer)
    /// The digest as lowercase hex.
    func hexDigest() -> String
}

/// The server's attachment store (DESIGN section 4): file content for any record, content-addressed by SHA-256
/// and deduplicated, uploaded in resumable pieces and read back in byte ranges, so that files of any size pass
/// through in 256 KiB rows. Records name content in attachments fields (`AttachmentRef`); the store indexes
/// which live records list which hash, so downloads can be allowed only to users who may see one of them.
public protocol AttachmentStore: Sendable {
    /// The stored content named `sha256`, or nil when none is stored.
    func storedAttachment(sha256: String) async throws -> StoredAttachment?

    /// `user`'s unfinished upload of `sha256`, or nil.
    func attachmentUpload(sha256: String, user: String) async throws -> AttachmentUpload?

    /// `user`'s upload of `sha256`, started now when there is none. An upload announced with another length
    /// than before starts again from nothing (the bytes held were of something else); the media type is the
    /// latest announced.
    func startUpload(sha256: String, user: String, length: Int64, mediaType: String, at date: Date) async throws
        -> AttachmentUpload

    /// Appends `bytes` to `user`'s upload of `sha256` if it holds exactly `offset` bytes, in one transaction
    /// (rows of at most `StoredAttachment.chunkSize`). `StoreError.notFound` when there is no such upload.
    func appendUpload(sha256: String, user: String, offset: Int64, bytes: Data, at date: Date) async throws
        -> UploadAppend

    /// Finishes a complete upload: hashes its rows in order with `Digest`, and when the digest is `sha256` moves
    /// them to stored content (once, whoever finishes first) and records that `user` uploaded it (see
    /// `hasUploaded`); on a mismatch the upload is discarded. `StoreError.notFound` when `user` has no upload of
    /// `sha256` and no such content is stored.
    func finishUpload<Digest: ContentDigest>(sha256: String, user: String, digest: Digest.Type, at date: Date)
        async throws -> UploadFinish

    /// Whether `user` once sent the whole content of `sha256` (an upload that hashed to it, stored then or
    /// found stored already). Content is deduplicated across users, so knowing a hash must not be enough to
    /// learn that it is stored or to list it on a record: the uploader may, and so may whoever can read a
    /// record listing it.
    func hasUploaded(sha256: String, user: String) async throws -> Bool

    /// Up to `maxLength` bytes of stored content from `offset` (fewer at the end; empty past it), read from as
    /// few rows as cover them: a download is streamed by calling this from one offset to the next.
    func readAttachment(sha256: String, offset: Int64, maxLength: Int) async throws -> Data

    /// The live records that list `sha256` in an attachments field, with the field.
    func attachmentHolders(sha256: String) async throws -> [AttachmentHolder]

    /// Drops unfinished uploads not appended to since `date`; returns how many went.
    func dropUploads(untouchedSince date: Date) async throws -> Int
}

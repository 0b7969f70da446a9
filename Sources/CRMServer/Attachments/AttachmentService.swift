import CRMModel
import CRMStore
import CRMSyncProtocol
import Foundation
import NIOCore

/// Uploads and downloads of attachment content for a caller (DESIGN section 4): one content-addressed,
/// deduplicated store for every record. Uploads are resumable and streamed into the store in 256 KiB rows, within
/// the limits of the caller's package; content may be read only by someone who may see a live record listing it,
/// and is known to be stored (and may be listed on a record) only to them and to whoever uploaded it.
public struct AttachmentService: Sendable {
    let store: any ServerStore

    /// How long an unfinished upload is kept without an append before the retention schedule drops it.
    public static let staleUploadAge: TimeInterval = 86_400

    public init(store: any ServerStore) {
        self.store = store
    }

    /// Whether content is stored, and otherwise how many bytes of it the caller has uploaded.
    public enum State: Sendable, Equatable {
        case stored(StoredAttachment)
        case partial(received: Int64)
    }

    /// What a PUT achieved.
    public enum UploadOutcome: Sendable, Equatable {
        /// The content was stored before; the body was not read.
        case alreadyStored(StoredAttachment)
        /// The upload completed and hashed to its name.
        case stored(StoredAttachment)
        /// The body ended before the announced length; the bytes are kept for the next PUT.
        case partial(AttachmentUpload)
    }

    public func state(_ caller: Caller, sha256: String) async throws -> State {
        let sha256 = try Self.digest(sha256)
        if let stored = try await store.storedAttachment(sha256: sha256), try await mayClaim(caller, sha256) {
            return .stored(stored)
        }
        let upload = try await store.attachmentUpload(sha256: sha256, user: caller.user.name)
        return .partial(received: upload?.received ?? 0)
    }

    /// Receives (part of) an upload: checks the package's limits, answers at once for stored content, then
    /// appends `body` from `offset` in rows as it arrives and finishes the upload when it is complete. A body
    /// that fails midway (a cut connection) keeps what arrived before the error is rethrown.
    public func upload<Body: AsyncSequence>(
        _ caller: Caller, sha256: String, mediaType: String?, length: Int64?, offset: Int64, body: Body,
        now: @escaping @Sendable () -> Date = Timestamp.now
    ) async throws -> UploadOutcome where Body.Element == ByteBuffer {
        let sha256 = try Self.digest(sha256)
        guard let length, length >= 0 else {
            throw CRMError(
                .malformed, "send the whole size of the file in bytes as \(AttachmentHeader.uploadLength)",
                field: AttachmentHeader.uploadLength)
        }
        let mediaType = try Self.mediaType(mediaType)
        try UploadLimits(caller.package).check(length: length, mediaType: mediaType)
        // Content stored by someone else is taken as the caller's only once they sent all of it (it hashes to
        // its name): knowing a hash proves nothing.
        if let stored = try await store.storedAttachment(sha256: sha256), try await mayClaim(caller, sha256) {
            return .alreadyStored(stored)
        }
        guard offset >= 0, offset <= length else {
            throw CRMError(
                .malformed, "\(AttachmentHeader.uploadOffset) is a byte offset from 0 to \(length)",
                field: AttachmentHeader.uploadOffset)
        }
        let user = caller.user.name
        let upload = try await store.startUpload(
            sha256: sha256, user: user, length: length, mediaType: mediaType, at: now())
        guard upload.received == offset else { throw Self.offsetRefusal(upload.received) }
        var received = offset
        var pending = Data()
        /// Appends pending bytes at `received` in whole rows (all of them when `all`), so rows stay aligned to
        /// `chunkSize`; a mismatch means another PUT of the same upload ran meanwhile.
        func flush(all: Bool) async throws {
            while pending.count >= StoredAttachment.chunkSize || (all && !pending.isEmpty) {
                let bytes = pending.prefix(StoredAttachment.chunkSize)
                switch try await store.appendUpload(
                    sha256: sha256, user: user, offset: received, bytes: bytes, at: now())
                {
                case .appended(let upload): received = upload.received
                case .offsetMismatch(let held): throw Self.offsetRefusal(held)
                case .tooLong(let length): throw Self.tooLong(length)
                }
                pending.removeFirst(bytes.count)
            }
        }
        do {
            for try await buffer in body {
                if received + Int64(pending.count + buffer.readableBytes) > length { throw Self.tooLong(length) }
                pending.append(contentsOf: buffer.readableBytesView)
                try await flush(all: false)
            }
            try await flush(all: true)
        } catch let error as CRMError {
            throw error
        } catch {
            // The body was cut: keep what arrived, so the next PUT resumes from there.
            try? await flush(all: true)
            throw error
        }
        guard received == length else {
            guard let upload = try await store.attachmentUpload(sha256: sha256, user: user) else {
                throw Self.offsetRefusal(0)
            }
            return .partial(upload)
        }
        switch try await store.finishUpload(sha256: sha256, user: user, digest: SHA256Digest.self, at: now()) {
        case .stored(let stored): return .stored(stored)
        case .incomplete(let upload): return .partial(upload)
        case .mismatch(let actual):
            throw CRMError(
                .validation([
                    FieldIssue(
                        field: "sha256", code: .badFormat,
                        message: "the content's SHA-256 is \(actual), not \(sha256); the upload was discarded")
                ]),
                "the uploaded content does not hash to \(sha256) (it hashes to \(actual)); the upload was discarded: "
                    + "upload the file again", field: "sha256")
        }
    }

    /// The stored content named `sha256`, if the caller may see a live record that lists it; not found otherwise,
    /// whether or not it is stored, so that nobody learns of content they may not see.
    public func download(_ caller: Caller, sha256: String) async throws -> StoredAttachment {
        let sha256 = try Self.digest(sha256)
        guard try await mayRead(caller, sha256), let stored = try await store.storedAttachment(sha256: sha256) else {
            throw CRMError.notFound("attachment \(sha256)")
        }
        return stored
    }

    /// Up to `maxLength` bytes of content from `offset`; for the download route, after `download` allowed it.
    public func read(sha256: String, offset: Int64, maxLength: Int) async throws -> Data {
        try await store.readAttachment(sha256: sha256, offset: offset, maxLength: maxLength)
    }

    /// Drops uploads nobody appended to for `staleUploadAge`; returns how many went.
    public func dropStaleUploads(now: Date = Timestamp.now()) async throws -> Int {
        try await store.dropUploads(untouchedSince: now.addingTimeInterval(-Self.staleUploadAge))
    }

    /// Whether the caller may learn that `sha256` is stored and list it on a record: they sent its whole content
    /// once (`AttachmentStore.hasUploaded`), or may read a live record listing it.
    func mayClaim(_ caller: Caller, _ sha256: String) async throws -> Bool {
        if try await store.hasUploaded(sha256: sha256, user: caller.user.name) { return true }
        return try await mayRead(caller, sha256)
    }

    /// Whether a live record listing `sha256` is one the caller may read (the record read route's check: a type of
    /// the caller's package, inside their visibility), through a field their role shows.
    func mayRead(_ caller: Caller, _ sha256: String) async throws -> Bool {
        let holders = try await store.attachmentHolders(sha256: sha256)
        var fields: [String: Set<String>] = [:]
        for holder in holders { fields[holder.recordID, default: []].insert(holder.field) }
        let ids = fields.keys.sorted()
        for start in stride(from: 0, to: ids.count, by: 200) {
            for record in try await store.records(ids: Array(ids[start..<min(start + 200, ids.count)])) {
                guard !record.deleted, caller.canSee(record), let type = caller.package.types[record.type] else {
                    continue
                }
                if fields[record.id, default: []].contains(where: { type.fields[$0] != nil }) { return true }
            }
        }
        return false
    }

    // MARK: - Input

    /// A lowercase hex SHA-256, or 400.
    static func digest(_ text: String) throws -> String {
        let lowered = text.lowercased()
        guard AttachmentRef.isDigest(lowered) else {
            throw CRMError(.malformed, "'\(text)' is not a SHA-256 (64 hex digits)", field: "sha256")
        }
        return lowered
    }

    /// The media type of a `Content-Type` header without its parameters, lowercased; octet-stream when absent.
    static func mediaType(_ header: String?) throws -> String {
        let value = (header ?? "").split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        guard let value, !value.isEmpty else { return "application/octet-stream" }
        guard value.range(of: #"^[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+$"#, options: .regularExpression) != nil else {
            throw CRMError(.malformed, "'\(value)' is not a media type such as application/pdf", field: "Content-Type")
        }
        return value
    }

    static func offsetRefusal(_ held: Int64) -> CRMError {
        CRMError(
            .uploadOffset(held),
            "the server holds \(held) bytes of this upload; send the rest from there "
                + "(\(AttachmentHeader.uploadOffset): \(held))", field: AttachmentHeader.uploadOffset)
    }

    static func tooLong(_ length: Int64) -> CRMError {
        CRMError(
            .malformed, "the body runs past the \(length) bytes announced in \(AttachmentHeader.uploadLength)",
            field: AttachmentHeader.uploadLength)
    }
}

import Foundation

/// The headers of the attachment routes (`/api/v1/attachments/{sha256}`), shared by server and desktop.
///
/// An upload is resumable: `HEAD` says how many bytes of it the server already holds for the caller
/// (`Upload-Offset`), and a `PUT` sends the rest from there, announcing the whole size in `Upload-Length`.
public enum AttachmentHeader {
    /// The whole size of the content in bytes (PUT, required).
    public static let uploadLength = "Upload-Length"
    /// The byte the body starts at (PUT, default 0); in answers, the bytes the server holds of the caller's upload.
    public static let uploadOffset = "Upload-Offset"
}

/// `PUT /api/v1/attachments/{sha256}` (201 when the upload completes, 200 when the content was already stored):
/// the stored content.
public struct AttachmentInfo: Codable, Sendable, Equatable {
    /// Lowercase hex SHA-256 of the content: its name in the store.
    public var sha256: String
    /// Bytes.
    public var size: Int64
    /// `type/subtype`, as the first finished upload declared it.
    public var mediaType: String

    public init(sha256: String, size: Int64, mediaType: String) {
        self.sha256 = sha256
        self.size = size
        self.mediaType = mediaType
    }
}

/// `PUT /api/v1/attachments/{sha256}` answered 202: the body ended before `Upload-Length` bytes had arrived; the
/// server keeps them, and the next PUT continues at `offset`.
public struct AttachmentUploadProgress: Codable, Sendable, Equatable {
    public var sha256: String
    /// The bytes the server holds of this upload (also in the `Upload-Offset` header).
    public var offset: Int64
    /// The announced whole size.
    public var length: Int64

    public init(sha256: String, offset: Int64, length: Int64) {
        self.sha256 = sha256
        self.offset = offset
        self.length = length
    }
}

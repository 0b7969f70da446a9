import Foundation

/// A part of a message that is not its body text: a file, an inline image, an attached message, a signature.
public struct MailAttachment: Sendable, Equatable {
    /// The file name: RFC 2231 (`filename*=`, continuations `filename*0*=`) and RFC 2047 names decoded; the
    /// `name` parameter of Content-Type when there is no `filename`. An attached message is named from its
    /// subject with `.eml`. Nil when the part names no file.
    public var filename: String?
    /// The lowercased `type/subtype`, e.g. `image/jpeg`.
    public var mediaType: String
    /// The Content-ID without angle brackets, by which an HTML body refers to an inline image (`cid:`).
    public var contentID: String?
    /// True when the part is meant to be shown within the message (Content-Disposition `inline`, or no
    /// disposition but a Content-ID) rather than offered as a file.
    public var isInline: Bool
    /// The bytes, transfer-decoded (base64 and quoted-printable undone).
    public var data: Data
    /// The size of `data` in bytes.
    public var size: Int { data.count }

    public init(filename: String?, mediaType: String, contentID: String? = nil, isInline: Bool = false, data: Data) {
        self.filename = filename
        self.mediaType = mediaType
        self.contentID = contentID
        self.isInline = isInline
        self.data = data
    }
}

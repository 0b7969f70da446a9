import Foundation

/// A parsed email message: the headers a CRM shows and links by (addresses, date, ids), one readable text and
/// the attachments. Read by `MailReader`; built only from the message's bytes, so equal input gives equal output.
public struct MailMessage: Sendable, Equatable {
    /// Every top-level header, in order: the name as written, the value unfolded and RFC 2047-decoded.
    public var headers: [MailHeader]
    public var subject: String?
    public var from: [MailAddress]
    public var sender: MailAddress?
    public var replyTo: [MailAddress]
    public var to: [MailAddress]
    public var cc: [MailAddress]
    public var bcc: [MailAddress]
    /// The `Date` header as an instant; nil when missing or unreadable (then `warnings` says why).
    public var date: Date?
    /// The `Message-ID` without its angle brackets.
    public var messageID: String?
    /// The ids of `In-Reply-To`, without brackets.
    public var inReplyTo: [String]
    /// The ids of `References`, without brackets, oldest first as written.
    public var references: [String]
    /// The readable body with `\n` line endings: text/plain preferred, else text/html turned into readable text.
    /// Several inline text parts of a multipart/mixed are joined with a blank line.
    public var text: String
    /// Every part that is not body text: files, inline images, attached messages (`.eml`), signatures, reports.
    public var attachments: [MailAttachment]
    /// Non-fatal problems met while reading, each a sentence naming the header or part (e.g. "part 2").
    public var warnings: [String]

    public init(
        headers: [MailHeader] = [], subject: String? = nil, from: [MailAddress] = [], sender: MailAddress? = nil,
        replyTo: [MailAddress] = [], to: [MailAddress] = [], cc: [MailAddress] = [], bcc: [MailAddress] = [],
        date: Date? = nil, messageID: String? = nil, inReplyTo: [String] = [], references: [String] = [],
        text: String = "", attachments: [MailAttachment] = [], warnings: [String] = []
    ) {
        self.headers = headers
        self.subject = subject
        self.from = from
        self.sender = sender
        self.replyTo = replyTo
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.date = date
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.references = references
        self.text = text
        self.attachments = attachments
        self.warnings = warnings
    }

    /// The values of the headers named `name` (compared case-insensitively), in order.
    public func headerValues(_ name: String) -> [String] {
        let key = name.lowercased()
        return headers.filter { $0.name.lowercased() == key }.map(\.value)
    }
}

/// One header field as it is shown: the name as written, the value unfolded and RFC 2047-decoded.
public struct MailHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

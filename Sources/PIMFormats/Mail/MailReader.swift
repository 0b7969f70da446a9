import Foundation

/// Reads email messages (RFC 5322, MIME RFC 2045-2049, RFC 2047/2231 encoded words and parameters) from
/// their bytes, as `.eml` files and maildir entries hold them, into a `MailMessage`. Pure: no file or network
/// access, linear in the size of the input, and lenient the way mail readers must be: what it can work
/// around becomes a warning, and only input that is not a message at all (or too large or too deeply nested
/// to read safely) is a `MailFormatError`.
public struct MailReader: Sendable {
    /// Input larger than this is refused before parsing.
    public var maxBytes: Int
    /// How many multipart sections may be nested inside one another. Each level is one recursion of the
    /// reader, so keep it small; real mail nests four or five deep.
    public var maxDepth: Int

    public init(maxBytes: Int = 50 * 1024 * 1024, maxDepth: Int = 20) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
    }

    /// The message in `data`. Throws when it is larger than `maxBytes`, has no header section (empty, binary,
    /// or a first line that is not a header field), has a multipart whose boundary never occurs, or nests
    /// multiparts deeper than `maxDepth`; the error names the line.
    public func read(_ data: Data) throws(MailFormatError) -> MailMessage {
        guard data.count <= maxBytes else { throw MailFormatError(.tooLarge(limit: maxBytes, size: data.count)) }
        let source = MailBytes([UInt8](data))
        let count = source.bytes.count
        var start = 0  // blank lines before the headers are skipped
        while start < count {
            let line = source.line(at: start, limit: count)
            guard source.isBlank(line.start..<line.contentEnd) else { break }
            start = line.end
        }
        guard start < count else { throw MailFormatError(.noHeaders) }
        let block = HeaderBlock(source, from: start, limit: count, skipMboxLine: true)
        guard !block.fields.isEmpty else {
            throw MailFormatError(.noHeaders, line: source.lineNumber(of: block.junkOffset ?? start))
        }
        var message = MailMessage()
        if let junk = block.junkOffset {
            message.warnings.append("line \(source.lineNumber(of: junk)) is not a header field; the header section "
                + "was taken to end before it")
        }
        readHeaders(block.fields, into: &message)
        let entity = MIMEEntity(fields: block.fields, body: block.bodyStart..<count, offset: start)
        var assembler = MailBodyAssembler(source: source, maxDepth: maxDepth)
        let result = try assembler.walk(entity)
        message.text = result.pieces.map { Self.trimmingBlankLines($0.text) }.filter { !$0.isEmpty }
            .joined(separator: "\n\n")
        message.attachments = result.attachments
        message.warnings += assembler.warnings
        return message
    }

    /// The decoded header list and the fields a CRM reads from it.
    private func readHeaders(_ fields: [HeaderField], into message: inout MailMessage) {
        for field in fields {
            var unknown: [String] = []
            message.headers.append(
                MailHeader(name: field.name, value: EncodedWord.decode(field.rawValue, unknownCharsets: &unknown)))
            for charset in unknown {
                message.warnings.append("unknown charset '\(charset)' in header \(field.name); read as ISO-8859-1")
            }
        }
        func addresses(_ name: String) -> [MailAddress] {
            fields.all(named: name).flatMap { AddressList.parse($0.rawValue) }
        }
        message.subject = fields.first(named: "Subject").map { EncodedWord.decode($0.rawValue) }
        message.from = addresses("From")
        message.sender = addresses("Sender").first
        message.replyTo = addresses("Reply-To")
        message.to = addresses("To")
        message.cc = addresses("Cc")
        message.bcc = addresses("Bcc")
        if let date = fields.first(named: "Date")?.rawValue {
            message.date = MailDate.parse(date)
            if message.date == nil { message.warnings.append("unreadable date '\(date)'; the date was left empty") }
        }
        message.messageID = fields.first(named: "Message-ID").flatMap { MessageIDList.first($0.rawValue) }
        message.inReplyTo = fields.all(named: "In-Reply-To").flatMap { MessageIDList.parse($0.rawValue) }
        message.references = fields.all(named: "References").flatMap { MessageIDList.parse($0.rawValue) }
    }

    /// The text without blank lines at its start and whitespace at its end.
    static func trimmingBlankLines(_ text: String) -> String {
        let scalars = text.unicodeScalars
        var index = scalars.startIndex
        var lineStart = index
        while index < scalars.endIndex, scalars[index] == " " || scalars[index] == "\t" || scalars[index] == "\n" {
            if scalars[index] == "\n" { lineStart = scalars.index(after: index) }
            index = scalars.index(after: index)
        }
        guard index < scalars.endIndex else { return "" }
        var end = scalars.endIndex
        while end > index {
            let previous = scalars[scalars.index(before: end)]
            guard previous == " " || previous == "\t" || previous == "\n" else { break }
            end = scalars.index(before: end)
        }
        return String(scalars[lineStart..<end])
    }
}

/// A message or body part (RFC 2045): its header fields, where its body lies in the message's bytes, and
/// what the fields say about the body (media type, disposition, transfer encoding, names).
struct MIMEEntity: Sendable {
    var fields: [HeaderField]
    var body: Range<Int>
    /// Where the entity starts (its first header, or its body when it has none): for line numbers.
    var offset: Int
    /// Charsets of RFC 2231 parameters that nobody knows (read as ISO-8859-1).
    var unknownCharsets: [String] = []
    let contentType: MIMEHeaderValue
    let disposition: MIMEHeaderValue?

    /// `defaultType` is the type of a part without Content-Type: text/plain, or message/rfc822 in a digest.
    init(fields: [HeaderField], body: Range<Int>, offset: Int, defaultType: String = "text/plain") {
        self.fields = fields
        self.body = body
        self.offset = offset
        var unknown: [String] = []
        var type = fields.first(named: "Content-Type").map {
            MIMEHeaderValue(parsing: $0.rawValue, unknownCharsets: &unknown)
        }
        if let value = type?.value.lowercased() {
            // `text/plain (comment)`, `"image/png"`, stray spaces: each half is its token characters.
            let pieces = value.split(separator: "/", maxSplits: 1).map {
                String($0.drop { $0.isWhitespace || $0 == "\"" || $0 == "'" }.prefix(while: Self.isTokenCharacter))
            }
            if pieces.count == 2, !pieces[0].isEmpty, !pieces[1].isEmpty {
                type?.value = pieces[0] + "/" + pieces[1]
            } else if pieces.first == "text" {
                type?.value = "text/plain"  // `Content-Type: text` as some old mailers write
            } else {
                type = MIMEHeaderValue(value: "text/plain", parameters: type?.parameters ?? [:])
            }
        }
        contentType = type ?? MIMEHeaderValue(value: defaultType)
        disposition = fields.first(named: "Content-Disposition").map {
            MIMEHeaderValue(parsing: $0.rawValue, unknownCharsets: &unknown)
        }
        unknownCharsets = unknown
    }

    /// RFC 2045 token characters (ASCII, no controls, spaces or tspecials).
    static func isTokenCharacter(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue, ascii > 0x20, ascii < 0x7F else { return false }
        return !"()<>@,;:\\\"/[]?=".contains(character)
    }

    /// The entity whose header section starts at `start` in `source`, its body ending at `limit`.
    init(_ source: MailBytes, from start: Int, limit: Int, defaultType: String = "text/plain") {
        let block = HeaderBlock(source, from: start, limit: limit)
        self.init(fields: block.fields, body: block.bodyStart..<limit, offset: start, defaultType: defaultType)
    }

    /// The lowercased `type/subtype`.
    var mediaType: String { contentType.value }

    var isMultipart: Bool { mediaType.hasPrefix("multipart/") }

    /// The subtype of a multipart (`mixed`, `alternative`...).
    var subtype: Substring { mediaType.split(separator: "/", maxSplits: 1).last ?? "" }

    var transferEncoding: TransferEncoding {
        TransferEncoding(header: fields.first(named: "Content-Transfer-Encoding")?.rawValue)
    }

    /// True when Content-Disposition says `attachment`.
    var isAttachmentDisposition: Bool {
        disposition?.value.lowercased().hasPrefix("attachment") == true
    }

    var isInlineDisposition: Bool {
        disposition?.value.lowercased().hasPrefix("inline") == true
    }

    /// The file name: Content-Disposition `filename`, else Content-Type `name`, RFC 2047 words decoded.
    var filename: String? {
        for raw in [disposition?.parameters["filename"], contentType.parameters["name"]] {
            guard let raw else { continue }
            let name = EncodedWord.decode(raw).mailTrimmed()
            if !name.isEmpty { return name }
        }
        return nil
    }

    /// The Content-ID without angle brackets.
    var contentID: String? {
        fields.first(named: "Content-ID").flatMap { MessageIDList.first($0.rawValue) }
    }
}

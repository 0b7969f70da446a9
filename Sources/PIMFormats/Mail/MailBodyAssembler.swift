import Foundation

/// Walks the MIME structure of a message and sorts its parts into readable text and attachments (RFC 2046):
/// multipart/alternative gives its best text (plain over HTML, an empty plain part passed over), mixed joins
/// its inline text parts, related gives its root, signed and report their first part; every other part is an
/// attachment, an attached message kept whole as one `.eml`.
struct MailBodyAssembler {
    /// A piece of readable text, already decoded (HTML already turned into text).
    struct Piece {
        var text: String
        var isHTML: Bool
    }

    struct Result {
        var pieces: [Piece] = []
        var attachments: [MailAttachment] = []

        mutating func add(_ other: Result) {
            pieces += other.pieces
            attachments += other.attachments
        }
    }

    let source: MailBytes
    let maxDepth: Int
    var warnings: [String] = []

    init(source: MailBytes, maxDepth: Int) {
        self.source = source
        self.maxDepth = maxDepth
    }

    /// The text and attachments of `entity`; `label` is its part number (`""` for the message, `2.1`...).
    mutating func walk(_ entity: MIMEEntity, depth: Int = 0, label: String = "") throws(MailFormatError) -> Result {
        noteUnknownCharsets(entity.unknownCharsets, in: label)
        guard entity.isMultipart else { return leaf(entity, label: label, isMessage: label.isEmpty) }
        guard let children = try children(of: entity, depth: depth, label: label) else {
            return leaf(entity, label: label, isMessage: label.isEmpty, forceText: true)
        }
        var result = Result()
        switch entity.subtype {
        case "alternative":
            var results: [Result] = []
            for (child, childLabel) in children { results.append(try walk(child, depth: depth + 1, label: childLabel)) }
            let hasText = { (result: Result) in
                result.pieces.contains { !$0.text.allSatisfy(\.isWhitespace) }
            }
            let chosen = results.firstIndex { hasText($0) && $0.pieces.allSatisfy { !$0.isHTML } }
                ?? results.firstIndex(where: hasText) ?? results.firstIndex { !$0.pieces.isEmpty }
            for (index, child) in results.enumerated() {
                if index == chosen { result.pieces = child.pieces }
                result.attachments += child.attachments
            }
        case "related":
            let start = entity.contentType.parameters["start"].flatMap(MessageIDList.first)
            let root = children.firstIndex { start != nil && $0.entity.contentID == start } ?? 0
            for (index, (child, childLabel)) in children.enumerated() {
                if index == root {
                    result.add(try walk(child, depth: depth + 1, label: childLabel))
                } else {
                    result.attachments += try attachments(child, depth: depth + 1, label: childLabel)
                }
            }
        case "signed", "report":
            for (index, (child, childLabel)) in children.enumerated() {
                if index == 0 {
                    result.add(try walk(child, depth: depth + 1, label: childLabel))
                } else {
                    result.attachments += try attachments(child, depth: depth + 1, label: childLabel)
                }
            }
        case "encrypted":
            for (child, childLabel) in children {
                result.attachments += try attachments(child, depth: depth + 1, label: childLabel)
            }
        default:  // mixed, digest, parallel and unknown subtypes
            for (child, childLabel) in children { result.add(try walk(child, depth: depth + 1, label: childLabel)) }
        }
        return result
    }

    /// Every part of `entity` as attachments, text parts too (a signature, a delivery report).
    private mutating func attachments(_ entity: MIMEEntity, depth: Int, label: String) throws(MailFormatError)
        -> [MailAttachment]
    {
        noteUnknownCharsets(entity.unknownCharsets, in: label)
        guard entity.isMultipart, let children = try children(of: entity, depth: depth, label: label) else {
            return [attachment(entity)]
        }
        var result: [MailAttachment] = []
        for (child, childLabel) in children { result += try attachments(child, depth: depth + 1, label: childLabel) }
        return result
    }

    /// The parts of a multipart with their labels; nil (and a warning) when it names no boundary.
    private mutating func children(of entity: MIMEEntity, depth: Int, label: String) throws(MailFormatError)
        -> [(entity: MIMEEntity, label: String)]?
    {
        let declaration = entity.fields.first(named: "Content-Type")?.offset ?? entity.offset
        guard depth < maxDepth else {
            throw MailFormatError(.nestingTooDeep(limit: maxDepth), line: source.lineNumber(of: declaration))
        }
        guard let boundary = entity.contentType.parameters["boundary"], !boundary.isEmpty else {
            warnings.append("\(entity.mediaType) in \(Self.name(label)) names no boundary; its body was read as text")
            return nil
        }
        guard let body = MultipartBody(source, body: entity.body, boundary: boundary) else {
            throw MailFormatError(.missingBoundary(boundary: boundary), line: source.lineNumber(of: declaration))
        }
        if !body.isClosed {
            warnings.append("\(entity.mediaType) in \(Self.name(label)) has no closing boundary \"--\(boundary)--\"; "
                + "its last part was read to the end")
        }
        let defaultType = entity.subtype == "digest" ? "message/rfc822" : "text/plain"
        return body.parts.enumerated().map { index, range in
            let child = MIMEEntity(source, from: range.lowerBound, limit: range.upperBound, defaultType: defaultType)
            return (child, label.isEmpty ? "\(index + 1)" : "\(label).\(index + 1)")
        }
    }

    /// A part that is not multipart: readable text, or an attachment.
    private mutating func leaf(_ entity: MIMEEntity, label: String, isMessage: Bool, forceText: Bool = false)
        -> Result
    {
        let type = forceText ? "text/plain" : entity.mediaType
        let isText = type == "text/plain" || type == "text/html"
        guard isText, !entity.isAttachmentDisposition, isMessage || entity.filename == nil else {
            return Result(attachments: [attachment(entity)])
        }
        var text = decodeText(entity, label: label)
        if type == "text/html" {
            text = HTMLText.plainText(text)
        } else if entity.contentType.parameters["format"]?.lowercased() == "flowed" {
            let deleteSpace = entity.contentType.parameters["delsp"]?.lowercased() == "yes"
            text = FlowedText.unwrap(text, deleteSpace: deleteSpace)
        }
        return Result(pieces: [Piece(text: text, isHTML: type == "text/html")])
    }

    /// The body of a text part as text with `\n` line endings, in its charset.
    private mutating func decodeText(_ entity: MIMEEntity, label: String) -> String {
        let bytes = entity.transferEncoding.decode(source.bytes[entity.body])
        var charsetName = entity.contentType.parameters["charset"]
        if charsetName == nil, entity.mediaType == "text/html" { charsetName = Self.sniffHTMLCharset(bytes) }
        var charset = MailCharset.ascii
        if let name = charsetName, !name.isEmpty {
            if let known = MailCharset(label: name) {
                charset = known
            } else {
                warnings.append("unknown charset '\(name)' in \(Self.name(label)); read as ISO-8859-1")
                charset = .latin1
            }
        }
        return Self.normalizingLineEnds(charset.decode(bytes))
    }

    /// A part as an attachment; an attached message is named from its subject.
    private func attachment(_ entity: MIMEEntity) -> MailAttachment {
        let data = entity.transferEncoding.decode(source.bytes[entity.body])
        var filename = entity.filename
        if entity.mediaType == "message/rfc822" || entity.mediaType == "message/global" {
            filename = Self.messageFilename(data) ?? filename ?? "message.eml"
        }
        return MailAttachment(
            filename: filename, mediaType: entity.mediaType, contentID: entity.contentID,
            isInline: entity.isInlineDisposition || (entity.disposition == nil && entity.contentID != nil),
            data: Data(data))
    }

    /// `Subject.eml` for an attached message, path separators and control characters replaced; nil when it
    /// has no subject.
    static func messageFilename(_ bytes: [UInt8]) -> String? {
        let enclosed = MailBytes(bytes)
        let block = HeaderBlock(enclosed, from: 0, limit: bytes.count, skipMboxLine: true)
        guard let raw = block.fields.first(named: "Subject")?.rawValue else { return nil }
        let subject = String(EncodedWord.decode(raw).unicodeScalars.map { scalar -> Character in
            scalar == "/" || scalar == "\\" || scalar.value < 0x20 || scalar.value == 0x7F ? "_" : Character(scalar)
        }).mailTrimmed()
        guard !subject.isEmpty else { return nil }
        return String(subject.prefix(200)) + ".eml"
    }

    /// The charset a `<meta>` tag of an HTML part names, looked for in its first 2 KB.
    static func sniffHTMLCharset(_ bytes: [UInt8]) -> String? {
        let head = String(decoding: bytes.prefix(2048), as: UTF8.self).lowercased()
        guard let range = head.range(of: "charset=") else { return nil }
        let name = head[range.upperBound...].drop { $0 == "\"" || $0 == "'" || $0 == " " }
            .prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ":" || $0 == "." }
        return name.isEmpty ? nil : String(name)
    }

    /// CRLF and lone CR as LF.
    static func normalizingLineEnds(_ text: String) -> String {
        var text = text
        let normalized: [UInt8]? = text.withUTF8 { buffer in
            guard buffer.contains(0x0D) else { return nil }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(buffer.count)
            var previousCR = false
            for byte in buffer {
                if byte == 0x0A, previousCR {
                    previousCR = false
                    continue
                }
                previousCR = byte == 0x0D
                bytes.append(previousCR ? 0x0A : byte)
            }
            return bytes
        }
        return normalized.map { String(decoding: $0, as: UTF8.self) } ?? text
    }

    private mutating func noteUnknownCharsets(_ charsets: [String], in label: String) {
        for charset in charsets {
            warnings.append("unknown charset '\(charset)' in \(Self.name(label)); read as ISO-8859-1")
        }
    }

    /// How warnings name a part: `part 2.1`; the message's own body is part 1.
    static func name(_ label: String) -> String {
        "part \(label.isEmpty ? "1" : label)"
    }
}

/// One header field as read: the name as written, the value unfolded but not RFC 2047-decoded (structured
/// headers such as address lists must be parsed before decoding), and where it starts.
struct HeaderField: Sendable, Equatable {
    var name: String
    /// Unfolded (each line break with the whitespace after it becomes one space) and trimmed; 8-bit bytes read
    /// as UTF-8, else Windows-1252.
    var rawValue: String
    /// The offset of the field's first byte in the message.
    var offset: Int
}

/// The header section of a message or a body part (RFC 5322 section 2.2, RFC 2045): fields up to the first
/// empty line. Lenient, as readers of real mail are: whitespace-only lines before the first field are skipped,
/// a line that is neither a field nor a continuation ends the section (it starts the body, and `junkOffset`
/// says where).
struct HeaderBlock: Sendable, Equatable {
    var fields: [HeaderField]
    /// Where the body starts: after the empty line, at the stray line, or at the end.
    var bodyStart: Int
    /// The offset of a line that is not a header field and ended the section early, if any.
    var junkOffset: Int?

    /// Reads the section of `source` from `start`, not past `limit`. With `skipMboxLine`, a first line
    /// `From sender date` (the separator of mbox files) is skipped.
    init(_ source: MailBytes, from start: Int, limit: Int, skipMboxLine: Bool = false) {
        fields = []
        junkOffset = nil
        bodyStart = limit
        var current: (name: String, offset: Int, value: [UInt8])?
        var index = start
        func finish() {
            guard let field = current else { return }
            fields.append(HeaderField(name: field.name, rawValue: Self.text(field.value), offset: field.offset))
            current = nil
        }
        while index < limit {
            let line = source.line(at: index, limit: limit)
            defer { index = line.end }
            if line.isEmpty {
                finish()
                bodyStart = line.end
                return
            }
            let first = source.bytes[line.start]
            if first == 0x20 || first == 0x09 {
                if current != nil {
                    var from = line.start
                    while from < line.contentEnd, source.bytes[from] == 0x20 || source.bytes[from] == 0x09 {
                        from += 1
                    }
                    if from < line.contentEnd { current!.value += [0x20] + source.bytes[from..<line.contentEnd] }
                    continue
                }
                if source.isBlank(line.start..<line.contentEnd) { continue }
            } else if let colon = Self.nameEnd(source, line) {
                finish()
                var nameEnd = colon
                while nameEnd > line.start, source.bytes[nameEnd - 1] == 0x20 || source.bytes[nameEnd - 1] == 0x09 {
                    nameEnd -= 1
                }
                let name = String(decoding: source.bytes[line.start..<nameEnd], as: UTF8.self)
                current = (name, line.start, Array(source.bytes[(colon + 1)..<line.contentEnd]))
                continue
            } else if skipMboxLine, fields.isEmpty, current == nil,
                source.hasPrefix(Array("From ".utf8), at: line.start, limit: line.contentEnd)
            {
                continue
            }
            finish()
            junkOffset = line.start
            bodyStart = line.start
            return
        }
        finish()
        bodyStart = limit
    }

    /// The offset of the colon when the line starts with a field name (printable ASCII but `:`, then
    /// optional whitespace, then `:`).
    private static func nameEnd(_ source: MailBytes, _ line: MailBytes.Line) -> Int? {
        var index = line.start
        while index < line.contentEnd {
            let byte = source.bytes[index]
            if byte == 0x3A { return index > line.start ? index : nil }
            if byte == 0x20 || byte == 0x09 { break }
            if byte < 0x21 || byte > 0x7E { return nil }
            index += 1
        }
        guard index > line.start else { return nil }
        while index < line.contentEnd, source.bytes[index] == 0x20 || source.bytes[index] == 0x09 { index += 1 }
        return index < line.contentEnd && source.bytes[index] == 0x3A ? index : nil
    }

    /// Field bytes as text, trimmed.
    private static func text(_ bytes: [UInt8]) -> String {
        var slice = bytes[...]
        while let first = slice.first, first == 0x20 || first == 0x09 { slice.removeFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 || last == 0x0D { slice.removeLast() }
        return MailCharset.decodeGuessing(slice)
    }
}

extension Array where Element == HeaderField {
    /// The first field named `name`, compared case-insensitively.
    func first(named name: String) -> HeaderField? {
        let key = name.lowercased()
        return first { $0.name.lowercased() == key }
    }

    /// Every field named `name`, compared case-insensitively.
    func all(named name: String) -> [HeaderField] {
        let key = name.lowercased()
        return filter { $0.name.lowercased() == key }
    }
}

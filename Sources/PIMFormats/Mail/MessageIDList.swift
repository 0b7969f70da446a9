/// Message-ID, In-Reply-To and References (RFC 5322 section 3.6.4): the ids without their angle brackets.
/// Lenient: comments and phrases around ids (`<a@b> (Ann's message of ...)`) are skipped, and a header that
/// has no `<...>` at all gives its whitespace- or comma-separated words that look like ids (hold an `@`, or
/// are the header's only word).
enum MessageIDList {
    static func parse(_ raw: String) -> [String] {
        let text = withoutComments(raw)
        var ids: [String] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "<") {
            let afterOpen = rest.index(after: open)
            let close = rest[afterOpen...].firstIndex(of: ">") ?? rest.endIndex
            let id = rest[afterOpen..<close].filter { !$0.isWhitespace }
            if !id.isEmpty { ids.append(String(id)) }
            rest = close < rest.endIndex ? rest[rest.index(after: close)...] : rest[rest.endIndex...]
        }
        if !ids.isEmpty || text.contains("<") { return ids }
        let words = text.split { $0.isWhitespace || $0 == "," }.map(String.init)
        let withAt = words.filter { $0.contains("@") }
        if !withAt.isEmpty { return withAt }
        return words.count == 1 ? words : []
    }

    /// The first id, for Message-ID.
    static func first(_ raw: String) -> String? {
        parse(raw).first
    }

    /// The text with `(comments)` removed, nesting honoured; text inside `<...>` is left alone.
    private static func withoutComments(_ raw: String) -> String {
        guard raw.contains("(") else { return raw }
        var text = ""
        var depth = 0
        var inAngle = false
        for character in raw {
            if depth == 0 {
                if character == "<" { inAngle = true }
                if character == ">" { inAngle = false }
            }
            if !inAngle, character == "(" {
                depth += 1
                continue
            }
            if depth > 0 {
                if character == ")" { depth -= 1 }
                continue
            }
            text.append(character)
        }
        return text
    }
}

/// Writes content lines as RFC 6350 and RFC 5545 want them: CRLF endings, lines folded at 75 octets (never
/// inside a UTF-8 character), parameter values quoted when they hold `:`, `;` or `,`.
public enum ContentLineWriter {
    /// One content line, folded, ending in CRLF.
    public static func write(_ line: ContentLine) -> String {
        var text = ""
        if let group = line.group { text += group + "." }
        text += line.name
        for parameter in line.parameters {
            text += ";" + parameter.name
            if !parameter.values.isEmpty {
                text += "=" + parameter.values.map(quoted).joined(separator: ",")
            }
        }
        text += ":" + line.value
        return fold(text)
    }

    /// Lines, each folded and ending in CRLF.
    public static func write(_ lines: [ContentLine]) -> String {
        lines.map(write).joined()
    }

    static func quoted(_ value: String) -> String {
        value.contains(where: { ":;,".contains($0) }) ? "\"\(value)\"" : value
    }

    /// Folds a logical line into physical lines of at most 75 octets (the first; later ones have the leading
    /// space plus 74), never splitting a UTF-8 sequence.
    public static func fold(_ text: String) -> String {
        var result = ""
        var count = 0
        var limit = 75
        for character in text {
            let size = String(character).utf8.count
            if count + size > limit {
                result += "\r\n "
                count = 1
                limit = 75
            }
            result.append(character)
            count += size
        }
        return result + "\r\n"
    }
}

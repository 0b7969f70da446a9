/// Writes content lines as RFC 6350 and RFC 5545 want them: CRLF endings, lines folded at 75 octets (never
/// inside a UTF-8 character), parameter values quoted when they hold `:`, `;` or `,` or were quoted in the file
/// they were read from, names spelt as they were read.
public enum ContentLineWriter {
    /// One content line, folded, ending in CRLF.
    public static func write(_ line: ContentLine) -> String {
        var text = ""
        if let group = line.group { text += group + "." }
        text += line.writtenName
        for parameter in line.parameters {
            text += ";" + parameter.name
            if !parameter.values.isEmpty {
                // All values quoted or none, so that what is read back is written the same way again.
                let quoting = parameter.quoted || parameter.values.contains(where: needsQuotes)
                text += "=" + parameter.values.map { quoting ? "\"\($0)\"" : $0 }.joined(separator: ",")
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
        needsQuotes(value) ? "\"\(value)\"" : value
    }

    static func needsQuotes(_ value: String) -> Bool {
        value.unicodeScalars.contains { $0 == ":" || $0 == ";" || $0 == "," }
    }

    /// Folds a logical line into physical lines of at most 75 octets (the first; later ones have the leading
    /// space plus 74), never splitting a UTF-8 sequence. It folds between Unicode scalars, not characters: a
    /// character made of many scalars (emoji sequences, stacked combining marks) may be longer than a line, and
    /// unfolding joins the pieces again.
    public static func fold(_ text: String) -> String {
        var result = ""
        var count = 0
        for scalar in text.unicodeScalars {
            let size = UTF8.width(scalar)
            if count + size > 75 {
                result += "\r\n "
                count = 1
            }
            result.unicodeScalars.append(scalar)
            count += size
        }
        return result + "\r\n"
    }
}

/// TEXT values (RFC 6350 section 3.4, RFC 5545 section 3.3.11): backslash escapes, and the splitting of
/// structured (`;`) and list (`,`) values that honours them.
public enum TextValue {
    /// `\n`, `\N`, `\,`, `\;`, `\\` and (vCard 3.0 and 2.1 files do it) `\:` undone.
    ///
    /// This and the functions below work on Unicode scalars, not Characters: a combining mark after `\n`, `,`
    /// or `;` would otherwise make one Character with it and hide the escape or the separator.
    public static func unescape(_ text: String) -> String {
        guard text.unicodeScalars.contains("\\") else { return text }
        var result = String.UnicodeScalarView()
        var escaping = false
        for scalar in text.unicodeScalars {
            if escaping {
                switch scalar {
                case "n", "N": result.append("\n")
                default: result.append(scalar)
                }
                escaping = false
            } else if scalar == "\\" {
                escaping = true
            } else {
                result.append(scalar)
            }
        }
        if escaping { result.append("\\") }
        return String(result)
    }

    /// Escapes `\`, `,`, `;` and newlines (CRLF, LF) for writing; a CR on its own is dropped.
    public static func escape(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result.append(contentsOf: "\\\\".unicodeScalars)
            case ",": result.append(contentsOf: "\\,".unicodeScalars)
            case ";": result.append(contentsOf: "\\;".unicodeScalars)
            case "\n": result.append(contentsOf: "\\n".unicodeScalars)
            case "\r": continue
            default: result.append(scalar)
            }
        }
        return String(result)
    }

    /// Splits on an unescaped `separator` (one Unicode scalar: `;` or `,`), leaving each part escaped (unescape
    /// them after).
    public static func split(_ text: String, on separator: Character) -> [String] {
        let separator = separator.unicodeScalars.first!
        var parts: [String] = []
        var current = String.UnicodeScalarView()
        var escaping = false
        for scalar in text.unicodeScalars {
            if escaping {
                current.append("\\")
                current.append(scalar)
                escaping = false
            } else if scalar == "\\" {
                escaping = true
            } else if scalar == separator {
                parts.append(String(current))
                current = String.UnicodeScalarView()
            } else {
                current.append(scalar)
            }
        }
        if escaping { current.append("\\") }
        parts.append(String(current))
        return parts
    }
}

/// A header value with parameters, as Content-Type and Content-Disposition have (`text/plain; charset=utf-8`),
/// with RFC 2231 parameters decoded: `name*=charset'lang'%XX`, continuations `name*0*=`/`name*1=`, and
/// plain `name=` kept as a fallback. Lenient: unquoted values with spaces, missing values, stray `;`.
struct MIMEHeaderValue: Sendable, Equatable {
    /// The value before the first `;`, trimmed (not lowercased).
    var value: String
    /// Parameters by lowercased name; values unquoted and RFC 2231-decoded (not RFC 2047-decoded).
    var parameters: [String: String]

    init(value: String, parameters: [String: String] = [:]) {
        self.value = value
        self.parameters = parameters
    }

    /// Parses a raw (unfolded, not RFC 2047-decoded) header value. Charsets of RFC 2231 values that nobody
    /// knows are appended to `unknownCharsets` and read as ISO-8859-1.
    init(parsing raw: String, unknownCharsets: inout [String]) {
        let scalars = Array(raw.unicodeScalars)
        var index = 0
        while index < scalars.count, scalars[index] != ";" { index += 1 }
        value = Self.trimmed(scalars[0..<index])
        var plain: [String: String] = [:]
        var extended: [String: [(section: Int, encoded: Bool, text: String)]] = [:]
        while index < scalars.count {
            index += 1  // the `;`
            while index < scalars.count, scalars[index] == " " || scalars[index] == "\t" { index += 1 }
            let nameStart = index
            while index < scalars.count, scalars[index] != "=", scalars[index] != ";" { index += 1 }
            let name = Self.trimmed(scalars[nameStart..<index]).lowercased()
            var text = ""
            if index < scalars.count, scalars[index] == "=" {
                index += 1
                while index < scalars.count, scalars[index] == " " || scalars[index] == "\t" { index += 1 }
                if index < scalars.count, scalars[index] == "\"" {
                    text = Self.quoted(scalars, from: &index)
                    while index < scalars.count, scalars[index] != ";" { index += 1 }
                } else {
                    let valueStart = index
                    while index < scalars.count, scalars[index] != ";" { index += 1 }
                    text = Self.trimmed(scalars[valueStart..<index])
                }
            }
            guard !name.isEmpty else { continue }
            if let star = name.firstIndex(of: "*") {
                let base = String(name[..<star])
                let rest = name[name.index(after: star)...]  // "", "*", "0", "0*", "1"...
                let encoded = rest.hasSuffix("*") || rest.isEmpty
                let number = Int(rest.hasSuffix("*") ? rest.dropLast() : rest)
                let section = rest.isEmpty || rest == "*" ? 0 : number ?? -1
                guard section >= 0 else { continue }
                extended[base, default: []].append((section, encoded, text))
            } else if plain[name] == nil {
                plain[name] = text
            }
        }
        for (base, sections) in extended {
            plain[base] = Self.joinSections(sections, unknownCharsets: &unknownCharsets)
        }
        parameters = plain
    }

    init(parsing raw: String) {
        var ignored: [String] = []
        self.init(parsing: raw, unknownCharsets: &ignored)
    }

    /// RFC 2231 sections in order: percent-escapes of encoded sections become bytes, decoded in the charset
    /// the first section names (UTF-8, else Windows-1252, when it names none).
    private static func joinSections(
        _ sections: [(section: Int, encoded: Bool, text: String)], unknownCharsets: inout [String]
    ) -> String {
        var seen = Set<Int>()
        let ordered = sections.sorted { $0.section < $1.section }.filter { seen.insert($0.section).inserted }
        var charset: String?
        var bytes: [UInt8] = []
        for (position, part) in ordered.enumerated() {
            var text = Substring(part.text)
            if position == 0, part.encoded {
                let pieces = text.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                if pieces.count == 3 {
                    charset = String(pieces[0])
                    text = pieces[2]
                }
            }
            bytes += part.encoded ? percentDecoded(text) : Array(text.utf8)
        }
        guard let label = charset, !label.isEmpty else { return MailCharset.decodeGuessing(bytes) }
        if let known = MailCharset(label: label) { return known.decode(bytes) }
        if !unknownCharsets.contains(label.lowercased()) { unknownCharsets.append(label.lowercased()) }
        return MailCharset.latin1.decode(bytes)
    }

    private static func percentDecoded(_ text: Substring) -> [UInt8] {
        let utf8 = Array(text.utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = 0
        while index < utf8.count {
            if utf8[index] == 0x25, index + 2 < utf8.count, let high = TransferEncoding.hexValue(utf8[index + 1]),
                let low = TransferEncoding.hexValue(utf8[index + 2])
            {
                bytes.append(high << 4 | low)
                index += 3
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return bytes
    }

    /// A quoted string starting at `index` (its `"`), unescaped; `index` ends after the closing quote.
    private static func quoted(_ scalars: [Unicode.Scalar], from index: inout Int) -> String {
        var text = String.UnicodeScalarView()
        index += 1
        while index < scalars.count, scalars[index] != "\"" {
            if scalars[index] == "\\", index + 1 < scalars.count { index += 1 }
            text.append(scalars[index])
            index += 1
        }
        index += 1
        return String(text)
    }

    static func trimmed(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var slice = scalars
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(String.UnicodeScalarView(slice))
    }
}

/// Writes vCard 4.0 (RFC 6350).
///
/// Binary values read from 2.1 and 3.0 files (`PHOTO;ENCODING=b;TYPE=JPEG:...`) are written in that 3.0 form
/// rather than as 4.0 `data:` URIs: every 4.0 reader we know accepts it, and the bytes are never re-encoded.
public enum VCardWriter {
    /// vCard 4.0 (RFC 6350): BEGIN, VERSION:4.0, the properties in order (an FN made from N when missing, since
    /// 4.0 requires FN), END; CRLF, folded at 75 octets. Properties it does not know are written unchanged.
    ///
    /// BEGIN, END and VERSION among the properties are skipped. A value or parameter made in code that would
    /// break the file is made safe: a quoted-printable value is decoded, line breaks in a value become `\n`
    /// (removed from binary values), and in a parameter value a `"` becomes `'` and a line break a space.
    public static func write(_ card: VCard) -> String {
        var text = "BEGIN:VCARD\r\nVERSION:4.0\r\n"
        var properties = card.properties.filter { !["BEGIN", "END", "VERSION"].contains($0.name) }
        if !properties.contains(where: { $0.name == "FN" }) {
            properties.insert(ContentLine(name: "FN", value: TextValue.escape(formattedName(card))), at: 0)
        }
        for property in properties {
            text += ContentLineWriter.write(safe(property))
        }
        return text + "END:VCARD\r\n"
    }

    /// Several cards, one after the other, as one file.
    public static func write(_ cards: [VCard]) -> String {
        cards.map(write).joined()
    }

    /// The name to show when a card has no FN: from N (prefix, given, additional, family, suffix), else the
    /// organization, else the first email address, else empty.
    static func formattedName(_ card: VCard) -> String {
        if let name = card.first("N") {
            let components = TextValue.split(name.value, on: ";").map { component in
                TextValue.split(component, on: ",").map(TextValue.unescape).filter { !$0.isEmpty }
                    .joined(separator: " ")
            }
            func component(_ index: Int) -> String { index < components.count ? components[index] : "" }
            let formatted = [3, 1, 2, 0, 4].map(component).filter { !$0.isEmpty }.joined(separator: " ")
            if !formatted.isEmpty { return formatted }
        }
        if let organization = card.structured("ORG")?.first, !organization.isEmpty { return organization }
        return card.text("EMAIL") ?? ""
    }

    private static func safe(_ line: ContentLine) -> ContentLine {
        var line = line
        if line.parameters.contains(where: isQuotedPrintable) {
            // Made in code (the reader decodes them all): 4.0 has no quoted-printable, so decode it.
            line = VCardNormalizer.normalize(line, version: "4.0", fileCharset: .utf8)
        }
        let binary = line.parameterValue("ENCODING").map { ["B", "BASE64"].contains($0.uppercased()) } ?? false
        if line.value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) {
            var value = ""
            var previousCR = false
            for scalar in line.value.unicodeScalars {
                defer { previousCR = scalar == "\r" }
                if scalar == "\r" || scalar == "\n" {
                    if !binary, !(scalar == "\n" && previousCR) { value += "\\n" }
                } else {
                    value.unicodeScalars.append(scalar)
                }
            }
            line.value = value
        }
        for index in line.parameters.indices {
            line.parameters[index].values = line.parameters[index].values.map { value in
                guard value.unicodeScalars.contains(where: { $0 == "\"" || $0 == "\r" || $0 == "\n" }) else {
                    return value
                }
                return String(String.UnicodeScalarView(value.unicodeScalars.map { scalar in
                    switch scalar {
                    case "\"": "'"
                    case "\r", "\n": " "
                    default: scalar
                    }
                }))
            }
        }
        return line
    }

    private static func isQuotedPrintable(_ parameter: ContentLine.Parameter) -> Bool {
        parameter.values.isEmpty
            ? parameter.name == "QUOTED-PRINTABLE"
            : parameter.name == "ENCODING" && parameter.values.contains { $0.uppercased() == "QUOTED-PRINTABLE" }
    }
}

/// Turns a property as a vCard 2.1, 3.0 or 4.0 file wrote it into the vCard 4.0 form `VCard.properties` holds,
/// so that mapping code reads one form and `VCardWriter` writes valid 4.0:
///
/// - `ENCODING=QUOTED-PRINTABLE` (or a bare `QUOTED-PRINTABLE`) values are decoded, in their `CHARSET` (else
///   UTF-8, else Windows-1252), and both parameters dropped. `CHARSET` on other values is dropped too (the file
///   is already decoded; an 8-bit file decoded as Windows-1252 has values that say `CHARSET=UTF-8` decoded
///   again).
/// - `ENCODING=BASE64`, `ENCODING=B` or a bare `BASE64` becomes `ENCODING=b` and the base64 text is kept, less
///   the whitespace folding left in it. vCard 4.0 would use a `data:` URI; we keep the 3.0 form on purpose, as
///   every 4.0 reader we know accepts it (ez-vcard, vobject, Apple Contacts, Thunderbird, DAVx5) and the bytes
///   are never decoded and re-encoded.
/// - `ENCODING=8BIT`/`7BIT` are dropped; bare `INLINE`, `URL`, `CONTENT-ID`, `CID` become `VALUE=...`
///   (`VALUE=URL` becomes `VALUE=uri`, `VALUE=INLINE` is dropped); other bare parameters (`;WORK;CELL`) become
///   one `TYPE=WORK,CELL` where the first of them was.
/// - The preferred mark, a bare `PREF` (2.1) or a `pref` among the TYPE values (3.0), becomes `PREF=1` (4.0).
/// - vCard 2.1 values had no escapes but `\;`: their commas (and in text values their semicolons) are escaped
///   and line breaks become `\n`; 2.1 CATEGORIES separated by `;` are separated by `,`.
/// - URI properties (URL, FBURL, CALURI, CALADRURI, SOURCE) lose the backslashes Google writes before `:`.
///
/// Everything else, X- properties included, is kept as it was: group, name, parameter order and value.
enum VCardNormalizer {
    static func normalize(_ line: ContentLine, version: String?, fileCharset: VCardCharset) -> ContentLine {
        let isVersion21 = version?.trimmingSpaces() == "2.1"
        var encoding: String?
        var charsetName: String?
        var hasExplicitPreference = false
        for parameter in line.parameters {
            switch parameter.name {
            case "ENCODING": encoding = encoding ?? parameter.values.first?.uppercased()
            case "CHARSET": charsetName = charsetName ?? parameter.values.first
            case "PREF": hasExplicitPreference = hasExplicitPreference || !parameter.values.isEmpty
            case "QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT":
                if parameter.values.isEmpty { encoding = encoding ?? parameter.name }
            default: break
            }
        }
        let isBinary = encoding == "B" || encoding == "BASE64"
        let isQuotedPrintable = encoding == "QUOTED-PRINTABLE"

        var result = line
        result.parameters = normalizedParameters(
            line.parameters, binary: isBinary, hasExplicitPreference: hasExplicitPreference)

        if isBinary {
            result.value = String(line.value.unicodeScalars.filter { $0 != " " && $0 != "\t" })
            return result
        }
        var value = line.value
        let charset = charsetName.flatMap(VCardCharset.init(name:))
        if isQuotedPrintable {
            value = VCardQuotedPrintable.decode(value, charset: charset, fileCharset: fileCharset)
        } else if let charset, charset != fileCharset, fileCharset == .windows1252,
            let bytes = VCardCharset.windows1252.encode(value)
        {
            // The file was not UTF-8 as a whole, but this value says which charset its 8-bit bytes are in.
            if charset == .utf8 {
                value = String(validating: bytes, as: UTF8.self) ?? value
            } else {
                value = charset.decode(bytes)
            }
        }
        if isVersion21 {
            value = escapeVersion21(value, kind: ValueKind(line.name))
        } else if isQuotedPrintable {
            value = escapeVersion21(value, kind: .other)
        }
        if uriProperties.contains(line.name), value.unicodeScalars.contains("\\") {
            value = TextValue.unescape(value)
        }
        result.value = value
        return result
    }

    private static let uriProperties: Set<String> = ["URL", "FBURL", "CALURI", "CALADRURI", "SOURCE"]

    private static func normalizedParameters(
        _ parameters: [ContentLine.Parameter], binary: Bool, hasExplicitPreference: Bool
    ) -> [ContentLine.Parameter] {
        var result: [ContentLine.Parameter] = []
        let bareTypes = parameters.filter { $0.values.isEmpty && !bareNonTypes.contains($0.name) }.map(\.name)
        var wroteBareTypes = false
        var wroteEncoding = false
        var wrotePreference = hasExplicitPreference
        for parameter in parameters {
            if parameter.values.isEmpty {
                switch parameter.name {
                case "QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT":
                    if binary, !wroteEncoding {
                        result.append(.init(name: "ENCODING", values: ["b"]))
                        wroteEncoding = true
                    }
                case "INLINE": break
                case "URL", "URI": result.append(.init(name: "VALUE", values: ["uri"]))
                case "CONTENT-ID", "CID": result.append(.init(name: "VALUE", values: [parameter.name]))
                case "PREF":
                    if !wrotePreference {
                        result.append(.init(name: "PREF", values: ["1"]))
                        wrotePreference = true
                    }
                default:
                    if !wroteBareTypes {
                        result.append(.init(name: "TYPE", values: bareTypes))
                        wroteBareTypes = true
                    }
                }
                continue
            }
            switch parameter.name {
            case "ENCODING":
                if binary, !wroteEncoding {
                    result.append(.init(name: "ENCODING", values: ["b"]))
                    wroteEncoding = true
                }
            case "CHARSET": break
            case "VALUE":
                let kind = parameter.values.first?.uppercased()
                if kind == "INLINE" { break }
                result.append(kind == "URL" ? .init(name: "VALUE", values: ["uri"]) : parameter)
            case "TYPE":
                let values = parameter.values.flatMap { value in
                    value.split(separator: ",").contains { $0.lowercased() == "pref" }
                        ? value.split(separator: ",").map(String.init) : [value]
                }
                let kept = values.filter { $0.lowercased() != "pref" }
                if kept.count == values.count {
                    result.append(parameter)
                    continue
                }
                if !kept.isEmpty { result.append(.init(name: "TYPE", values: kept)) }
                if !wrotePreference {
                    result.append(.init(name: "PREF", values: ["1"]))
                    wrotePreference = true
                }
            default:
                result.append(parameter)
            }
        }
        return result
    }

    /// Bare parameters that are not types.
    private static let bareNonTypes: Set<String> = [
        "QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT", "INLINE", "URL", "URI", "CONTENT-ID", "CID", "PREF",
    ]

    /// How a vCard 2.1 value is turned into an escaped 4.0 value.
    enum ValueKind {
        /// One text (FN, NOTE, TITLE...): `,` and `;` escaped.
        case text
        /// Components separated by `;` (N, ADR, ORG): `,` escaped.
        case structured
        /// A list (CATEGORIES): `;` and `,` both separate.
        case list
        /// Anything else (TEL, EMAIL, dates, X- properties): only line breaks become `\n`.
        case other

        init(_ name: String) {
            switch name {
            case "FN", "NOTE", "TITLE", "ROLE", "LABEL", "NICKNAME", "MAILER", "SORT-STRING": self = .text
            case "N", "ADR", "ORG": self = .structured
            case "CATEGORIES": self = .list
            default: self = .other
            }
        }
    }

    /// Escapes what vCard 2.1 left bare; an existing backslash escape is kept as it is.
    static func escapeVersion21(_ value: String, kind: ValueKind) -> String {
        var result = ""
        var escaping = false
        var previousCR = false
        for scalar in value.unicodeScalars {
            defer { previousCR = scalar == "\r" }
            if escaping {
                result.unicodeScalars.append(scalar)
                escaping = false
                continue
            }
            switch scalar {
            case "\\":
                result.unicodeScalars.append(scalar)
                escaping = true
            case "\r": result += "\\n"
            case "\n": if !previousCR { result += "\\n" }
            case ",": result += kind == .text || kind == .structured ? "\\," : ","
            case ";":
                switch kind {
                case .text: result += "\\;"
                case .list: result += ","
                case .structured, .other: result += ";"
                }
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

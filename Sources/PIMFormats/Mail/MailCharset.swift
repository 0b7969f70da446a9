/// The charset of a body part, an encoded word or an RFC 2231 parameter, and how to turn its bytes into text.
///
/// UTF-8, US-ASCII, ISO-8859-1 and Windows-1252 are decoded here, the same on every platform; every other
/// charset goes through the C library's iconv (`IconvConverter`), which is certain where Foundation on Linux is
/// not. Labels are mapped as mail readers do: ISO-8859-1 and US-ASCII to Windows-1252 (their superset, what
/// such mail really holds), `ks_c_5601-1987` to CP949, `gb2312` to GB18030, `shift_jis` to CP932...
enum MailCharset: Sendable, Equatable {
    case utf8
    /// US-ASCII: UTF-8 when the bytes are valid UTF-8 (8-bit mail labelled ASCII), else Windows-1252.
    case ascii
    /// ISO-8859-1 byte for character: lossless, the fallback for unknown charsets.
    case latin1
    case windows1252
    /// ISO-2022-JP, turned into EUC-JP and decoded as `EUC-JP-MS` so the NEC and IBM extensions real
    /// Japanese mail uses (circled digits, half-width katakana) are read too.
    case iso2022JP
    /// Any other charset, by its iconv name.
    case iconv(String)

    /// The charset a label names; nil when neither this table nor iconv knows it, or when the C library
    /// lacks the converter (a system without its gconv modules): then the caller warns and reads ISO-8859-1.
    init?(label: String) {
        var key = label.lowercased().filter { !$0.isWhitespace && $0 != "\"" && $0 != "'" }
        if let star = key.firstIndex(of: "*") { key = String(key[..<star]) }  // RFC 2231 language suffix
        key = key.replacingOccurrences(of: "_", with: "-")
        if key.hasPrefix("iso8859-") { key = "iso-8859-" + key.dropFirst(8) }
        if let known = Self.aliases[key] ?? (key.hasPrefix("x-") ? Self.aliases[String(key.dropFirst(2))] : nil) {
            switch known {
            case .iconv(let name) where !IconvConverter.supports(name): return nil
            case .iso2022JP where !IconvConverter.supports("EUC-JP-MS"): return nil
            default: self = known
            }
            return
        }
        if key.hasPrefix("x-") { key.removeFirst(2) }
        let allowed = key.unicodeScalars.allSatisfy {
            ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || "-.:".unicodeScalars.contains($0)
        }
        guard allowed, !key.isEmpty, key.count <= 40 else { return nil }
        let name = key.uppercased()
        guard IconvConverter.supports(name) else { return nil }
        self = .iconv(name)
    }

    /// `bytes` as text; an invalid sequence becomes U+FFFD. Never fails: when iconv refuses at decode time,
    /// the bytes are read as ISO-8859-1.
    func decode(_ bytes: some Collection<UInt8>) -> String {
        switch self {
        case .utf8: return String(decoding: Array(bytes), as: UTF8.self)
        case .ascii:
            let array = Array(bytes)
            return String(validating: array, as: UTF8.self) ?? Self.decodeWindows1252(array)
        case .latin1: return Self.decodeLatin1(bytes)
        case .windows1252: return Self.decodeWindows1252(bytes)
        case .iso2022JP:
            return IconvConverter.decode(Self.eucJP(fromISO2022JP: Array(bytes)), from: "EUC-JP-MS")
                ?? Self.decodeLatin1(bytes)
        case .iconv(let name): return IconvConverter.decode(bytes, from: name) ?? Self.decodeLatin1(bytes)
        }
    }

    /// 8-bit text whose charset nobody named (raw header bytes): UTF-8 when valid, else Windows-1252.
    static func decodeGuessing(_ bytes: some Collection<UInt8>) -> String {
        let array = Array(bytes)
        return String(validating: array, as: UTF8.self) ?? decodeWindows1252(array)
    }

    static func decodeLatin1(_ bytes: some Collection<UInt8>) -> String {
        decodeSingleByte(bytes) { UInt32($0) }
    }

    static func decodeWindows1252(_ bytes: some Collection<UInt8>) -> String {
        decodeSingleByte(bytes) { $0 >= 0x80 && $0 <= 0x9F ? windows1252High[Int($0 - 0x80)] : UInt32($0) }
    }

    /// A single-byte charset, built as UTF-8 bytes (much faster than appending scalars one by one).
    private static func decodeSingleByte(_ bytes: some Collection<UInt8>, _ scalar: (UInt8) -> UInt32) -> String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(bytes.count + bytes.count / 4)
        for byte in bytes {
            if byte < 0x80 {
                utf8.append(byte)
                continue
            }
            let value = scalar(byte)
            if value < 0x800 {
                utf8 += [UInt8(0xC0 | value >> 6), UInt8(0x80 | value & 0x3F)]
            } else {
                utf8 += [UInt8(0xE0 | value >> 12), UInt8(0x80 | (value >> 6) & 0x3F), UInt8(0x80 | value & 0x3F)]
            }
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// ISO-2022-JP (RFC 1468, with JIS X 0212 and half-width katakana as mailers write them) as EUC-JP bytes.
    static func eucJP(fromISO2022JP bytes: [UInt8]) -> [UInt8] {
        enum Mode { case ascii, jis0208, jis0212, katakana }
        var mode = Mode.ascii
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x1B, index + 2 < bytes.count {
                let (first, second) = (bytes[index + 1], bytes[index + 2])
                switch (first, second) {
                case (0x28, 0x42), (0x28, 0x4A): mode = .ascii; index += 3; continue  // ESC ( B, ESC ( J
                case (0x28, 0x49): mode = .katakana; index += 3; continue  // ESC ( I
                case (0x24, 0x40), (0x24, 0x42): mode = .jis0208; index += 3; continue  // ESC $ @, ESC $ B
                case (0x24, 0x28) where index + 3 < bytes.count && bytes[index + 3] == 0x44:  // ESC $ ( D
                    mode = .jis0212; index += 4; continue
                default: break
                }
            }
            switch mode {
            case .ascii: output.append(byte)
            case .katakana:
                if byte >= 0x21 && byte <= 0x5F { output += [0x8E, byte | 0x80] } else { output.append(byte) }
            case .jis0208, .jis0212:
                if byte >= 0x21 && byte <= 0x7E, index + 1 < bytes.count, bytes[index + 1] >= 0x21,
                    bytes[index + 1] <= 0x7E
                {
                    if mode == .jis0212 { output.append(0x8F) }
                    output += [byte | 0x80, bytes[index + 1] | 0x80]
                    index += 2
                    continue
                }
                output.append(byte)
            }
            index += 1
        }
        return output
    }

    private static let aliases: [String: MailCharset] = {
        var table: [String: MailCharset] = [:]
        func add(_ charset: MailCharset, _ labels: String...) { for label in labels { table[label] = charset } }
        add(.utf8, "utf-8", "utf8", "unicode-1-1-utf-8", "unicode20utf8", "x-unicode20utf8")
        add(.ascii, "us-ascii", "ascii", "ansi-x3.4-1968", "iso646-us", "us", "cp367", "ibm367")
        add(.windows1252, "iso-8859-1", "iso-8859-1:1987", "latin1", "latin-1", "l1", "cp819", "ibm819",
            "iso-ir-100", "csisolatin1", "windows-1252", "cp1252", "ms-ansi", "iso-latin-1")
        add(.iso2022JP, "iso-2022-jp", "csiso2022jp", "iso2022jp", "jis", "iso-2022-jp-1", "iso-2022-jp-2",
            "iso-2022-jp-3", "cp50220", "cp50221", "cp50222")
        add(.iconv("CP949"), "ks-c-5601-1987", "ks-c-5601-1989", "ks-c-5601", "ksc5601", "ksc-5601", "euc-kr",
            "cp949", "uhc", "windows-949", "ms949", "korean", "csksc56011987", "iso-ir-149", "cseuckr")
        add(.iconv("GB18030"), "gb2312", "gbk", "gb18030", "cp936", "ms936", "windows-936", "euc-cn", "gb-2312-80",
            "chinese", "csgb2312", "csiso58gb231280", "iso-ir-58", "gb-18030")
        add(.iconv("HZ"), "hz-gb-2312", "hz")
        add(.iconv("CP950"), "big5", "big5-tw", "cn-big5", "csbig5", "big-5", "cp950", "windows-950")
        add(.iconv("BIG5-HKSCS"), "big5-hkscs", "big5hkscs")
        add(.iconv("CP932"), "shift-jis", "shift-jisx0213", "sjis", "s-jis", "ms-kanji", "csshiftjis",
            "windows-31j", "cp932", "ms932", "mskanji")
        add(.iconv("EUC-JP-MS"), "euc-jp", "eucjp", "cseucpkdfmtjapanese", "euc-jp-ms", "ujis")
        add(.iconv("KOI8-R"), "koi8-r", "koi8r", "cskoi8r", "koi8")
        add(.iconv("KOI8-U"), "koi8-u", "koi8u", "koi8-ru")
        add(.iconv("UTF-16"), "utf-16", "utf16", "ucs-2", "unicode", "iso-10646-ucs-2")
        add(.iconv("UTF-16LE"), "utf-16le", "ucs-2le")
        add(.iconv("UTF-16BE"), "utf-16be", "ucs-2be")
        add(.iconv("UTF-32"), "utf-32", "utf32", "ucs-4")
        add(.iconv("UTF-32LE"), "utf-32le")
        add(.iconv("UTF-32BE"), "utf-32be")
        add(.iconv("UTF-7"), "utf-7", "utf7", "unicode-1-1-utf-7")
        add(.iconv("CP874"), "windows-874", "cp874", "tis-620", "tis620", "iso-8859-11")
        add(.iconv("MACINTOSH"), "macintosh", "mac", "mac-roman", "macroman", "csmacintosh")
        add(.iconv("ISO-8859-8"), "iso-8859-8-i", "iso-8859-8-e", "visual", "logical")
        add(.iconv("ISO-8859-6"), "iso-8859-6-i", "iso-8859-6-e")
        for number in 2...16 where number != 12 {
            add(.iconv("ISO-8859-\(number)"), "iso-8859-\(number)", "iso8859-\(number)", "iso-\(number)")
        }
        for (number, latin) in [(2, 2), (3, 3), (4, 4), (9, 5), (10, 6), (13, 7), (14, 8), (15, 9), (16, 10)] {
            add(.iconv("ISO-8859-\(number)"), "latin\(latin)", "l\(latin)", "latin-\(latin)")
        }
        for number in [1250, 1251, 1253, 1254, 1255, 1256, 1257, 1258] {
            add(.iconv("CP\(number)"), "windows-\(number)", "cp\(number)", "win-\(number)", "ms-\(number)")
        }
        return table
    }()

    /// Bytes 0x80-0x9F of Windows-1252 (the five it leaves undefined map to the C1 code of the same value).
    private static let windows1252High: [UInt32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]
}

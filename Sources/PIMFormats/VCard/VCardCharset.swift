import Foundation

/// The character sets vCard files come in: the file's own encoding (UTF-8, UTF-16 with a byte order mark, or
/// for old 8-bit files Windows-1252) and the `CHARSET` parameter of vCard 2.1 values.
///
/// Windows-1252 is decoded here, without Foundation: it is the fallback for any byte sequence that is not UTF-8,
/// so it must never fail and must give the same answer on every platform.
enum VCardCharset: Sendable, Equatable {
    case utf8
    case windows1252
    /// Another charset Foundation knows (ISO-8859-2, Windows-1251, Shift_JIS...).
    case foundation(String.Encoding)

    /// The charset a `CHARSET` parameter names, nil when unknown. ISO-8859-1 is read as Windows-1252, its
    /// superset (as browsers and mail readers do): the two differ only in C1 control codes nobody means.
    init?(name: String) {
        let key = name.lowercased().replacingOccurrences(of: "_", with: "-")
        switch key {
        case "utf-8", "utf8": self = .utf8
        case "us-ascii", "ascii", "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "windows-1252", "cp1252",
            "x-cp1252", "iso-8859-15", "iso8859-15":
            // ISO-8859-15 differs from Windows-1252 in eight letters; close enough that no text is lost.
            self = .windows1252
        case "iso-8859-2", "iso8859-2", "latin2": self = .foundation(.isoLatin2)
        case "windows-1250", "cp1250": self = .foundation(.windowsCP1250)
        case "windows-1251", "cp1251": self = .foundation(.windowsCP1251)
        case "windows-1253", "cp1253": self = .foundation(.windowsCP1253)
        case "windows-1254", "cp1254": self = .foundation(.windowsCP1254)
        case "shift-jis", "sjis", "x-sjis", "cp932", "windows-31j": self = .foundation(.shiftJIS)
        case "euc-jp": self = .foundation(.japaneseEUC)
        case "iso-2022-jp": self = .foundation(.iso2022JP)
        case "utf-16", "utf16": self = .foundation(.utf16)
        case "utf-16be": self = .foundation(.utf16BigEndian)
        case "utf-16le": self = .foundation(.utf16LittleEndian)
        default: return nil
        }
    }

    /// `bytes` in this charset. UTF-8 is decoded leniently (a broken sequence becomes U+FFFD); a Foundation
    /// charset that cannot decode the bytes falls back to `decodeGuessing`.
    func decode(_ bytes: [UInt8]) -> String {
        switch self {
        case .utf8: return String(decoding: bytes, as: UTF8.self)
        case .windows1252: return Self.decodeWindows1252(bytes)
        case .foundation(let encoding):
            return String(bytes: bytes, encoding: encoding) ?? Self.decodeGuessing(bytes)
        }
    }

    /// The bytes of `text` in this charset, for undoing a wrong guess of the file's encoding. Nil when a
    /// character has no byte form here.
    func encode(_ text: String) -> [UInt8]? {
        switch self {
        case .utf8: return Array(text.utf8)
        case .windows1252:
            var bytes: [UInt8] = []
            bytes.reserveCapacity(text.unicodeScalars.count)
            for scalar in text.unicodeScalars {
                guard let byte = Self.windows1252Byte(scalar) else { return nil }
                bytes.append(byte)
            }
            return bytes
        case .foundation(let encoding): return text.data(using: encoding).map { Array($0) }
        }
    }

    /// UTF-8 when the bytes are valid UTF-8, else Windows-1252: what an 8-bit value without a charset most
    /// likely is (Outlook writes it so).
    static func decodeGuessing(_ bytes: [UInt8]) -> String {
        String(validating: bytes, as: UTF8.self) ?? decodeWindows1252(bytes)
    }

    /// A whole file: UTF-8 (a byte order mark skipped), UTF-16 with a byte order mark, else Windows-1252. Also
    /// says which was used, since 2.1 values with a `CHARSET` of their own may need decoding again.
    static func decodeFile(_ data: Data) -> (text: String, charset: VCardCharset) {
        let bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            return (String(decoding: bytes.dropFirst(3), as: UTF8.self), .utf8)
        }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            let littleEndian = bytes[0] == 0xFF
            var units: [UInt16] = []
            units.reserveCapacity(bytes.count / 2)
            var index = 2
            while index + 1 < bytes.count {
                let (first, second) = (UInt16(bytes[index]), UInt16(bytes[index + 1]))
                units.append(littleEndian ? first | second << 8 : first << 8 | second)
                index += 2
            }
            return (String(decoding: units, as: UTF16.self), .utf8)
        }
        if let text = String(validating: bytes, as: UTF8.self) { return (text, .utf8) }
        return (decodeWindows1252(bytes), .windows1252)
    }

    static func decodeWindows1252(_ bytes: some Sequence<UInt8>) -> String {
        var text = ""
        for byte in bytes {
            if (0x80...0x9F).contains(byte) {
                text.unicodeScalars.append(Unicode.Scalar(windows1252High[Int(byte - 0x80)])!)
            } else {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return text
    }

    private static func windows1252Byte(_ scalar: Unicode.Scalar) -> UInt8? {
        let value = scalar.value
        if value < 0x80 || (0xA0...0xFF).contains(value) { return UInt8(value) }
        if let index = windows1252High.firstIndex(of: UInt16(truncatingIfNeeded: value)), value <= 0xFFFF {
            return UInt8(0x80 + index)
        }
        return nil
    }

    /// Bytes 0x80-0x9F of Windows-1252 (the five it leaves undefined map to the C1 code of the same value).
    private static let windows1252High: [UInt16] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]
}

import Foundation

/// The JSON coders of the CRM's wire: timestamps as RFC 3339 with milliseconds in UTC, keys sorted.
public enum CRMJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.string(from: date))
        }
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.date(from: text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "'\(text)' is not an RFC 3339 date-time")
            }
            return date
        }
        return decoder
    }
}

/// RFC 3339 timestamps, as records carry them.
public enum Timestamp {
    /// Now, to the millisecond: the precision timestamps keep on the wire and in stores.
    public static func now() -> Date {
        Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }

    /// Milliseconds since 1970, rounded down. A date made from whole milliseconds (`now()`, a stored time) may
    /// sit a hair below its millisecond as a binary fraction: within a microsecond of a millisecond counts as it.
    public static func milliseconds(_ date: Date) -> Int64 {
        let exact = date.timeIntervalSince1970 * 1000
        let nearest = exact.rounded()
        return Int64(abs(exact - nearest) < 0.001 ? nearest : exact.rounded(.down))
    }

    /// `2026-11-25T13:08:56.123Z`
    public static func string(from date: Date) -> String {
        let millis = milliseconds(date)
        var days = millis >= 0 ? millis / 86_400_000 : (millis - 86_399_999) / 86_400_000
        let inDay = millis - days * 86_400_000
        let (year, month, day) = civil(fromDays: &days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
        }
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T" + pad(inDay / 3_600_000, 2) + ":"
            + pad(inDay / 60_000 % 60, 2) + ":" + pad(inDay / 1000 % 60, 2) + "." + pad(inDay % 1000, 3) + "Z"
    }

    /// `2026-11-25T13:08:56.123Z` appended to bytes, digit by digit (pages write two per field stamp).
    public static func write(_ date: Date, into bytes: inout [UInt8]) {
        let millis = milliseconds(date)
        var days = millis >= 0 ? millis / 86_400_000 : (millis - 86_399_999) / 86_400_000
        let inDay = millis - days * 86_400_000
        let (year, month, day) = civil(fromDays: &days)
        guard year >= 0, year <= 9999 else {
            bytes.append(contentsOf: string(from: date).utf8)
            return
        }
        func digits(_ value: Int64, _ width: Int) {
            var divisor: Int64 = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(year, 4)
        bytes.append(UInt8(ascii: "-"))
        digits(month, 2)
        bytes.append(UInt8(ascii: "-"))
        digits(day, 2)
        bytes.append(UInt8(ascii: "T"))
        digits(inDay / 3_600_000, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(inDay / 60_000 % 60, 2)
        bytes.append(UInt8(ascii: ":"))
        digits(inDay / 1000 % 60, 2)
        bytes.append(UInt8(ascii: "."))
        digits(inDay % 1000, 3)
        bytes.append(UInt8(ascii: "Z"))
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's civil-from-days).
    static func civil(fromDays days: inout Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Parses an RFC 3339 date-time with an offset (`Z` or `+01:00`), with or without fractional seconds, to the
    /// millisecond.
    public static func date(from text: String) -> Date? {
        guard text.count >= 20, text.count <= 40 else { return nil }
        let pattern = #"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$"#
        guard text.range(of: pattern, options: .regularExpression) != nil, namesARealInstant(text) else { return nil }
        let normalized = text.replacingOccurrences(of: " ", with: "T")
        let parsed =
            (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(normalized))
            ?? (try? Date.ISO8601FormatStyle().parse(normalized))
        // To the millisecond, made as `now()` makes dates, so that a time read back equals the one written.
        return parsed.map { Date(timeIntervalSince1970: ($0.timeIntervalSince1970 * 1000).rounded() / 1000) }
    }

    /// Whether a text of the RFC 3339 shape names a real day, time and offset: the parser rolls `2026-02-30` over
    /// to March and `25:00` to the next day instead of refusing them.
    private static func namesARealInstant(_ text: String) -> Bool {
        // The pattern has matched, so the text is ASCII and every position below holds two digits.
        let characters = Array(text)
        func number(at offset: Int) -> Int {
            let start = offset < 0 ? characters.count + offset : offset
            return Int(String(characters[start..<start + 2])) ?? Int.max
        }
        guard CalendarDate(String(text.prefix(10))) != nil, number(at: 11) <= 23, number(at: 14) <= 59,
            number(at: 17) <= 60
        else { return false }
        if let zone = characters.last, zone != "Z" && zone != "z" {
            return number(at: -5) <= 23 && number(at: -2) <= 59
        }
        return true
    }
}

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

    /// `2026-11-25T13:08:56.123Z`
    public static func string(from date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// Parses an RFC 3339 date-time with an offset (`Z` or `+01:00`), with or without fractional seconds.
    public static func date(from text: String) -> Date? {
        guard text.count >= 20, text.count <= 40 else { return nil }
        let pattern = #"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$"#
        guard text.range(of: pattern, options: .regularExpression) != nil, namesARealInstant(text) else { return nil }
        let normalized = text.replacingOccurrences(of: " ", with: "T")
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(normalized) {
            return date
        }
        return try? Date.ISO8601FormatStyle().parse(normalized)
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

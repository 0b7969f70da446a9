import Foundation

/// The Date header (RFC 5322 section 3.3) with the obsolete and broken forms real mail has: no weekday,
/// two- and three-digit years, missing seconds, named zones (`GMT`, `UT`, `EST`, `PDT`, `CEST`...), military
/// zones, a zone only in a comment or missing (read as UTC), trailing comments such as `(CEST)`, asctime
/// order (`Mon Jan  3 10:00:00 2005`) and `3-Dec-2009`. Military zones are read as UTC, as RFC 5322 section
/// 4.3 says, since RFC 822 defined their signs backwards and mailers disagree. A numeric offset wins over a
/// zone name beside it (`+0100 GMT`, `GMT+0200`): mailers write their real offset and a name that is often wrong.
enum MailDate {
    /// The instant, or nil when the text has no readable day, month, year and time.
    static func parse(_ text: String) -> Date? {
        var day: Int?
        var month: Int?
        var year: Int?
        var time: (hour: Int, minute: Int, second: Int)?
        var offset: Int?  // seconds east of UTC, from a numeric zone
        var namedOffset: Int?  // from a zone name
        var isPM: Bool?
        var numbers: [Substring] = []
        for token in tokens(text) {
            if let first = token.first, first == "+" || first == "-", token.count > 1 {
                guard let zone = numericZone(token.dropFirst()) else { return nil }
                offset = first == "-" ? -zone : zone
            } else if token.contains(":") {
                guard time == nil, let parsed = parseTime(token) else { return nil }
                time = parsed
            } else if token.allSatisfy(\.isNumber) {
                numbers.append(token)
            } else if let iso = isoDate(token) {
                (year, month, day) = (iso.year, iso.month, iso.day)
            } else if let number = monthNumber(token) {
                month = number
            } else if let zone = zoneOffset(token.uppercased()) {
                namedOffset = zone
            } else if token.uppercased() == "AM" || token.uppercased() == "PM" {
                isPM = token.uppercased() == "PM"
            }  // weekdays and other words are ignored
        }
        for number in numbers {
            guard let value = Int(number) else { return nil }
            if number.count >= 3 {
                if year == nil { year = number.count == 3 ? 1900 + value : value }
            } else if day == nil, value >= 1, value <= 31 {
                day = value
            } else if year == nil {
                year = value < 50 ? 2000 + value : 1900 + value  // RFC 5322 section 4.3
            }
        }
        guard let day, let month, let year, var time, year >= 1000, year <= 9999 else { return nil }
        if let isPM, time.hour <= 12 {
            if isPM, time.hour < 12 { time.hour += 12 }
            if !isPM, time.hour == 12 { time.hour = 0 }
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + time.hour * 3600 + time.minute * 60 + time.second - (offset ?? namedOffset ?? 0)
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// Words of the text: comments dropped, split at whitespace, commas, and the dashes of `3-Dec-2009`.
    private static func tokens(_ text: String) -> [Substring] {
        var cleaned = ""
        var depth = 0
        for character in text {
            if character == "(" { depth += 1; cleaned.append(" "); continue }
            if character == ")" { depth = max(0, depth - 1); cleaned.append(" "); continue }
            if depth == 0 { cleaned.append(character) }
        }
        var result: [Substring] = []
        let separators: Set<Character> = [" ", "\t", ",", "\r", "\n", "\r\n"]
        for word in cleaned.split(whereSeparator: separators.contains) {
            if word.first?.isLetter == true, let sign = word.firstIndex(where: { $0 == "+" || $0 == "-" }),
                zoneOffset(word[..<sign].uppercased()) != nil,
                word[word.index(after: sign)...].allSatisfy({ $0.isNumber || $0 == ":" })
            {
                result += [word[..<sign], word[sign...]]  // `GMT+0200`, `UTC-05:00`
            } else if word.first != "-", word.contains("-"), word.contains(where: \.isLetter) {
                // `3-Dec-2009`: dashes between parts, not the sign of a zone.
                result += word.split(separator: "-")
            } else if word.first != "+", word.first != "-",
                let sign = word.firstIndex(where: { $0 == "+" || $0 == "-" }), word[..<sign].contains(":")
            {
                result += [word[..<sign], word[sign...]]  // `10:00:00+0100`
            } else {
                result.append(word)
            }
        }
        return result
    }

    /// `2009-12-03`.
    private static func isoDate(_ token: Substring) -> (year: Int, month: Int, day: Int)? {
        let parts = token.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, let year = Int(parts[0]), let month = Int(parts[1]),
            let day = Int(parts[2]), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        return (year, month, day)
    }

    private static func parseTime(_ token: Substring) -> (hour: Int, minute: Int, second: Int)? {
        let parts = token.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, let hour = Int(parts[0]), let minute = Int(parts[1]),
            hour >= 0, hour <= 23, minute >= 0, minute <= 59
        else { return nil }
        var second = 0
        if parts.count == 3 {
            guard let value = Int(parts[2].prefix { $0.isNumber }), value >= 0, value <= 60 else { return nil }
            second = min(value, 59)
        }
        return (hour, minute, second)
    }

    /// `hhmm`, `hh:mm` or `hh` as seconds.
    private static func numericZone(_ digits: Substring) -> Int? {
        let clean = digits.filter { $0 != ":" }
        guard clean.allSatisfy(\.isNumber), let value = Int(clean) else { return nil }
        switch clean.count {
        case 4 where value % 100 < 60 && value / 100 < 24: return (value / 100) * 3600 + (value % 100) * 60
        case 1...2 where value < 24: return value * 3600
        default: return nil
        }
    }

    private static func monthNumber(_ token: Substring) -> Int? {
        guard token.count >= 3 else { return nil }
        let prefix = token.prefix(3).lowercased()
        return months.firstIndex(of: prefix).map { $0 + 1 }
    }

    /// Seconds east of UTC for a named zone; military letters (and unknown zones of one letter) are UTC.
    private static func zoneOffset(_ name: String) -> Int? {
        if name.count == 1, let letter = name.unicodeScalars.first, letter >= "A", letter <= "Z", letter != "J" {
            return 0
        }
        return namedZones[name].map { $0 * 3600 }
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Zone names mailers write, in hours east of UTC (the RFC 822 ones first).
    private static let namedZones: [String: Int] = [
        "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6,
        "PST": -8, "PDT": -7, "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2, "MET": 1, "MEST": 2,
        "MEZ": 1, "MESZ": 2, "EET": 2, "EEST": 3, "MSK": 3, "IST": 5, "JST": 9, "KST": 9, "HKT": 8,
        "AKST": -9, "AKDT": -8, "HST": -10, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13,
    ]

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm); out-of-range days roll over.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

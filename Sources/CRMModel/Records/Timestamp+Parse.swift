import Foundation

extension Timestamp {
    /// Parses an RFC 3339 date-time with an offset (`Z` or `+01:00`; `T`, `t` or a space between date and time),
    /// with or without fractional seconds (up to nine digits), to the millisecond. A text that does not name a
    /// real instant (`2026-02-30`, `25:00`, an offset past 23:59) is refused.
    ///
    /// Read byte by byte: every record a desktop or the server reads carries two per field stamp, and a regular
    /// expression followed by Foundation's ISO 8601 parser cost most of the time of reading a record.
    public static func date(from text: String) -> Date? {
        var text = text
        return text.withUTF8 { parse($0) }.map { Date(timeIntervalSince1970: Double($0) / 1000) }
    }

    /// Milliseconds since 1970 of an RFC 3339 date-time, or nil.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        let count = bytes.count
        guard count >= 20, count <= 40 else { return nil }
        func digit(_ offset: Int) -> Int64? {
            let byte = bytes[offset]
            return byte >= 0x30 && byte <= 0x39 ? Int64(byte - 0x30) : nil
        }
        func number(_ offset: Int, _ width: Int) -> Int64? {
            var value: Int64 = 0
            for index in offset..<offset + width {
                guard let next = digit(index) else { return nil }
                value = value * 10 + next
            }
            return value
        }
        guard let year = number(0, 4), bytes[4] == UInt8(ascii: "-"), let month = number(5, 2),
            bytes[7] == UInt8(ascii: "-"), let day = number(8, 2),
            [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")].contains(bytes[10]),
            let hour = number(11, 2), bytes[13] == UInt8(ascii: ":"), let minute = number(14, 2),
            bytes[16] == UInt8(ascii: ":"), let second = number(17, 2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hour <= 23, minute <= 59,
            second <= 60
        else { return nil }
        var index = 19
        var millis: Int64 = 0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            var fraction: Int64 = 0
            var scale: Int64 = 1
            while index < count, let next = digit(index) {
                fraction = fraction * 10 + next
                scale *= 10
                index += 1
            }
            let width = index - start
            guard width >= 1, width <= 9 else { return nil }
            // To the nearest millisecond, halves up.
            millis = (fraction * 1000 * 2 + scale) / (2 * scale)
        }
        guard index < count else { return nil }
        var offset: Int64 = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard count - index == 6, let hours = number(index + 1, 2), bytes[index + 3] == UInt8(ascii: ":"),
                let minutes = number(index + 4, 2), hours <= 23, minutes <= 59
            else { return nil }
            offset = (hours * 60 + minutes) * 60_000 * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
            index += 6
        default:
            return nil
        }
        guard index == count else { return nil }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis - offset
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days-from-civil).
    static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shifted = month <= 2 ? year - 1 : year
        let era = (shifted >= 0 ? shifted : shifted - 399) / 400
        let yearOfEra = shifted - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

import Foundation

/// Date arithmetic on the proleptic Gregorian calendar in plain integers, so that local times (wall clock
/// seconds counted as if the clock were UTC) and instants (seconds since 1970 UTC) never pass through the
/// machine's time zone or Foundation's `Calendar`.
enum CivilTime {
    static let secondsPerDay = 86_400

    /// Days since 1970-01-01 (H. Hinnant's days_from_civil).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let monthIndex = (month + 9) % 12
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The year, month and day of a day count since 1970-01-01.
    static func date(days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// 0 for Sunday through 6 for Saturday.
    static func weekday(days: Int) -> Int {
        ((days % 7) + 11) % 7
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func seconds(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) -> Int {
        days(year: year, month: month, day: day) * secondsPerDay + hour * 3600 + minute * 60 + second
    }

    /// The fields of a seconds count.
    static func fields(_ seconds: Int) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        let days = seconds >= 0 ? seconds / secondsPerDay : (seconds - secondsPerDay + 1) / secondsPerDay
        let rest = seconds - days * secondsPerDay
        let date = date(days: days)
        return (date.year, date.month, date.day, rest / 3600, rest % 3600 / 60, rest % 60)
    }

    static func year(of seconds: Int) -> Int { fields(seconds).year }

    /// The instant of local time `local` (wall clock seconds) in a zone whose UTC offset at an instant is
    /// `offsetAt`, as RFC 5545 section 3.3.5 reads it: a local time that occurs twice (when the clocks go back)
    /// is its first occurrence; one that does not occur (when they go forward) is read with the offset before the
    /// gap.
    static func instant(local: Int, offsetAt: (Int) -> Int) -> Int {
        var offsets: [Int] = []
        for probe in [local - secondsPerDay, local, local + secondsPerDay] {
            let offset = offsetAt(probe)
            if !offsets.contains(offset) { offsets.append(offset) }
        }
        let valid = offsets.map { local - $0 }.filter { offsetAt($0) == local - $0 }
        if let first = valid.min() { return first }
        let before = offsetAt(local - (offsets.max() ?? 0))
        return local - before
    }

    static func instant(local: Int, in timeZone: TimeZone) -> Int {
        instant(local: local) { timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval($0))) }
    }

    /// Seconds since 1970 of a `Date`, rounded down to the second.
    static func seconds(of date: Date) -> Int {
        Int(date.timeIntervalSince1970.rounded(.down))
    }
}

import Foundation

/// The rules of a VTIMEZONE component (RFC 5545 section 3.6.5): the UTC offset its STANDARD and DAYLIGHT
/// observances give at an instant, computed from their DTSTART, TZOFFSETFROM, TZOFFSETTO, RRULE and RDATE. Used
/// to find the IANA zone a VTIMEZONE with an unknown TZID describes, and to check the ones we write.
public struct VTimeZoneDefinition: Sendable, Equatable {
    /// The TZID, as written.
    public var tzid: String
    var observances: [Observance]

    struct Observance: Sendable, Equatable {
        var isDaylight: Bool
        var offsetFrom: Int
        var offsetTo: Int
        /// DTSTART, in wall clock seconds of the offset before the onset.
        var start: Int
        var rule: YearlyRule?
        /// RDATE onsets, as instants.
        var dates: [Int]
    }

    /// The RRULE of an observance: yearly, by month and weekday (`BYDAY=-1SU`, `2SU`) or day of the month.
    struct YearlyRule: Sendable, Equatable {
        struct Weekday: Sendable, Equatable {
            var ordinal: Int?
            var weekday: Int
        }

        var interval = 1
        var count: Int?
        var until: Int?
        var untilIsUTC = false
        var months: [Int] = []
        var weekdays: [Weekday] = []
        var monthDays: [Int] = []
        var hour: Int?
        var minute: Int?
    }

    /// Nil unless `component` is a VTIMEZONE with at least one observance that has a DTSTART and a TZOFFSETTO.
    public init?(_ component: ICalComponent) {
        guard component.name == "VTIMEZONE" else { return nil }
        tzid = component.first("TZID")?.value.trimmingSpaces() ?? ""
        observances = component.components.compactMap(Self.observance)
        guard !observances.isEmpty else { return nil }
    }

    /// The UTC offset, in seconds, at `date`.
    public func secondsFromGMT(for date: Date) -> Int {
        offset(at: CivilTime.seconds(of: date))
    }

    /// Whether the observance in effect at `date` is a DAYLIGHT one.
    public func isDaylightSavingTime(for date: Date) -> Bool {
        observanceInEffect(at: CivilTime.seconds(of: date))?.isDaylight ?? false
    }

    func offset(at instant: Int) -> Int {
        if let observance = observanceInEffect(at: instant) { return observance.offsetTo }
        let earliest = observances.min { $0.start - $0.offsetFrom < $1.start - $1.offsetFrom }
        return earliest?.offsetFrom ?? 0
    }

    private func observanceInEffect(at instant: Int) -> Observance? {
        let year = CivilTime.year(of: instant)
        var best: (onset: Int, observance: Observance)?
        for observance in observances {
            for onset in onsets(of: observance, fromYear: year - 1, toYear: year + 1) where onset <= instant {
                if best == nil || onset >= best!.onset { best = (onset, observance) }
            }
        }
        return best?.observance
    }

    /// The onsets (instants) of every observance whose year is in `years`, sorted, where the offset changes.
    func transitions(years: ClosedRange<Int>) -> [Int] {
        var result = Set<Int>()
        for observance in observances {
            for onset in onsets(of: observance, fromYear: years.lowerBound, toYear: years.upperBound)
            where years.contains(CivilTime.year(of: onset)) && observance.offsetFrom != observance.offsetTo {
                result.insert(onset)
            }
        }
        return result.sorted()
    }

    /// The onsets of `observance` from `fromYear` to `toYear` (with, for a rule that ended before, its last ones).
    func onsets(of observance: Observance, fromYear: Int, toYear: Int) -> [Int] {
        var result = [observance.start - observance.offsetFrom] + observance.dates
        guard let rule = observance.rule else { return result }
        var first = fromYear
        var last = toYear
        if let until = rule.until {
            let untilYear = CivilTime.year(of: until)
            last = min(last, untilYear + 1)
            first = min(first, untilYear - 1)
        }
        let start = CivilTime.fields(observance.start)
        if rule.count != nil { first = start.year }
        first = max(first, start.year)
        guard first <= last else { return result }
        var produced = 0
        let time = (rule.hour ?? start.hour) * 3600 + (rule.minute ?? start.minute) * 60 + start.second
        for year in first...last where (year - start.year) % max(rule.interval, 1) == 0 {
            for day in Self.days(of: rule, in: year, defaultMonth: start.month, defaultDay: start.day) {
                let local = day * CivilTime.secondsPerDay + time
                if local < observance.start { continue }
                let onset = local - observance.offsetFrom
                if let until = rule.until, (rule.untilIsUTC ? onset : local) > until { return result }
                produced += 1
                if let count = rule.count, produced > count { return result }
                result.append(onset)
            }
        }
        return result
    }

    /// The days (since 1970) a yearly rule picks in `year`, sorted.
    static func days(of rule: YearlyRule, in year: Int, defaultMonth: Int, defaultDay: Int) -> [Int] {
        var result: [Int] = []
        for month in rule.months.isEmpty ? [defaultMonth] : rule.months where (1...12).contains(month) {
            let first = CivilTime.days(year: year, month: month, day: 1)
            let length = CivilTime.daysInMonth(year: year, month: month)
            let monthDays = Set(rule.monthDays.map { $0 > 0 ? $0 : length + $0 + 1 })
            var picked: [Int] = []
            if rule.weekdays.isEmpty {
                picked = monthDays.isEmpty ? [defaultDay] : Array(monthDays)
            } else {
                for weekday in rule.weekdays {
                    let all = (1...length).filter { CivilTime.weekday(days: first + $0 - 1) == weekday.weekday }
                    if let ordinal = weekday.ordinal, ordinal != 0 {
                        let index = ordinal > 0 ? ordinal - 1 : all.count + ordinal
                        if all.indices.contains(index) { picked.append(all[index]) }
                    } else {
                        picked += all
                    }
                }
                if !monthDays.isEmpty { picked = picked.filter(monthDays.contains) }
            }
            result += picked.filter { (1...length).contains($0) }.map { first + $0 - 1 }
        }
        return Array(Set(result)).sorted()
    }

    private static func observance(_ component: ICalComponent) -> Observance? {
        guard component.name == "STANDARD" || component.name == "DAYLIGHT",
            let startLine = component.first("DTSTART"),
            let start = ICalDateTime.parseValue(startLine.value.trimmingSpaces()),
            let to = component.first("TZOFFSETTO").flatMap({ offset($0.value) })
        else { return nil }
        let from = component.first("TZOFFSETFROM").flatMap { offset($0.value) } ?? to
        var dates: [Int] = []
        for line in component.all("RDATE") {
            for part in line.value.split(separator: ",") {
                let text = String(part.split(separator: "/").first ?? part).trimmingSpaces()
                guard let value = ICalDateTime.parseValue(text) else { continue }
                dates.append(value.kind == .utc ? value.localSeconds : value.localSeconds - from)
            }
        }
        return Observance(
            isDaylight: component.name == "DAYLIGHT",
            offsetFrom: from,
            offsetTo: to,
            start: start.localSeconds,
            rule: component.first("RRULE").flatMap { rule($0.value) },
            dates: dates
        )
    }

    /// `+0100`, `-0500`, `+053000`, `-000115` in seconds.
    static func offset(_ text: String) -> Int? {
        let text = text.trimmingSpaces()
        guard let sign = text.first, sign == "+" || sign == "-" else { return nil }
        let digits = text.dropFirst()
        guard digits.count == 4 || digits.count == 6, digits.allSatisfy(\.isASCII), let number = Int(digits) else {
            return nil
        }
        let hours = digits.count == 6 ? number / 10000 : number / 100
        let minutes = digits.count == 6 ? number / 100 % 100 : number % 100
        let seconds = digits.count == 6 ? number % 100 : 0
        return (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60 + seconds)
    }

    static func rule(_ text: String) -> YearlyRule? {
        var rule = YearlyRule()
        var yearly = false
        for part in text.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map { String($0).trimmingSpaces().uppercased() }
            guard pair.count == 2 else { continue }
            let values = pair[1].split(separator: ",").map { String($0).trimmingSpaces() }
            switch pair[0] {
            case "FREQ": yearly = pair[1] == "YEARLY"
            case "INTERVAL": rule.interval = Int(pair[1]) ?? 1
            case "COUNT": rule.count = Int(pair[1])
            case "UNTIL":
                if let value = ICalDateTime.parseValue(pair[1]) {
                    let endOfDay = value.kind == .date ? CivilTime.secondsPerDay - 1 : 0
                    rule.until = value.localSeconds + endOfDay
                    rule.untilIsUTC = value.kind == .utc
                }
            case "BYMONTH": rule.months = values.compactMap { Int($0) }
            case "BYMONTHDAY": rule.monthDays = values.compactMap { Int($0) }
            case "BYHOUR": rule.hour = values.count == 1 ? Int(values[0]) : nil
            case "BYMINUTE": rule.minute = values.count == 1 ? Int(values[0]) : nil
            case "BYDAY": rule.weekdays = values.compactMap(weekday)
            default: continue
            }
        }
        return yearly ? rule : nil
    }

    /// `-1SU`, `2SU`, `+1MO`, `SA`.
    private static func weekday(_ text: String) -> YearlyRule.Weekday? {
        let names = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"]
        guard text.count >= 2, let day = names.firstIndex(of: String(text.suffix(2))) else { return nil }
        let prefix = text.dropLast(2)
        if prefix.isEmpty { return .init(ordinal: nil, weekday: day) }
        guard let ordinal = Int(prefix.hasPrefix("+") ? prefix.dropFirst() : prefix) else { return nil }
        return .init(ordinal: ordinal, weekday: day)
    }
}

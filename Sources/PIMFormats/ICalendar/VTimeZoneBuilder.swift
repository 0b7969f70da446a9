import Foundation

/// Writes the VTIMEZONE that RFC 5545 requires for every TZID a file uses, from Foundation's transition data for
/// an IANA zone.
public enum VTimeZoneBuilder {
    /// A VTIMEZONE (TZID = the zone's identifier) whose observances cover `dates` (now when empty) and a year on
    /// either side: the observance in effect before that span and every transition in it. Observances that repeat
    /// yearly on the same rule (`BYMONTH=3;BYDAY=-1SU` at the same local time) become one with an RRULE; the last
    /// one of each kind is left open-ended when the zone keeps that rule for three more years, so later
    /// occurrences of a recurring event are covered too, else it ends with UNTIL. A zone without transitions gets
    /// one STANDARD observance.
    public static func component(for timeZone: TimeZone, covering dates: [Date]) -> ICalComponent {
        let instants = dates.isEmpty ? [CivilTime.seconds(of: Date())] : dates.map(CivilTime.seconds(of:))
        // A year on each side: both observances of a zone with daylight saving time are written with their
        // yearly rules, so a reader that trusts the file gets every date right, not only the ones written.
        let year = 366 * 86_400
        let first = instants.min()! - year
        let last = instants.max()! + year
        let onsets = transitions(of: timeZone, from: first, to: last)
        var component = ICalComponent(
            name: "VTIMEZONE",
            properties: [ContentLine(name: "TZID", value: timeZone.identifier)]
        )
        if onsets.isEmpty || onsets[0] > first {
            // Nothing before the first date within a year: one observance holding the offset then.
            let offset = offset(timeZone, at: first)
            let isDaylight = timeZone.isDaylightSavingTime(for: date(first))
            var base = Onset(instant: 0, from: offset, to: offset, isDaylight: isDaylight)
            base.name = name(timeZone, at: first)
            base.local = CivilTime.seconds(year: 1970, month: 1, day: 1)
            component.components.append(observance(base, rule: nil))
        }
        for group in groups(of: onsets.map { onset(timeZone, at: $0) }) {
            component.components.append(observance(group.first, rule: rule(of: group, in: timeZone)))
        }
        return component
    }

    /// One change of offset.
    struct Onset {
        var instant: Int
        var from: Int
        var to: Int
        var isDaylight: Bool
        var name: String?
        /// The onset in wall clock seconds of the offset before it (what DTSTART says).
        var local: Int

        init(instant: Int, from: Int, to: Int, isDaylight: Bool) {
            self.instant = instant
            self.from = from
            self.to = to
            self.isDaylight = isDaylight
            self.local = instant + from
        }

        var fields: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) { CivilTime.fields(local) }
        var timeOfDay: Int { local - CivilTime.days(year: fields.year, month: fields.month, day: fields.day) * 86_400 }
        var weekday: Int {
            CivilTime.weekday(days: CivilTime.days(year: fields.year, month: fields.month, day: fields.day))
        }

        /// The ordinals of its weekday in the month that name its day: `2` for the second Sunday, also `-1` when it
        /// is the last one.
        var ordinals: [Int] {
            let f = fields
            var result = [-1]
            if f.day + 7 <= CivilTime.daysInMonth(year: f.year, month: f.month) { result = [] }
            result.append((f.day - 1) / 7 + 1)
            return result
        }

        /// Whether `other` (a year later) follows the same yearly rule.
        func sameRule(as other: Onset) -> Bool {
            isDaylight == other.isDaylight && from == other.from && to == other.to && name == other.name
                && fields.month == other.fields.month && weekday == other.weekday && timeOfDay == other.timeOfDay
        }
    }

    struct Group {
        var members: [Onset]
        var ordinals: [Int]
        var first: Onset { members[0] }
        var last: Onset { members[members.count - 1] }
    }

    /// The zone's transitions from the last one at or before `from` (looking back a year) through `to`.
    static func transitions(of timeZone: TimeZone, from: Int, to: Int) -> [Int] {
        var result: [Int] = []
        var previous: Int?
        var cursor = date(from - 400 * 86_400)
        while let next = timeZone.nextDaylightSavingTimeTransition(after: cursor) {
            let instant = CivilTime.seconds(of: next)
            guard instant <= to, instant > CivilTime.seconds(of: cursor) else { break }
            if instant <= from { previous = instant } else { result.append(instant) }
            cursor = next
        }
        return (previous.map { [$0] } ?? []) + result
    }

    static func onset(_ timeZone: TimeZone, at instant: Int) -> Onset {
        var onset = Onset(
            instant: instant,
            from: offset(timeZone, at: instant - 1),
            to: offset(timeZone, at: instant),
            isDaylight: timeZone.isDaylightSavingTime(for: date(instant))
        )
        onset.name = name(timeZone, at: instant)
        return onset
    }

    /// Consecutive yearly onsets of each kind that follow one rule, grouped.
    static func groups(of onsets: [Onset]) -> [Group] {
        var groups: [Group] = []
        var open: [Bool: Int] = [:]
        for onset in onsets {
            if let index = open[onset.isDaylight] {
                let group = groups[index]
                let ordinals = group.ordinals.filter(onset.ordinals.contains)
                if group.last.sameRule(as: onset), onset.fields.year == group.last.fields.year + 1, !ordinals.isEmpty {
                    groups[index].members.append(onset)
                    groups[index].ordinals = ordinals
                    continue
                }
            }
            open[onset.isDaylight] = groups.count
            groups.append(Group(members: [onset], ordinals: onset.ordinals))
        }
        return groups
    }

    /// The RRULE of a group: open-ended when the zone keeps the rule for three more years, with UNTIL when the
    /// group has several members but the rule ends, nil for a single onset that does not repeat.
    static func rule(of group: Group, in timeZone: TimeZone) -> String? {
        let weekdays = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"]
        let month = group.first.fields.month
        for ordinal in group.ordinals {
            let rule = "FREQ=YEARLY;BYMONTH=\(month);BYDAY=\(ordinal)\(weekdays[group.first.weekday])"
            let definitionRule = VTimeZoneDefinition.rule(rule)!
            let continues = (1...3).allSatisfy { step in
                let year = group.last.fields.year + step
                let days = VTimeZoneDefinition.days(of: definitionRule, in: year, defaultMonth: month, defaultDay: 1)
                guard let day = days.first else { return false }
                let instant = day * 86_400 + group.first.timeOfDay - group.first.from
                return offset(timeZone, at: instant - 1) == group.first.from
                    && offset(timeZone, at: instant) == group.first.to
            }
            if continues { return rule }
        }
        guard group.members.count > 1, let ordinal = group.ordinals.first else { return nil }
        let until = ICalDateTime(kind: .utc, components: ICalDateTime.components(group.last.instant)).value
        return "FREQ=YEARLY;BYMONTH=\(month);BYDAY=\(ordinal)\(weekdays[group.first.weekday]);UNTIL=\(until)"
    }

    static func observance(_ onset: Onset, rule: String?) -> ICalComponent {
        var properties = [
            ContentLine(
                name: "DTSTART",
                value: ICalDateTime(kind: .floating, components: ICalDateTime.components(onset.local)).value
            ),
            ContentLine(name: "TZOFFSETFROM", value: offsetText(onset.from)),
            ContentLine(name: "TZOFFSETTO", value: offsetText(onset.to)),
        ]
        if let name = onset.name { properties.append(ContentLine(name: "TZNAME", value: TextValue.escape(name))) }
        if let rule { properties.append(ContentLine(name: "RRULE", value: rule)) }
        return ICalComponent(name: onset.isDaylight ? "DAYLIGHT" : "STANDARD", properties: properties)
    }

    /// `+0100`, `-0500`, `+0530`, `-000115`.
    static func offsetText(_ seconds: Int) -> String {
        let magnitude = abs(seconds)
        func two(_ number: Int) -> String { number < 10 ? "0\(number)" : "\(number)" }
        var text = (seconds < 0 ? "-" : "+") + two(magnitude / 3600) + two(magnitude % 3600 / 60)
        if magnitude % 60 != 0 { text += two(magnitude % 60) }
        return text
    }

    /// The zone's abbreviation, unless it is only an offset (`GMT+1`, what Linux gives), which TZOFFSETTO says.
    static func name(_ timeZone: TimeZone, at instant: Int) -> String? {
        guard let name = timeZone.abbreviation(for: date(instant)), !name.isEmpty else { return nil }
        let upper = name.uppercased()
        if (upper.hasPrefix("GMT") || upper.hasPrefix("UTC")) && upper.count > 3 { return nil }
        return name
    }

    static func offset(_ timeZone: TimeZone, at instant: Int) -> Int {
        timeZone.secondsFromGMT(for: date(instant))
    }

    static func date(_ instant: Int) -> Date { Date(timeIntervalSince1970: TimeInterval(instant)) }
}

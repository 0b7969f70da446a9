import Foundation

/// A DATE or DATE-TIME value (RFC 5545 sections 3.3.4 and 3.3.5): an all-day date, a floating local time, a UTC
/// time, or a local time in a zone named by TZID.
public struct ICalDateTime: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// `VALUE=DATE:20240101`: a day, in no zone.
        case date
        /// `20240101T090000`: the same wall clock time wherever the reader is.
        case floating
        /// `20240101T080000Z`.
        case utc
        /// `TZID=Europe/Berlin:20240101T090000`, with the TZID as written.
        case zoned(tzid: String)
    }

    public var kind: Kind
    /// Year, month and day, plus hour, minute and second unless `.date`.
    public var components: DateComponents
    /// The IANA zone the TZID resolved to (zoned), or nil.
    public var timeZone: TimeZone?
    /// The UTC offset (seconds) the file's own VTIMEZONE gives this zoned local time, when the file has one for
    /// its TZID: the program that wrote the file computed the time with those rules, so they decide the instant
    /// (`timeZone` names the zone, and agrees with them whenever an IANA zone does).
    public var utcOffset: Int?

    public init(kind: Kind, components: DateComponents, timeZone: TimeZone? = nil, utcOffset: Int? = nil) {
        self.kind = kind
        self.components = components
        self.timeZone = timeZone
        self.utcOffset = utcOffset
    }

    /// Reads the DTSTART, DTEND, DUE, COMPLETED, RECURRENCE-ID, EXDATE or RDATE style value of `line`. A TZID
    /// is resolved with `TimeZoneResolver` (the calendar's own VTIMEZONE first, then the Windows-to-IANA table,
    /// then as an IANA name); a TZID that resolves to nothing leaves `timeZone` nil. A value list
    /// (`EXDATE:20240101T090000,20240108T090000`) gives its first value (`parseList` gives them all), a PERIOD its
    /// start.
    public static func parse(_ line: ContentLine, in calendar: ICalComponent) throws(PIMFormatError) -> ICalDateTime {
        let values = try parseList(line, in: calendar)
        guard let first = values.first else {
            throw PIMFormatError(line: line.line, "\(line.name) has no date or date-time")
        }
        return first
    }

    /// Every value of a list property such as EXDATE or RDATE (a PERIOD gives its start).
    public static func parseList(
        _ line: ContentLine,
        in calendar: ICalComponent
    ) throws(PIMFormatError) -> [ICalDateTime] {
        let tzid = line.parameter("TZID").map { $0.joined(separator: ",").trimmingSpaces() }
        let timeZone = tzid.flatMap { TimeZoneResolver.resolve(tzid: $0, in: calendar) }
        let rules = tzid.flatMap { calendar.timeZoneComponent(tzid: TimeZoneResolver.unquoted($0)) }
            .flatMap(VTimeZoneDefinition.init)
        var result: [ICalDateTime] = []
        for part in line.value.split(separator: ",") {
            var text = String(part).trimmingSpaces()
            if let slash = text.firstIndex(of: "/") { text = String(text[..<slash]) }
            guard var value = parseValue(text) else {
                throw PIMFormatError(line: line.line, "\(line.name) value '\(text)' is not a DATE or DATE-TIME")
            }
            if value.kind == .floating, let tzid, !tzid.isEmpty {
                value.kind = .zoned(tzid: tzid)
                value.timeZone = timeZone
                if let rules {
                    let local = value.localSeconds
                    value.utcOffset = local - CivilTime.instant(local: local, offsetAt: rules.offset(at:))
                }
            }
            result.append(value)
        }
        return result
    }

    /// `20240101`, `20240101T090000` or `20240101T080000Z` (case-insensitive `T` and `Z`), checked.
    static func parseValue(_ text: String) -> ICalDateTime? {
        let characters = Array(text.uppercased().utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= characters.count else { return nil }
            var result = 0
            for index in range {
                let digit = Int(characters[index]) - 48
                guard (0...9).contains(digit) else { return nil }
                result = result * 10 + digit
            }
            return result
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
            (1...12).contains(month), (1...CivilTime.daysInMonth(year: year, month: month)).contains(day)
        else { return nil }
        if characters.count == 8 {
            return ICalDateTime(kind: .date, components: DateComponents(year: year, month: month, day: day))
        }
        guard characters.count == 15 || (characters.count == 16 && characters[15] == UInt8(ascii: "Z")),
            characters[8] == UInt8(ascii: "T"),
            let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15),
            hour < 24, minute < 60, second <= 60
        else { return nil }
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        return ICalDateTime(kind: characters.count == 16 ? .utc : .floating, components: components)
    }

    /// The instant: nil for `.date` and `.floating` unless `floatingZone` is given (a date is its midnight
    /// there), and for a TZID that resolved to nothing unless `floatingZone` is given. A zoned time with the
    /// offset of the file's VTIMEZONE (`utcOffset`) is that local time minus that offset.
    public func instant(floatingZone: TimeZone? = nil) -> Date? {
        let local = localSeconds
        switch kind {
        case .utc:
            return Date(timeIntervalSince1970: TimeInterval(local))
        case .zoned:
            if let utcOffset { return Date(timeIntervalSince1970: TimeInterval(local - utcOffset)) }
            guard let zone = timeZone ?? floatingZone else { return nil }
            return Date(timeIntervalSince1970: TimeInterval(CivilTime.instant(local: local, in: zone)))
        case .date, .floating:
            guard let floatingZone else { return nil }
            return Date(timeIntervalSince1970: TimeInterval(CivilTime.instant(local: local, in: floatingZone)))
        }
    }

    /// Whether this is an all-day date.
    public var isDate: Bool { kind == .date }

    /// The value as RFC 5545 writes it: `20240101`, `20240101T090000` or `20240101T080000Z`.
    public var value: String {
        let c = components
        let date = pad(c.year ?? 0, 4) + pad(c.month ?? 1, 2) + pad(c.day ?? 1, 2)
        if kind == .date { return date }
        let time = "T" + pad(c.hour ?? 0, 2) + pad(c.minute ?? 0, 2) + pad(c.second ?? 0, 2)
        return date + time + (kind == .utc ? "Z" : "")
    }

    /// A property line holding this value as it is: `VALUE=DATE` for a date, `TZID=` for a zoned time.
    public func line(_ name: String) -> ContentLine {
        switch kind {
        case .date:
            return ContentLine(name: name, parameters: [.init(name: "VALUE", values: ["DATE"])], value: value)
        case .zoned(let tzid):
            return ContentLine(name: name, parameters: [.init(name: "TZID", values: [tzid])], value: value)
        case .floating, .utc:
            return ContentLine(name: name, value: value)
        }
    }

    /// A property line for an instant: the local time with `TZID=<IANA name>` in `timeZone`, or a UTC time when
    /// `timeZone` is nil or UTC. A local time that occurs twice (the hour repeated when the clocks go back) can
    /// only name its first occurrence (RFC 5545 section 3.3.5), so an instant in the second one is written in
    /// UTC, which keeps the instant.
    public static func line(_ name: String, instant: Date, timeZone: TimeZone?) -> ContentLine {
        let seconds = CivilTime.seconds(of: instant)
        if let timeZone, !isUTC(timeZone) {
            let local = seconds + timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))
            if CivilTime.instant(local: local, in: timeZone) == seconds {
                let value = ICalDateTime(kind: .zoned(tzid: timeZone.identifier), components: components(local))
                return value.line(name)
            }
        }
        return ICalDateTime(kind: .utc, components: components(seconds)).line(name)
    }

    /// A floating property line (no TZID, no `Z`) for an instant: its wall clock time in `zone`, the zone a reader
    /// of the item is taken to be in. Writing back an item the PIM made floating keeps it floating.
    public static func floatingLine(_ name: String, instant: Date, in zone: TimeZone) -> ContentLine {
        let seconds = CivilTime.seconds(of: instant)
        let local = seconds + zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))
        return ICalDateTime(kind: .floating, components: components(local)).line(name)
    }

    /// A `VALUE=DATE` property line: an all-day date.
    public static func dateLine(_ name: String, year: Int, month: Int, day: Int) -> ContentLine {
        ICalDateTime(kind: .date, components: DateComponents(year: year, month: month, day: day)).line(name)
    }

    /// Wall clock seconds (as if UTC) of the components.
    var localSeconds: Int {
        let c = components
        return CivilTime.seconds(
            year: c.year ?? 1970, month: c.month ?? 1, day: c.day ?? 1,
            hour: c.hour ?? 0, minute: c.minute ?? 0, second: c.second ?? 0
        )
    }

    static func components(_ seconds: Int) -> DateComponents {
        let f = CivilTime.fields(seconds)
        return DateComponents(
            year: f.year, month: f.month, day: f.day, hour: f.hour, minute: f.minute, second: f.second
        )
    }

    static func isUTC(_ timeZone: TimeZone) -> Bool {
        ["GMT", "UTC", "Etc/UTC", "Etc/GMT", "Etc/Universal", "Etc/Zulu", "Universal", "Zulu"]
            .contains(timeZone.identifier)
    }

    private func pad(_ number: Int, _ width: Int) -> String {
        let text = String(number)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}

import Foundation

extension ICalDateTime {
    /// This time plus `duration`, as RFC 5545 section 3.3.6 adds them: weeks and days move the wall clock date
    /// (in the value's own zone), then hours, minutes and seconds add exact time. A date plus whole days stays a
    /// date; a date plus hours becomes a floating time. A zoned result that lands in the second occurrence of a
    /// repeated hour is given in UTC, so the instant is kept.
    public func adding(_ duration: ICalDuration) -> ICalDateTime {
        let days = duration.nominalDays
        let exact = duration.exactSeconds
        let movedLocal = localSeconds + days * CivilTime.secondsPerDay
        switch kind {
        case .date:
            if exact == 0 { return ICalDateTime(kind: .date, components: Self.dateComponents(movedLocal)) }
            return ICalDateTime(kind: .floating, components: Self.components(movedLocal + exact))
        case .utc, .floating:
            return ICalDateTime(kind: kind, components: Self.components(movedLocal + exact), timeZone: timeZone)
        case .zoned:
            if let utcOffset, let start = instant(),
                timeZone.map({ $0.secondsFromGMT(for: start) != utcOffset }) ?? true
            {
                // The file's rules disagree with every zone: days are counted as 24 hours of them.
                let end = Int(start.timeIntervalSince1970) + days * CivilTime.secondsPerDay + exact
                return ICalDateTime(kind: .utc, components: Self.components(end))
            }
            guard let zone = timeZone else {
                return ICalDateTime(kind: kind, components: Self.components(movedLocal + exact))
            }
            let instant = CivilTime.instant(local: movedLocal, in: zone) + exact
            let local = instant + zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
            if CivilTime.instant(local: local, in: zone) != instant {
                return ICalDateTime(kind: .utc, components: Self.components(instant))
            }
            return ICalDateTime(kind: kind, components: Self.components(local), timeZone: zone)
        }
    }

    /// The start of a VEVENT or VTODO: its DTSTART, or nil when it has none.
    public static func start(of component: ICalComponent, in calendar: ICalComponent) throws(PIMFormatError)
        -> ICalDateTime?
    {
        guard let line = component.first("DTSTART") else { return nil }
        return try parse(line, in: calendar)
    }

    /// The end of a VEVENT or VTODO (RFC 5545 section 3.6.1 and 3.6.2): DTEND (a VTODO's DUE), else DTSTART plus
    /// DURATION, else for a VEVENT the day after an all-day DTSTART or the DTSTART itself; nil without a start.
    /// An unreadable DURATION is an error naming its line.
    public static func end(of component: ICalComponent, in calendar: ICalComponent) throws(PIMFormatError)
        -> ICalDateTime?
    {
        let endName = component.name == "VTODO" ? "DUE" : "DTEND"
        if let line = component.first(endName) { return try parse(line, in: calendar) }
        guard let start = try start(of: component, in: calendar) else { return nil }
        if let line = component.first("DURATION") {
            guard let duration = ICalDuration(line.value) else {
                throw PIMFormatError(line: line.line, "DURATION '\(line.value)' is not a duration")
            }
            return start.adding(duration)
        }
        guard component.name == "VEVENT" else { return nil }
        return start.isDate ? start.adding(ICalDuration(days: 1)) : start
    }

    static func dateComponents(_ seconds: Int) -> DateComponents {
        let f = CivilTime.fields(seconds)
        return DateComponents(year: f.year, month: f.month, day: f.day)
    }
}

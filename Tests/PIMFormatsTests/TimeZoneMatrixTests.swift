import Foundation
import PIMFormats
import Testing

/// Events just before and after each DST change of 2024 and 2025, written with `ICalDateTime.line` and
/// `VTimeZoneBuilder`, read back; all-day events; a weekly series with a moved and a cancelled occurrence.
@Suite struct TimeZoneMatrixTests {
    static let zones = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]

    /// The zone's transitions in 2024 and 2025; for a zone without any (Kolkata), Berlin's, which are ordinary
    /// instants there.
    static func transitions(_ zone: TimeZone) -> [Date] {
        var result: [Date] = []
        var cursor = ICalFixture.instant("2024-01-01T00:00:00Z")
        let end = ICalFixture.instant("2026-01-01T00:00:00Z")
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next < end {
            result.append(next)
            cursor = next
        }
        return result.isEmpty ? transitions(TimeZone(identifier: "Europe/Berlin")!) : result
    }

    static func gregorian(_ zone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }

    struct Case {
        var instant: Date
        /// False for the second occurrence of a repeated hour, which only UTC can name.
        var zoned: Bool
    }

    static func cases(_ zone: TimeZone) -> [Case] {
        transitions(zone).flatMap { transition -> [Case] in
            let jump = zone.secondsFromGMT(for: transition) - zone.secondsFromGMT(for: transition - 1)
            return [
                Case(instant: transition - 60, zoned: true),
                Case(instant: transition, zoned: jump >= 0),
                Case(instant: transition + 60, zoned: jump >= 0),
                Case(instant: transition + TimeInterval(max(-jump, 0)) + 60, zoned: true),
            ]
        }
    }

    static func calendar(_ zone: TimeZone, _ cases: [Case]) -> ICalComponent {
        var calendar = ICalComponent(name: "VCALENDAR", properties: [
            ContentLine(name: "VERSION", value: "2.0"), ContentLine(name: "PRODID", value: "-//CRM Desktop//Tests//EN"),
        ])
        let instants = cases.map(\.instant)
        calendar.components.append(VTimeZoneBuilder.component(for: zone, covering: instants))
        for (index, instant) in instants.enumerated() {
            calendar.components.append(ICalComponent(name: "VEVENT", properties: [
                ContentLine(name: "UID", value: "matrix-\(index)"),
                ContentLine(name: "DTSTAMP", value: "20240101T000000Z"),
                ICalDateTime.line("DTSTART", instant: instant, timeZone: zone),
                ICalDateTime.line("DTEND", instant: instant + 1800, timeZone: zone),
            ]))
        }
        return calendar
    }

    @Test(arguments: zones)
    func eventsAroundEachDSTChangeKeepTheirInstantAndZone(identifier: String) throws {
        let zone = try #require(TimeZone(identifier: identifier))
        let cases = Self.cases(zone)
        #expect(cases.count >= 8)
        let text = ICalendarWriter.write(Self.calendar(zone, cases))
        let calendar = try ICalendarReader.read(text)
        let events = calendar.components("VEVENT")
        #expect(events.count == cases.count)
        for (event, item) in zip(events, cases) {
            let start = try #require(try ICalDateTime.start(of: event, in: calendar))
            #expect(start.instant() == item.instant, "\(identifier) \(item.instant)")
            if item.zoned {
                #expect(start.kind == .zoned(tzid: identifier))
                #expect(start.timeZone?.identifier == identifier)
            } else {
                #expect(start.kind == .utc, "\(identifier) \(item.instant) is in the repeated hour")
            }
            let end = try #require(try ICalDateTime.end(of: event, in: calendar))
            #expect(end.instant() == item.instant + 1800)
        }
    }

    @Test(arguments: zones)
    func theWrittenVTimeZoneGivesFoundationsOffsets(identifier: String) throws {
        let zone = try #require(TimeZone(identifier: identifier))
        let cases = Self.cases(zone)
        let text = ICalendarWriter.write(Self.calendar(zone, cases))
        let calendar = try ICalendarReader.read(text)
        let component = try #require(calendar.timeZoneComponent(tzid: identifier))
        let definition = try #require(VTimeZoneDefinition(component))
        // At every case, twice a day over three years, and around 2026's changes (the open-ended RRULEs carry the
        // rule on past the covered dates).
        var instants = cases.map(\.instant)
        var day = ICalFixture.instant("2024-01-01T00:30:00Z")
        while day < ICalFixture.instant("2027-01-01T00:00:00Z") {
            instants += [day, day + 12 * 3600]
            day += 86_400
        }
        var cursor = ICalFixture.instant("2026-01-01T00:00:00Z")
        let end = ICalFixture.instant("2027-01-01T00:00:00Z")
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next < end {
            instants += [next - 60, next, next + 60]
            cursor = next
        }
        let wrong = instants.filter { definition.secondsFromGMT(for: $0) != zone.secondsFromGMT(for: $0) }
        #expect(wrong.isEmpty, "\(identifier): \(wrong.prefix(3))")
        // Two observances with a yearly rule each, or one for a zone without DST.
        let observances = component.components
        #expect(observances.count == (identifier == "Asia/Kolkata" ? 1 : 2))
        if identifier == "Australia/Lord_Howe" {
            #expect(Set(observances.compactMap { $0.first("TZOFFSETTO")?.value }) == ["+1030", "+1100"])
        }
    }

    @Test(arguments: zones)
    func allDayEventsStayDatesOnDSTDays(identifier: String) throws {
        let zone = try #require(TimeZone(identifier: identifier))
        var calendar = ICalComponent(name: "VCALENDAR", properties: [ContentLine(name: "VERSION", value: "2.0")])
        let days = Self.transitions(zone).map { Self.gregorian(zone).dateComponents([.year, .month, .day], from: $0) }
        for (index, day) in days.enumerated() {
            calendar.components.append(ICalComponent(name: "VEVENT", properties: [
                ContentLine(name: "UID", value: "all-day-\(index)"),
                ICalDateTime.dateLine("DTSTART", year: day.year!, month: day.month!, day: day.day!),
            ]))
        }
        let again = try ICalendarReader.read(ICalendarWriter.write(calendar))
        for (event, day) in zip(again.components, days) {
            let start = try #require(try ICalDateTime.start(of: event, in: again))
            #expect(start.kind == .date)
            let read = start.components
            #expect([read.year, read.month, read.day] == [day.year, day.month, day.day])
            #expect(start.instant() == nil)
            let end = try #require(try ICalDateTime.end(of: event, in: again))
            #expect(end.kind == .date)
            let midnight = try #require(start.instant(floatingZone: zone))
            let nextMidnight = try #require(end.instant(floatingZone: zone))
            // The day of a DST change lasts 23, 23.5, 24.5 or 25 hours there, and is still one day.
            #expect(abs(nextMidnight.timeIntervalSince(midnight) - 86_400) <= 3600)
        }
    }

    @Test(arguments: zones)
    func aWeeklySeriesWithAMovedAndACancelledOccurrenceRoundTripsWithoutAShift(identifier: String) throws {
        let zone = try #require(TimeZone(identifier: identifier))
        // A weekly 09:00 meeting from four weeks before the zone's first change of 2024 to four weeks after;
        // Foundation's calendar in that zone, which keeps the wall clock time, says when each occurrence is.
        let calendarInZone = Self.gregorian(zone)
        let change = Self.transitions(zone)[0]
        let fourWeeksBefore = try #require(calendarInZone.date(byAdding: .day, value: -28, to: change))
        let first = try #require(calendarInZone.date(bySettingHour: 9, minute: 0, second: 0, of: fourWeeksBefore))
        func occurrence(_ week: Int) throws -> Date {
            try #require(calendarInZone.date(byAdding: .day, value: 7 * week, to: first))
        }
        let cancelled = try occurrence(3)  // before the change
        let moved = try occurrence(5)  // after it
        #expect(zone.secondsFromGMT(for: cancelled) != zone.secondsFromGMT(for: moved) || identifier == "Asia/Kolkata")
        let movedTo = moved + 2 * 3600 + 86_400
        let master = ICalComponent(name: "VEVENT", properties: [
            ContentLine(name: "UID", value: "weekly@crm"),
            ICalDateTime.line("DTSTART", instant: first, timeZone: zone),
            ICalDateTime.line("DTEND", instant: first + 3600, timeZone: zone),
            ContentLine(name: "RRULE", value: "FREQ=WEEKLY;COUNT=8"),
            ICalDateTime.line("EXDATE", instant: cancelled, timeZone: zone),
            ContentLine(name: "SUMMARY", value: "Pipeline review"),
        ])
        let override = ICalComponent(name: "VEVENT", properties: [
            ContentLine(name: "UID", value: "weekly@crm"),
            ICalDateTime.line("RECURRENCE-ID", instant: moved, timeZone: zone),
            ICalDateTime.line("DTSTART", instant: movedTo, timeZone: zone),
            ICalDateTime.line("DTEND", instant: movedTo + 3600, timeZone: zone),
            ContentLine(name: "SUMMARY", value: "Pipeline review (moved)"),
        ])
        let calendar = ICalComponent(
            name: "VCALENDAR",
            properties: [ContentLine(name: "VERSION", value: "2.0"), ContentLine(name: "PRODID", value: "-//CRM//EN")],
            components: [
                VTimeZoneBuilder.component(for: zone, covering: [first, try occurrence(7), movedTo]), master, override,
            ]
        )
        let text = ICalendarWriter.write(calendar)
        let again = try ICalendarReader.read(text)
        #expect(again.withoutLineNumbers == calendar)
        let events = again.components("VEVENT")
        #expect(events.count == 2)
        for name in ["DTSTART", "RRULE", "EXDATE"] {
            let written = events[0].first(name).map(ContentLineWriter.write)
            #expect(written == master.first(name).map(ContentLineWriter.write))
        }
        #expect(try ICalDateTime.parse(try #require(events[0].first("EXDATE")), in: again).instant() == cancelled)
        #expect(try ICalDateTime.parse(try #require(events[1].first("RECURRENCE-ID")), in: again).instant() == moved)
        #expect(try ICalDateTime.start(of: events[1], in: again)?.instant() == movedTo)
        // The cancelled and the moved occurrence keep the series' 09:00 wall clock time on both sides of the change.
        #expect(events[0].first("EXDATE")?.value.hasSuffix("T090000") == true)
        #expect(events[1].first("RECURRENCE-ID")?.value.hasSuffix("T090000") == true)
        #expect(events[0].first("DTSTART")?.parameterValue("TZID") == identifier)
    }
}

import Foundation
import PIMFormats
import Testing

@Suite struct ICalDateTimeTests {
    let empty = ICalComponent(name: "VCALENDAR")
    let berlin = TimeZone(identifier: "Europe/Berlin")!

    func parse(_ text: String, in calendar: ICalComponent? = nil) throws -> ICalDateTime {
        let line = try #require(try ICalendarReader.read("BEGIN:VCALENDAR\n\(text)\nEND:VCALENDAR\n").properties.first)
        return try ICalDateTime.parse(line, in: calendar ?? empty)
    }

    @Test func theFourKindsOfValueAreTold() throws {
        let date = try parse("DTSTART;VALUE=DATE:20240229")
        #expect(date.kind == .date)
        #expect(date.components == DateComponents(year: 2024, month: 2, day: 29))
        let floating = try parse("DTSTART:20240101T090000")
        #expect(floating.kind == .floating)
        #expect(floating.timeZone == nil)
        let utc = try parse("DTSTART:20240101T080000Z")
        #expect(utc.kind == .utc)
        #expect(utc.instant() == ICalFixture.instant("2024-01-01T08:00:00Z"))
        let zoned = try parse("DTSTART;TZID=Europe/Berlin:20240101T090000")
        #expect(zoned.kind == .zoned(tzid: "Europe/Berlin"))
        #expect(zoned.timeZone == berlin)
        #expect(zoned.components == DateComponents(year: 2024, month: 1, day: 1, hour: 9, minute: 0, second: 0))
        #expect(zoned.instant() == ICalFixture.instant("2024-01-01T08:00:00Z"))
    }

    @Test func floatingTimesStayFloatingAndHaveNoInstantWithoutAZone() throws {
        let floating = try parse("DTSTART:20240701T090000")
        #expect(floating.instant() == nil)
        #expect(floating.instant(floatingZone: berlin) == ICalFixture.instant("2024-07-01T07:00:00Z"))
        #expect(floating.line("DTSTART") == ContentLine(name: "DTSTART", value: "20240701T090000"))
        let date = try parse("DTSTART;VALUE=DATE:20240701")
        #expect(date.instant() == nil)
        #expect(date.instant(floatingZone: berlin) == ICalFixture.instant("2024-06-30T22:00:00Z"))
    }

    @Test func anUnknownTZIDKeepsItsNameWithoutAZone() throws {
        let value = try parse("DTSTART;TZID=Nowhere Special:20240701T090000")
        #expect(value.kind == .zoned(tzid: "Nowhere Special"))
        #expect(value.timeZone == nil)
        #expect(value.instant() == nil)
        #expect(value.instant(floatingZone: berlin) == ICalFixture.instant("2024-07-01T07:00:00Z"))
    }

    @Test func aMalformedValueIsAnErrorNamingItsLine() {
        #expect(throws: PIMFormatError(line: 2, "DTSTART value '20241301T090000' is not a DATE or DATE-TIME")) {
            try parse("DTSTART:20241301T090000")
        }
        #expect(throws: PIMFormatError(line: 2, "DUE value '2024-01-01' is not a DATE or DATE-TIME")) {
            try parse("DUE:2024-01-01")
        }
    }

    @Test func exdateListsGiveEveryValue() throws {
        let line = ContentLine(
            name: "EXDATE", parameters: [.init(name: "TZID", values: ["Europe/Berlin"])],
            value: "20240108T090000,20240115T090000"
        )
        let values = try ICalDateTime.parseList(line, in: empty)
        #expect(values.map(\.value) == ["20240108T090000", "20240115T090000"])
        #expect(values.map { $0.instant() } == [
            ICalFixture.instant("2024-01-08T08:00:00Z"), ICalFixture.instant("2024-01-15T08:00:00Z"),
        ])
        let period = ContentLine(
            name: "RDATE", parameters: [.init(name: "VALUE", values: ["PERIOD"])], value: "20240101T100000Z/PT1H"
        )
        #expect(try ICalDateTime.parse(period, in: empty).value == "20240101T100000Z")
    }

    @Test func linesForAnInstantUseTheIANANameOrUTC() {
        let instant = ICalFixture.instant("2024-07-01T07:00:00Z")
        let zoned = ICalDateTime.line("DTSTART", instant: instant, timeZone: berlin)
        #expect(ContentLineWriter.write(zoned) == "DTSTART;TZID=Europe/Berlin:20240701T090000\r\n")
        #expect(ContentLineWriter.write(ICalDateTime.line("DTSTART", instant: instant, timeZone: nil))
            == "DTSTART:20240701T070000Z\r\n")
        let utc = TimeZone(identifier: "UTC")!
        #expect(ContentLineWriter.write(ICalDateTime.line("DUE", instant: instant, timeZone: utc))
            == "DUE:20240701T070000Z\r\n")
        let kolkata = TimeZone(identifier: "Asia/Kolkata")!
        #expect(ICalDateTime.line("DTEND", instant: instant, timeZone: kolkata).value == "20240701T123000")
        #expect(ContentLineWriter.write(ICalDateTime.dateLine("DTSTART", year: 2024, month: 3, day: 5))
            == "DTSTART;VALUE=DATE:20240305\r\n")
    }

    @Test func aLocalTimeInTheSpringGapReadsWithTheOffsetBeforeIt() throws {
        // 02:30 does not exist in Berlin on 2024-03-31; RFC 5545 reads it with +01:00, which is 03:30 CEST.
        let value = try parse("DTSTART;TZID=Europe/Berlin:20240331T023000")
        #expect(value.instant() == ICalFixture.instant("2024-03-31T01:30:00Z"))
    }

    @Test func aRepeatedLocalTimeReadsAsItsFirstOccurrence() throws {
        // 02:30 happens twice in Berlin on 2024-10-27: first at +02:00 (00:30 UTC), then at +01:00.
        let value = try parse("DTSTART;TZID=Europe/Berlin:20241027T023000")
        #expect(value.instant() == ICalFixture.instant("2024-10-27T00:30:00Z"))
    }

    @Test func durationsReadAndWrite() {
        #expect(ICalDuration("PT4H31M") == ICalDuration(hours: 4, minutes: 31))
        #expect(ICalDuration("-P0DT0H10M0S") == ICalDuration(negative: true, minutes: 10))
        #expect(ICalDuration("P1W")?.value == "P1W")
        #expect(ICalDuration("P15DT5H0M20S")?.value == "P15DT5H20S")
        #expect(ICalDuration("+P1D") == ICalDuration(days: 1))
        #expect(ICalDuration("PT") == nil)
        #expect(ICalDuration("P1H") == nil)
        #expect(ICalDuration("1D") == nil)
        #expect(ICalDuration("PT0S")?.value == "PT0S")
    }

    @Test func aDayOfDurationKeepsTheWallClockAcrossDSTButHoursAreExact() throws {
        let start = try parse("DTSTART;TZID=Europe/Berlin:20240330T120000")
        let day = start.adding(try #require(ICalDuration("P1D")))
        #expect(day.value == "20240331T120000")
        #expect(day.instant() == ICalFixture.instant("2024-03-31T10:00:00Z"))
        let hours = start.adding(try #require(ICalDuration("PT24H")))
        #expect(hours.value == "20240331T130000")
        #expect(hours.instant() == ICalFixture.instant("2024-03-31T11:00:00Z"))
    }

    @Test func theEndOfAnEventIsDTENDElseDTSTARTPlusDURATIONElseTheNextDayForAllDay() throws {
        func event(_ lines: String) throws -> (ICalComponent, ICalComponent) {
            let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\n\(lines)\nEND:VEVENT\nEND:VCALENDAR\n"
            let calendar = try ICalendarReader.read(text)
            return (calendar.components[0], calendar)
        }
        let (withEnd, c1) = try event("DTSTART:20240101T090000Z\nDTEND:20240101T100000Z")
        #expect(try ICalDateTime.end(of: withEnd, in: c1)?.value == "20240101T100000Z")
        let (withDuration, c2) = try event("DTSTART;TZID=America/New_York:20240309T230000\nDURATION:PT3H")
        let end = try #require(try ICalDateTime.end(of: withDuration, in: c2))
        #expect(end.value == "20240310T030000")  // 02:00 is skipped: three hours later is 03:00 EDT.
        #expect(end.instant() == ICalFixture.instant("2024-03-10T07:00:00Z"))
        let (allDay, c3) = try event("DTSTART;VALUE=DATE:20240228")
        let next = try #require(try ICalDateTime.end(of: allDay, in: c3))
        #expect(next.kind == .date)
        #expect(next.value == "20240229")
        let (allDayWeek, c4) = try event("DTSTART;VALUE=DATE:20241230\nDURATION:P1W")
        #expect(try ICalDateTime.end(of: allDayWeek, in: c4)?.value == "20250106")
        let (bad, c5) = try event("DTSTART:20240101T090000Z\nDURATION:soon")
        #expect(throws: PIMFormatError(line: 4, "DURATION 'soon' is not a duration")) {
            try ICalDateTime.end(of: bad, in: c5)
        }
    }

    @Test func theEndOfATodoIsItsDUE() throws {
        let calendar = try ICalendarReader.read("""
            BEGIN:VCALENDAR
            BEGIN:VTODO
            DTSTART:20240101T090000Z
            DUE;TZID=Asia/Kolkata:20240105T170000
            PERCENT-COMPLETE:40
            END:VTODO
            BEGIN:VTODO
            SUMMARY:No dates
            END:VTODO
            END:VCALENDAR
            """)
        let due = try #require(try ICalDateTime.end(of: calendar.components[0], in: calendar))
        #expect(due.instant() == ICalFixture.instant("2024-01-05T11:30:00Z"))
        #expect(try ICalDateTime.end(of: calendar.components[1], in: calendar) == nil)
        #expect(try ICalDateTime.start(of: calendar.components[1], in: calendar) == nil)
    }
}

import Foundation
import PIMFormats
import Testing

/// The iCalendar files of `Fixtures/icalendar` (see `Fixtures/SOURCES.md`).
enum ICalFixture {
    static let names = [
        "all-day-date-value",
        "android-etar-alarm-vtimezone",
        "apple-ical2-exdate",
        "apple-ios26-structured-location",
        "exchange-2010-unquoted-tzid",
        "exchange-cdo-missing-event",
        "google-calendar-alarm",
        "google-calendar-x-apple-location",
        "korganizer-sample",
        "lotus-notes-6-calconnect",
        "outlook-12-ms-tzid",
        "outlook-2010-recurring",
        "plone-unicode-prodid-crlf",
        "rrule-exdate-utc",
        "rrule-recurrence-id-override",
        "thunderbird-alarm-vtimezone-crlf",
        "thunderbird-rrule-exdate-paris",
        "vtimezone-non-ascii-tzid",
        "vtodo-simple",
        "windows-format-tzid",
    ]

    static func data(_ name: String) throws -> Data {
        try Data(contentsOf: Bundle.module.resourceURL!.appendingPathComponent("Fixtures/icalendar/\(name).ics"))
    }

    static func calendar(_ name: String) throws -> ICalComponent {
        try ICalendarReader.read(data: data(name))
    }

    static func text(_ name: String) throws -> String {
        String(decoding: try data(name), as: UTF8.self)
    }

    /// The logical lines of a text: continuation lines joined, line endings dropped.
    static func unfoldedLines(_ text: String) -> [String] {
        var lines: [String] = []
        for physical in text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n") {
            if let first = physical.first, first == " " || first == "\t", !lines.isEmpty {
                lines[lines.count - 1] += physical.dropFirst()
            } else {
                lines.append(String(physical))
            }
        }
        return lines
    }

    /// The first VEVENT or VTODO.
    static func item(_ calendar: ICalComponent) throws -> ICalComponent {
        try #require(calendar.components.first { $0.name == "VEVENT" || $0.name == "VTODO" })
    }

    static func instant(_ iso: String) -> Date {
        ISO8601DateFormatter().date(from: iso)!
    }
}

@Suite struct ICalFixtureTests {
    @Test(arguments: ICalFixture.names)
    func everyFixtureReadsIntoAVCalendar(name: String) throws {
        let calendar = try ICalFixture.calendar(name)
        #expect(calendar.name == "VCALENDAR")
        #expect(!calendar.properties.isEmpty || !calendar.components.isEmpty)
    }

    @Test(arguments: ICalFixture.names)
    func everyFixtureRoundTripsToAnEqualComponentTree(name: String) throws {
        let calendar = try ICalFixture.calendar(name)
        let written = ICalendarWriter.write(calendar)
        let again = try ICalendarReader.read(written)
        #expect(again.withoutLineNumbers == calendar.withoutLineNumbers)
        #expect(ICalendarWriter.write(again) == written)
    }

    @Test(arguments: ICalFixture.names)
    func writtenFixturesUseCRLFAndFoldAt75Octets(name: String) throws {
        let written = ICalendarWriter.write(try ICalFixture.calendar(name))
        #expect(written.hasSuffix("END:VCALENDAR\r\n"))
        for physical in written.components(separatedBy: "\r\n") {
            #expect(physical.utf8.count <= 75)
            #expect(!physical.contains("\n") && !physical.contains("\r"))
        }
    }

    @Test(arguments: ICalFixture.names)
    func recurrenceLinesAreKeptByteForByteAfterUnfolding(name: String) throws {
        let original = try ICalFixture.text(name)
        let written = ICalendarWriter.write(try ICalFixture.calendar(name))
        let recurrence = ["RRULE", "RDATE", "EXDATE", "EXRULE", "RECURRENCE-ID"]
        func lines(_ text: String) -> [String] {
            ICalFixture.unfoldedLines(text).filter { line in
                recurrence.contains { line.uppercased().hasPrefix($0 + ":") || line.uppercased().hasPrefix($0 + ";") }
            }
        }
        #expect(lines(written) == lines(original))
    }

    @Test func unknownPropertiesAndComponentsSurvive() throws {
        let google = try ICalFixture.calendar("google-calendar-alarm")
        let event = try ICalFixture.item(google)
        #expect(event.components("VALARM").count == 4)
        #expect(event.components("VALARM")[2].first("ATTENDEE")?.value == "mailto:niccokunzmann@googlemail.com")
        let outlook = try ICalFixture.calendar("outlook-2010-recurring")
        let meeting = try ICalFixture.item(outlook)
        #expect(meeting.first("X-MICROSOFT-CDO-BUSYSTATUS")?.value == "TENTATIVE")
        #expect(meeting.first("X-ALT-DESC")?.parameterValue("FMTTYPE") == "text/html")
        #expect(meeting.first("X-ALT-DESC")?.value.hasSuffix("</BODY>\\n</HTML>") == true)
        #expect(outlook.first("X-MS-OLK-FORCEINSPECTOROPEN")?.value == "TRUE")
        let written = ICalendarWriter.write(outlook)
        #expect(written.contains("X-MS-OLK-CONFTYPE:0\r\n"))
    }

    @Test func exchangeUnquotedWindowsTZIDResolvesToNewYork() throws {
        let calendar = try ICalFixture.calendar("exchange-2010-unquoted-tzid")
        let start = try #require(try ICalDateTime.start(of: ICalFixture.item(calendar), in: calendar))
        #expect(start.kind == .zoned(tzid: "Eastern Standard Time"))
        #expect(start.timeZone?.identifier == "America/New_York")
        #expect(start.instant() == ICalFixture.instant("2024-10-28T21:00:00Z"))
    }

    @Test func outlookQuotedWindowsTZIDResolvesToNewYorkInSummer() throws {
        let calendar = try ICalFixture.calendar("outlook-2010-recurring")
        let event = try ICalFixture.item(calendar)
        let start = try #require(try ICalDateTime.start(of: event, in: calendar))
        #expect(start.timeZone?.identifier == "America/New_York")
        #expect(start.instant() == ICalFixture.instant("2013-06-10T16:00:00Z"))
        #expect(try ICalDateTime.end(of: event, in: calendar)?.instant() == ICalFixture.instant("2013-06-10T17:00:00Z"))
        #expect(event.text("DESCRIPTION")?.hasPrefix("Meeting will discuss objectives for next project.\nWill") == true)
        #expect(event.first("ATTENDEE")?.value == "mailto:johndoe@example.com")
        #expect(event.first("ATTENDEE")?.parameterValue("CN") == "Doe, John")
        #expect(event.first("PRIORITY")?.value == "5")
        #expect(event.text("LOCATION") == "Auditorium 16")
        #expect(event.first("ORGANIZER")?.value == "mailto:bobsmith@example.com")
    }

    @Test func outlook12DisplayNameTZIDResolvesToSydney() throws {
        let calendar = try ICalFixture.calendar("outlook-12-ms-tzid")
        let start = try #require(try ICalDateTime.start(of: ICalFixture.item(calendar), in: calendar))
        #expect(start.kind == .zoned(tzid: "Canberra, Melbourne, Sydney"))
        #expect(start.timeZone?.identifier == "Australia/Sydney")
        #expect(start.instant() == ICalFixture.instant("2008-05-30T05:00:00Z"))
        // The TZID holds commas, so it is written quoted again.
        #expect(ICalendarWriter.write(calendar)
            .contains("DTSTART;TZID=\"Canberra, Melbourne, Sydney\":20080530T150000\r\n"))
    }

    @Test func theVTimeZonesRulesDecideOverAContradictoryWindowsName() throws {
        // khal's file: TZID "New Zealand Standard Time" with a VTIMEZONE that says +0100 in November 2019. The
        // program that wrote the file computed its times with those rules, so they decide the instant; Auckland,
        // whose offsets disagree, is not the zone.
        let calendar = try ICalFixture.calendar("windows-format-tzid")
        let event = try ICalFixture.item(calendar)
        let start = try #require(try ICalDateTime.start(of: event, in: calendar))
        #expect(start.timeZone != nil)
        #expect(start.timeZone?.identifier != "Pacific/Auckland")
        #expect(start.utcOffset == 3600)
        #expect(start.instant() == ICalFixture.instant("2019-11-20T12:00:00Z"))
        #expect(try ICalDateTime.end(of: event, in: calendar)?.instant() == ICalFixture.instant("2019-11-20T13:30:00Z"))
    }

    @Test func aWindowsNameWhoseRulesAgreeWithTheVTimeZoneIsTheZone() throws {
        let text = """
            BEGIN:VCALENDAR
            VERSION:2.0
            BEGIN:VTIMEZONE
            TZID:W. Europe Standard Time
            BEGIN:STANDARD
            DTSTART:16010101T030000
            TZOFFSETFROM:+0200
            TZOFFSETTO:+0100
            RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
            END:STANDARD
            BEGIN:DAYLIGHT
            DTSTART:16010101T020000
            TZOFFSETFROM:+0100
            TZOFFSETTO:+0200
            RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
            END:DAYLIGHT
            END:VTIMEZONE
            BEGIN:VEVENT
            UID:1
            DTSTART;TZID=W. Europe Standard Time:20240710T090000
            END:VEVENT
            END:VCALENDAR

            """
        let calendar = try ICalendarReader.read(text)
        let start = try #require(try ICalDateTime.start(of: ICalFixture.item(calendar), in: calendar))
        #expect(start.timeZone?.identifier == "Europe/Berlin")
        #expect(start.instant() == ICalFixture.instant("2024-07-10T07:00:00Z"))
    }

    @Test func anIANANameWhoseRulesDisagreeGivesWayToTheVTimeZone() throws {
        // A VTIMEZONE that keeps New York's name but gives it a fixed -0400: the file's times were computed with
        // -0400, also in January.
        let text = """
            BEGIN:VCALENDAR
            VERSION:2.0
            BEGIN:VTIMEZONE
            TZID:America/New_York
            BEGIN:STANDARD
            DTSTART:19700101T000000
            TZOFFSETFROM:-0400
            TZOFFSETTO:-0400
            END:STANDARD
            END:VTIMEZONE
            BEGIN:VEVENT
            UID:1
            DTSTART;TZID=America/New_York:20240110T090000
            END:VEVENT
            END:VCALENDAR

            """
        let calendar = try ICalendarReader.read(text)
        let start = try #require(try ICalDateTime.start(of: ICalFixture.item(calendar), in: calendar))
        #expect(start.timeZone?.identifier != "America/New_York")
        #expect(start.instant() == ICalFixture.instant("2024-01-10T13:00:00Z"))
    }

    @Test func exchangeCDOCustomTZIDMatchesTheEuropeanRules() throws {
        let calendar = try ICalFixture.calendar("exchange-cdo-missing-event")
        let start = try #require(try ICalDateTime.start(of: ICalFixture.item(calendar), in: calendar))
        #expect(start.kind == .zoned(tzid: "GMT +0100 (Standard) / GMT +0200 (Daylight)"))
        #expect(start.timeZone?.identifier == "Europe/Berlin")
        #expect(start.instant() == ICalFixture.instant("2015-07-03T08:00:00Z"))
    }

    @Test func lotusNotesEasternMatchesNewYork() throws {
        let calendar = try ICalFixture.calendar("lotus-notes-6-calconnect")
        let event = try ICalFixture.item(calendar)
        let start = try #require(try ICalDateTime.start(of: event, in: calendar))
        #expect(start.timeZone?.identifier == "America/New_York")
        #expect(start.instant() == ICalFixture.instant("2005-04-11T13:00:00Z"))
        #expect(event.all("ATTENDEE").count == 2)
        #expect(event.all("ATTENDEE")[1].parameterValue("CN") == "iCal Participant/CoffeeBean")
        #expect(event.first("RRULE")?.parameterValue("TZID") == "Eastern")
    }

    @Test func nonASCIIDisplayNameTZIDResolvesToSaoPaulo() throws {
        let calendar = try ICalFixture.calendar("vtimezone-non-ascii-tzid")
        let start = try #require(try ICalDateTime.start(of: ICalFixture.item(calendar), in: calendar))
        #expect(start.kind == .zoned(tzid: "(UTC-03:00) Brasília"))
        #expect(start.timeZone?.identifier == "America/Sao_Paulo")
        #expect(start.instant() == ICalFixture.instant("2017-05-11T16:30:00Z"))
    }

    @Test func ianaTZIDsWithTheirOwnVTimeZoneResolveByName() throws {
        for (name, zone, instant) in [
            ("apple-ical2-exdate", "Australia/Brisbane", "2006-01-01T02:00:00Z"),
            ("apple-ios26-structured-location", "Europe/Vienna", "2026-05-22T08:30:00Z"),
            ("thunderbird-alarm-vtimezone-crlf", "Europe/London", "2024-10-23T14:00:00Z"),
            ("google-calendar-x-apple-location", "Europe/Zurich", "2016-10-28T12:00:00Z"),
        ] {
            let calendar = try ICalFixture.calendar(name)
            let start = try #require(try ICalDateTime.start(of: ICalFixture.item(calendar), in: calendar))
            #expect(start.timeZone?.identifier == zone, "\(name)")
            #expect(start.instant() == ICalFixture.instant(instant), "\(name)")
        }
    }

    @Test func recurrenceIDOverrideKeepsItsLinesAndInstants() throws {
        let calendar = try ICalFixture.calendar("rrule-recurrence-id-override")
        let events = calendar.components("VEVENT")
        #expect(events.count == 2)
        #expect(events[0].first("RRULE")?.value == "FREQ=WEEKLY;UNTIL=20140806T060000Z")
        let override = events[1]
        let recurrenceID = try ICalDateTime.parse(try #require(override.first("RECURRENCE-ID")), in: calendar)
        #expect(recurrenceID.kind == .utc)
        // The moved occurrence is the 2014-07-07 07:00 Berlin one (05:00 UTC), moved to 09:00.
        #expect(recurrenceID.instant() == ICalFixture.instant("2014-07-07T05:00:00Z"))
        let start = try ICalDateTime.start(of: override, in: calendar)
        #expect(start?.instant() == ICalFixture.instant("2014-07-07T07:00:00Z"))
        let written = ICalendarWriter.write(calendar)
        #expect(written.contains("RECURRENCE-ID:20140707T050000Z\r\n"))
        #expect(written.contains("RRULE:FREQ=WEEKLY;UNTIL=20140806T060000Z\r\n"))
        #expect(written.contains("DTSTART;TZID=Europe/Berlin:20140707T090000\r\n"))
    }

    @Test func exdateFixturesKeepEveryExdateLine() throws {
        let paris = ICalendarWriter.write(try ICalFixture.calendar("thunderbird-rrule-exdate-paris"))
        let exdates = ICalFixture.unfoldedLines(paris).filter { $0.hasPrefix("EXDATE") }
        #expect(exdates == [
            "EXDATE:20171023T183000Z", "EXDATE:20171030T193000Z", "EXDATE:20171225T193000Z",
            "EXDATE:20180101T193000Z", "EXDATE:20180212T193000Z", "EXDATE:20180219T193000Z",
            "EXDATE:20180409T183000Z", "EXDATE:20180416T183000Z", "EXDATE:20180402T183000Z",
        ])
        let apple = try ICalFixture.calendar("apple-ical2-exdate")
        let event = try ICalFixture.item(apple)
        let excluded = try event.all("EXDATE").flatMap { line throws(PIMFormatError) in
            try ICalDateTime.parseList(line, in: apple)
        }
        #expect(excluded.map { $0.instant() } == [
            ICalFixture.instant("2006-01-03T02:00:00Z"), ICalFixture.instant("2006-01-04T02:00:00Z"),
        ])
        #expect(ICalendarWriter.write(apple).contains("EXDATE;TZID=Australia/Brisbane:20060104T120000\r\n"))
        let utc = try ICalFixture.calendar("rrule-exdate-utc")
        #expect(ICalendarWriter.write(utc).contains("EXDATE:20140721T053000Z\r\n"))
    }

    @Test func durationGivesTheEndWhenThereIsNoDTEND() throws {
        let calendar = try ICalFixture.calendar("rrule-exdate-utc")
        let event = try ICalFixture.item(calendar)
        #expect(event.first("DTEND") == nil)
        let end = try #require(try ICalDateTime.end(of: event, in: calendar))
        #expect(end.kind == .zoned(tzid: "Europe/Berlin"))
        #expect(end.value == "20140630T120100")
        #expect(end.instant() == ICalFixture.instant("2014-06-30T10:01:00Z"))
    }

    @Test func allDayFixtureStaysADate() throws {
        let calendar = try ICalFixture.calendar("all-day-date-value")
        let event = try ICalFixture.item(calendar)
        let start = try #require(try ICalDateTime.start(of: event, in: calendar))
        #expect(start.kind == .date)
        #expect(start.components == DateComponents(year: 2014, month: 4, day: 9))
        #expect(start.instant() == nil)
        #expect(try ICalDateTime.end(of: event, in: calendar)?.value == "20140410")
        #expect(ICalendarWriter.write(calendar).contains("DTSTART;VALUE=DATE:20140409\r\n"))
    }

    @Test func todoFixtureKeepsItsTaskProperties() throws {
        let calendar = try ICalFixture.calendar("vtodo-simple")
        let todo = try ICalFixture.item(calendar)
        #expect(todo.name == "VTODO")
        #expect(todo.first("STATUS")?.value == "NEEDS-ACTION")
        #expect(todo.textList("CATEGORIES") == ["FAMILY", "FINANCE"])
        let due = try #require(try ICalDateTime.end(of: todo, in: calendar))
        #expect(due.kind == .date)
        #expect(due.value == "20070501")
    }

    @Test func foldedNamesAndEscapedTextOfOtherProgramsRead() throws {
        let korganizer = try ICalFixture.calendar("korganizer-sample")
        let event = try ICalFixture.item(korganizer)
        #expect(event.text("LOCATION") == "Caltech Campus; room 101 Guggenheim")
        #expect(event.first("PRIORITY")?.value == "3")
        #expect(event.first("ORGANIZER")?.value == "MAILTO:osnut@pacbell.net")
        let plone = try ICalFixture.calendar("plone-unicode-prodid-crlf")
        #expect(plone.text("PRODID") == "-//Plönë.org//NONSGML plone.app.event//EN")
        let google = try ICalFixture.calendar("google-calendar-x-apple-location")
        let location = try #require(try ICalFixture.item(google).first("X-APPLE-STRUCTURED-LOCATION"))
        #expect(location.parameterValue("X-ADDRESS") == "Röadstar 16\\n12764 Happyville\\nDenmark")
        #expect(location.value == "geo:52.382762,7.528319")
    }
}

import Foundation
import PIMFormats
import Testing

@Suite struct TimeZoneResolverTests {
    let empty = ICalComponent(name: "VCALENDAR")

    @Test(arguments: [
        ("W. Europe Standard Time", "Europe/Berlin"),
        ("Eastern Standard Time", "America/New_York"),
        ("India Standard Time", "Asia/Kolkata"),
        ("Lord Howe Standard Time", "Australia/Lord_Howe"),
        ("AUS Eastern Standard Time", "Australia/Sydney"),
        ("GMT Standard Time", "Europe/London"),
        ("Romance Standard Time", "Europe/Paris"),
        ("Pacific Standard Time", "America/Los_Angeles"),
        ("Tokyo Standard Time", "Asia/Tokyo"),
        ("UTC", "Etc/UTC"),
        ("w. europe standard time", "Europe/Berlin"),
        ("W. Europe Daylight Time", "Europe/Berlin"),
        ("\"Eastern Standard Time\"", "America/New_York"),
        ("(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "Europe/Berlin"),
        ("(GMT+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "Europe/Berlin"),
        ("(UTC-05:00) Eastern Time (US & Canada)", "America/New_York"),
        ("(UTC+05:30) Chennai, Kolkata, Mumbai, New Delhi", "Asia/Kolkata"),
        ("Canberra, Melbourne, Sydney", "Australia/Sydney"),
        ("(UTC-03:00) Brasília", "America/Sao_Paulo"),
        ("(GMT+01:00) Brussels, Copenhagen, Madrid, Paris", "Europe/Paris"),
    ])
    func windowsNamesMapToIANA(windows: String, iana: String) {
        #expect(TimeZoneResolver.ianaName(windows: windows) == iana)
    }

    @Test func namesTheTableDoesNotKnowGiveNil() {
        #expect(TimeZoneResolver.ianaName(windows: "Europe/Berlin") == nil)
        #expect(TimeZoneResolver.ianaName(windows: "Nowhere Standard Time") == nil)
        #expect(TimeZoneResolver.ianaName(windows: "") == nil)
    }

    @Test func everyMappedZoneIsKnownToFoundation() {
        let windowsNames = [
            "Dateline Standard Time", "Hawaiian Standard Time", "Alaskan Standard Time", "Mountain Standard Time",
            "Central Standard Time", "Atlantic Standard Time", "Newfoundland Standard Time",
            "E. South America Standard Time", "Argentina Standard Time", "Greenland Standard Time",
            "Azores Standard Time", "Morocco Standard Time", "Central Europe Standard Time", "GTB Standard Time",
            "FLE Standard Time", "Israel Standard Time", "Russian Standard Time", "Iran Standard Time",
            "Arabian Standard Time", "Afghanistan Standard Time", "Pakistan Standard Time", "Nepal Standard Time",
            "Myanmar Standard Time", "SE Asia Standard Time", "China Standard Time", "Singapore Standard Time",
            "Korea Standard Time", "Cen. Australia Standard Time", "E. Australia Standard Time",
            "Tasmania Standard Time", "New Zealand Standard Time", "Chatham Islands Standard Time",
            "Tonga Standard Time", "Line Islands Standard Time", "US Eastern Standard Time", "Mexico Standard Time",
        ]
        for name in windowsNames {
            let iana = TimeZoneResolver.ianaName(windows: name)
            #expect(iana != nil, "\(name)")
            let calendar = ICalComponent(name: "VCALENDAR")
            #expect(TimeZoneResolver.resolve(tzid: name, in: calendar) != nil, "\(name)")
        }
    }

    @Test func withoutVTimeZoneAWindowsNameThenAnIANANameResolves() {
        #expect(TimeZoneResolver.resolve(tzid: "W. Europe Standard Time", in: empty)?.identifier == "Europe/Berlin")
        #expect(TimeZoneResolver.resolve(tzid: "America/New_York", in: empty)?.identifier == "America/New_York")
        #expect(TimeZoneResolver.resolve(tzid: "europe/berlin", in: empty)?.identifier == "Europe/Berlin")
        #expect(TimeZoneResolver.resolve(tzid: "/mozilla.org/20050126_1/Europe/Berlin", in: empty)?.identifier
            == "Europe/Berlin")
        #expect(TimeZoneResolver.resolve(tzid: "Nowhere", in: empty) == nil)
        let offsetOnly = TimeZoneResolver.resolve(tzid: "(UTC+03:30) Somewhere New", in: empty)
        #expect(offsetOnly?.secondsFromGMT() == 3 * 3600 + 1800)
    }

    @Test func theCalendarsOwnVTimeZoneComesFirst() throws {
        // A TZID named like nothing known, with an X-LIC-LOCATION.
        let calendar = try ICalendarReader.read("""
            BEGIN:VCALENDAR
            BEGIN:VTIMEZONE
            TZID:Office time
            X-LIC-LOCATION:Asia/Tokyo
            BEGIN:STANDARD
            DTSTART:19700101T000000
            TZOFFSETFROM:+0900
            TZOFFSETTO:+0900
            END:STANDARD
            END:VTIMEZONE
            END:VCALENDAR
            """)
        #expect(TimeZoneResolver.resolve(tzid: "Office time", in: calendar)?.identifier == "Asia/Tokyo")
    }

    @Test func aVTimeZoneWithAnOwnNameMatchesTheZoneWithItsRules() throws {
        // US rules since 2007 at -05:00/-04:00, named by a program of its own.
        let calendar = try ICalendarReader.read("""
            BEGIN:VCALENDAR
            BEGIN:VTIMEZONE
            TZID:Head office
            BEGIN:STANDARD
            DTSTART:20071104T020000
            RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
            TZOFFSETFROM:-0400
            TZOFFSETTO:-0500
            END:STANDARD
            BEGIN:DAYLIGHT
            DTSTART:20070311T020000
            RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
            TZOFFSETFROM:-0500
            TZOFFSETTO:-0400
            END:DAYLIGHT
            END:VTIMEZONE
            BEGIN:VEVENT
            DTSTART;TZID=Head office:20240310T090000
            END:VEVENT
            END:VCALENDAR
            """)
        #expect(TimeZoneResolver.resolve(tzid: "Head office", in: calendar)?.identifier == "America/New_York")
        let start = try ICalDateTime.parse(calendar.components[1].first("DTSTART")!, in: calendar)
        #expect(start.instant() == ICalFixture.instant("2024-03-10T13:00:00Z"))
    }

    @Test func aVTimeZoneNoZoneMatchesBecomesAFixedOffset() throws {
        let calendar = try ICalendarReader.read("""
            BEGIN:VCALENDAR
            BEGIN:VTIMEZONE
            TZID:Odd
            BEGIN:STANDARD
            DTSTART:19700101T000000
            TZOFFSETFROM:+0317
            TZOFFSETTO:+0317
            END:STANDARD
            END:VTIMEZONE
            BEGIN:VTIMEZONE
            TZID:Plus two
            BEGIN:STANDARD
            DTSTART:19700101T000000
            TZOFFSETFROM:+0200
            TZOFFSETTO:+0200
            END:STANDARD
            END:VTIMEZONE
            END:VCALENDAR
            """)
        #expect(TimeZoneResolver.resolve(tzid: "Odd", in: calendar)?.secondsFromGMT() == 3 * 3600 + 17 * 60)
        // +02:00 all year: the first zone of the table that has it all year.
        let plusTwo = try #require(TimeZoneResolver.resolve(tzid: "Plus two", in: calendar))
        #expect(plusTwo.secondsFromGMT(for: ICalFixture.instant("2024-01-15T12:00:00Z")) == 7200)
        #expect(plusTwo.secondsFromGMT(for: ICalFixture.instant("2024-07-15T12:00:00Z")) == 7200)
    }

    @Test func aVTimeZoneDefinitionGivesTheOffsetsOfItsObservances() throws {
        let calendar = try ICalFixture.calendar("outlook-12-ms-tzid")
        let component = try #require(calendar.components.first)
        let definition = try #require(VTimeZoneDefinition(component))
        #expect(definition.tzid == "Canberra, Melbourne, Sydney")
        // 2005: the old rule (last Sunday of March, until 2005); 2006: the first Sunday of April; 2008: the new one.
        #expect(definition.secondsFromGMT(for: ICalFixture.instant("2005-03-26T12:00:00Z")) == 11 * 3600)
        #expect(definition.secondsFromGMT(for: ICalFixture.instant("2005-03-27T12:00:00Z")) == 10 * 3600)
        #expect(definition.secondsFromGMT(for: ICalFixture.instant("2006-03-30T12:00:00Z")) == 11 * 3600)
        #expect(definition.secondsFromGMT(for: ICalFixture.instant("2006-04-02T12:00:00Z")) == 10 * 3600)
        #expect(definition.secondsFromGMT(for: ICalFixture.instant("2008-05-30T05:00:00Z")) == 10 * 3600)
        #expect(definition.isDaylightSavingTime(for: ICalFixture.instant("2008-12-01T00:00:00Z")))
        let london = try ICalFixture.calendar("android-etar-alarm-vtimezone")
        let londonZone = try #require(london.components.first)
        let history = try #require(VTimeZoneDefinition(londonZone))
        // RDATE observances: British Summer Time began on 1916-05-21 at 02:00 GMT.
        #expect(history.secondsFromGMT(for: ICalFixture.instant("1916-05-21T01:59:00Z")) == 0)
        #expect(history.secondsFromGMT(for: ICalFixture.instant("1916-05-21T02:01:00Z")) == 3600)
        #expect(history.secondsFromGMT(for: ICalFixture.instant("2024-07-01T00:00:00Z")) == 3600)
    }
}

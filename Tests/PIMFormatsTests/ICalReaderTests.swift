import Foundation
import PIMFormats
import Testing

@Suite struct ICalReaderTests {
    @Test func componentsNestInFileOrderWithTheirProperties() throws {
        let text = """
            BEGIN:VCALENDAR
            VERSION:2.0
            BEGIN:VEVENT
            UID:1
            BEGIN:VALARM
            ACTION:DISPLAY
            END:VALARM
            END:VEVENT
            BEGIN:X-VENDOR-THING
            X-A:1
            END:X-VENDOR-THING
            BEGIN:VTODO
            UID:2
            END:VTODO
            END:VCALENDAR
            """
        let calendar = try ICalendarReader.read(text)
        #expect(calendar.components.map(\.name) == ["VEVENT", "X-VENDOR-THING", "VTODO"])
        #expect(calendar.components[0].components.map(\.name) == ["VALARM"])
        #expect(calendar.first("VERSION")?.value == "2.0")
        #expect(calendar.components[1].first("X-A")?.line == 10)
    }

    @Test func anENDThatClosesAnotherComponentIsAnErrorNamingItsLine() {
        let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:1\nEND:VTODO\nEND:VCALENDAR\n"
        #expect(throws: PIMFormatError(line: 4, "END:VTODO does not close BEGIN:VEVENT of line 2")) {
            try ICalendarReader.read(text)
        }
    }

    @Test func aBEGINWithoutENDIsAnErrorNamingItsLine() {
        let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:1\nEND:VCALENDAR\n"
        #expect(throws: PIMFormatError(line: 4, "END:VCALENDAR does not close BEGIN:VEVENT of line 2")) {
            try ICalendarReader.read(text)
        }
        #expect(throws: PIMFormatError(line: 2, "BEGIN:VEVENT has no END:VEVENT")) {
            try ICalendarReader.read("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:1\n")
        }
    }

    @Test func aTextWithoutVCALENDARIsAnError() {
        #expect(throws: PIMFormatError(line: 1, "BEGIN:VEVENT outside a VCALENDAR")) {
            try ICalendarReader.read("BEGIN:VEVENT\nUID:1\nEND:VEVENT\n")
        }
        #expect(throws: PIMFormatError(line: 0, "the text holds no VCALENDAR")) {
            try ICalendarReader.read("\r\n")
        }
        #expect(throws: PIMFormatError(line: 1, "the property UID is outside the VCALENDAR")) {
            try ICalendarReader.read("UID:1\nBEGIN:VCALENDAR\nEND:VCALENDAR\n")
        }
    }

    @Test func aBrokenLineIsAnErrorNamingItsLine() {
        #expect(throws: PIMFormatError(line: 3, "'this is not a property' is not a property: it has no ':'")) {
            try ICalendarReader.read(
                "BEGIN:VCALENDAR\nBEGIN:VEVENT\nthis is not a property\nEND:VEVENT\nEND:VCALENDAR\n"
            )
        }
    }

    @Test func concatenatedCalendarsJoinTheFirst() throws {
        let text = """
            BEGIN:VCALENDAR
            PRODID:a
            BEGIN:VTIMEZONE
            TZID:X
            END:VTIMEZONE
            BEGIN:VEVENT
            UID:1
            END:VEVENT
            END:VCALENDAR
            BEGIN:VCALENDAR
            PRODID:b
            BEGIN:VTIMEZONE
            TZID:X
            END:VTIMEZONE
            BEGIN:VEVENT
            UID:2
            END:VEVENT
            END:VCALENDAR
            """
        let calendar = try ICalendarReader.read(text)
        #expect(calendar.first("PRODID")?.value == "a")
        #expect(calendar.components.map(\.name) == ["VTIMEZONE", "VEVENT", "VEVENT"])
    }

    @Test func bytesAreUTF8WithOrWithoutBOMElseWindows1252() throws {
        let text = "BEGIN:VCALENDAR\r\nX-WR-CALNAME:Café\r\nEND:VCALENDAR\r\n"
        #expect(try ICalendarReader.read(data: Data(text.utf8)).text("X-WR-CALNAME") == "Café")
        let withBOM = Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8)
        #expect(try ICalendarReader.read(data: withBOM).text("X-WR-CALNAME") == "Café")
        // "Café €" in Windows-1252: é is 0xE9, € is 0x80.
        let latin = Data("BEGIN:VCALENDAR\r\nX-WR-CALNAME:Caf".utf8) + Data([0xE9, 0x20, 0x80])
            + Data("\r\nEND:VCALENDAR\r\n".utf8)
        #expect(try ICalendarReader.read(data: latin).text("X-WR-CALNAME") == "Café €")
    }

    @Test func appleBackslashEscapedParameterValuesStayWhole() throws {
        let calendar = try ICalFixture.calendar("apple-ios26-structured-location")
        let location = try #require(try ICalFixture.item(calendar).first("X-APPLE-STRUCTURED-LOCATION"))
        #expect(location.parameterValue("X-TITLE") == "Hauptstraße 1-5\\; 4041 Linz")
        #expect(location.parameterValue("X-APPLE-RADIUS") == "70.58736402610756")
        #expect(location.value == "geo:48.309978,14.283197")
        #expect(location.parameters.map(\.name) == [
            "VALUE", "X-APPLE-MAPKIT-HANDLE", "X-APPLE-REFERENCEFRAME", "X-TITLE", "X-APPLE-RADIUS",
        ])
    }

    @Test func unquotedTZIDWithCommasIsOneName() throws {
        let text = """
            BEGIN:VCALENDAR
            BEGIN:VEVENT
            DTSTART;TZID=(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna:20240115T100000
            END:VEVENT
            END:VCALENDAR
            """
        let calendar = try ICalendarReader.read(text)
        let start = try #require(try ICalDateTime.start(of: ICalFixture.item(calendar), in: calendar))
        #expect(start.kind == .zoned(tzid: "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"))
        #expect(start.timeZone?.identifier == "Europe/Berlin")
        #expect(start.instant() == ICalFixture.instant("2024-01-15T09:00:00Z"))
        #expect(ICalFixture.unfoldedLines(ICalendarWriter.write(calendar)).contains(
            "DTSTART;TZID=\"(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna\":20240115T100000"
        ))
    }

    @Test func exchangeUnquotedTZIDWithCommasIsWrittenAsItWas() throws {
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEXDATE;TZID=Canberra, Melbourne, Sydney:20080530T150000\r\n"
            + "END:VEVENT\r\nEND:VCALENDAR\r\n"
        let calendar = try ICalendarReader.read(text)
        #expect(ICalendarWriter.write(calendar) == text)
        let excluded = try ICalDateTime.parse(try #require(calendar.components[0].first("EXDATE")), in: calendar)
        #expect(excluded.timeZone?.identifier == "Australia/Sydney")
    }
}

@Suite struct ICalComponentTests {
    @Test func setTextEscapesAndKeepsTheParametersOfTheFirst() throws {
        var event = ICalComponent(name: "vevent", properties: [
            ContentLine(name: "SUMMARY", parameters: [.init(name: "LANGUAGE", values: ["en"])], value: "Old"),
            ContentLine(name: "SUMMARY", value: "Second"),
        ])
        #expect(event.name == "VEVENT")
        event.setText("summary", "Lunch; with Jane, Bob\nand Ann")
        #expect(event.first("SUMMARY")?.value == "Lunch\\; with Jane\\, Bob\\nand Ann")
        #expect(event.first("SUMMARY")?.parameterValue("LANGUAGE") == "en")
        #expect(event.text("SUMMARY") == "Lunch; with Jane, Bob\nand Ann")
        #expect(event.all("SUMMARY").count == 2)
        event.setText("LOCATION", "Room 1")
        #expect(event.properties.last?.name == "LOCATION")
        event.setText("SUMMARY", nil)
        #expect(event.all("SUMMARY").isEmpty)
    }

    @Test func setReplacesTheFirstOfItsNameOrAppends() {
        var todo = ICalComponent(name: "VTODO", properties: [
            ContentLine(name: "UID", value: "1"), ContentLine(name: "STATUS", value: "NEEDS-ACTION"),
        ])
        todo.set(ContentLine(name: "STATUS", value: "COMPLETED"))
        todo.set(ContentLine(name: "PERCENT-COMPLETE", value: "100"))
        todo.set(ICalDateTime.line("COMPLETED", instant: ICalFixture.instant("2024-05-01T10:00:00Z"), timeZone: nil))
        #expect(todo.properties.map(\.name) == ["UID", "STATUS", "PERCENT-COMPLETE", "COMPLETED"])
        #expect(todo.first("STATUS")?.value == "COMPLETED")
        #expect(todo.first("COMPLETED")?.value == "20240501T100000Z")
        todo.remove("percent-complete")
        #expect(todo.first("PERCENT-COMPLETE") == nil)
    }

    @Test func categoriesReadAcrossLinesAndWriteAsOne() {
        var event = ICalComponent(name: "VEVENT", properties: [
            ContentLine(name: "CATEGORIES", value: "CRM,Meeting\\, external"),
            ContentLine(name: "UID", value: "1"),
            ContentLine(name: "CATEGORIES", value: "Sales"),
        ])
        #expect(event.textList("CATEGORIES") == ["CRM", "Meeting, external", "Sales"])
        event.setTextList("CATEGORIES", ["CRM", "A;B"])
        #expect(event.all("CATEGORIES").map(\.value) == ["CRM,A\\;B"])
        #expect(event.properties.map(\.name) == ["CATEGORIES", "UID"])
    }

    @Test func aCalendarMadeInCodeWritesAndReadsBack() throws {
        var event = ICalComponent(name: "VEVENT")
        event.setText("UID", "crm-1")
        event.setText("SUMMARY", "Kick-off, with ☕ and a very long title that needs folding at seventy-five octets")
        event.set(ICalDateTime.dateLine("DTSTART", year: 2024, month: 2, day: 29))
        event.set(ContentLine(name: "X-CRM-ID", value: "42"))
        event.set(ContentLine(
            name: "ATTENDEE",
            parameters: [.init(name: "CN", values: ["Doe, Jane"]), .init(name: "SCHEDULE-AGENT", values: ["CLIENT"])],
            value: "mailto:jane@example.com"
        ))
        let calendar = ICalComponent(
            name: "VCALENDAR",
            properties: [ContentLine(name: "VERSION", value: "2.0"), ContentLine(name: "PRODID", value: "-//CRM//EN")],
            components: [event]
        )
        let text = ICalendarWriter.write(calendar)
        #expect(text.contains("ATTENDEE;CN=\"Doe, Jane\";SCHEDULE-AGENT=CLIENT:mailto:jane@example.com\r\n"))
        let again = try ICalendarReader.read(text)
        #expect(again.withoutLineNumbers == calendar)
        #expect(again.components[0].text("SUMMARY") == event.text("SUMMARY"))
    }
}

extension ICalReaderTests {
    /// Folding is by octets, so a continuation line may begin with a combining mark; " \u{301}" is one Character,
    /// and a reader looking at Characters would take it for a new (broken) property.
    @Test func aFoldBeforeACombiningMarkUnfoldsByScalar() throws {
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Caf\r\n \u{301} cr\r\n e\u{301}me\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        let calendar = try ICalendarReader.read(text)
        let summary = try #require(calendar.components.first?.first("SUMMARY"))
        #expect(Array(summary.value.unicodeScalars) == Array("Caf\u{301} cre\u{301}me".unicodeScalars))
    }

    /// A parameter delimiter followed by a combining mark (one Character) still delimits, in the reader that
    /// honours backslashes in parameter values too.
    @Test func aParameterDelimiterBeforeACombiningMarkStillSplits() throws {
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"
            + "LOCATION;X-TITLE=Rue 1\\;\u{301}x;X-B=\u{301}y:Caf\u{301}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        let calendar = try ICalendarReader.read(text)
        let location = try #require(calendar.components.first?.first("LOCATION"))
        #expect(location.parameters.map(\.name) == ["X-TITLE", "X-B"])
        #expect(location.parameterValue("X-B").map { Array($0.unicodeScalars) } == Array("\u{301}y".unicodeScalars))
        #expect(Array(location.value.unicodeScalars) == Array("Caf\u{301}".unicodeScalars))
    }
}

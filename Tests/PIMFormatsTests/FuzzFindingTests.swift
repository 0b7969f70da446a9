import Foundation
import PIMFormats
import Testing

/// Inputs the fuzz targets of Fuzz/ crashed on (`scripts/fuzz.sh`), kept byte-exact in `Fixtures/fuzz/`: each
/// now gets a clear answer instead of a crash.
@Suite struct FuzzFindingTests {
    static func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: Bundle.module.resourceURL!.appendingPathComponent("Fixtures/fuzz/\(name)"))
    }

    /// `icalendar` target: a TZID shaped like a Windows display name with an 18-digit hour offset,
    /// `(UTC-0366666666666666666:00) ...`, overflowed while the offset was turned into seconds.
    @Test func windowsDisplayNameWithAHugeOffsetIsNoZoneInsteadOfAnOverflow() throws {
        let calendar = try ICalendarReader.read(data: try Self.fixture("icalendar-display-name-offset-overflow.ics"))
        let event = try #require(calendar.components("VEVENT").first)
        let start = try ICalDateTime.parse(try #require(event.first("DTSTART")), in: calendar)
        #expect(start.timeZone == nil)
        let end = try #require(event.first("DTEND"))
        let error = try #require(throws: PIMFormatError.self) { try ICalDateTime.parseList(end, in: calendar) }
        #expect(error.description.contains("is not a DATE or DATE-TIME"))
        let tzids = [
            "(UTC-0366666666666666666:00) Brasilia", "(UTC+01:99999999999999999999) Berlin", "(UTC+99:00) Berlin",
        ]
        for tzid in tzids {
            #expect(TimeZoneResolver.resolve(tzid: tzid, in: calendar) == nil, "\(tzid)")
        }
        #expect(TimeZoneResolver.resolve(tzid: "(UTC-03:00) Brasilia", in: calendar)?.identifier == "America/Sao_Paulo")
    }
}

/// Durations with numbers too long for a machine word are no durations (found by reading the `icalendar` target's
/// code path; the target then crashed on `DURATION:P99999999999999999999D`).
@Suite struct ICalDurationOverflowTests {
    @Test func aDurationWithATwentyDigitNumberIsRefusedInsteadOfOverflowing() throws {
        let calendar = try ICalendarReader.read(data: try FuzzFindingTests.fixture("icalendar-duration-overflow.ics"))
        let event = try #require(calendar.components("VEVENT").first)
        #expect(ICalDuration(try #require(event.first("DURATION")).value) == nil)
        for text in ["PT99999999999999999999S", "-P9223372036854775807W", "P1000000000D"] {
            #expect(ICalDuration(text) == nil, "\(text)")
        }
    }

    @Test func theLongestDurationAddsWithoutOverflow() throws {
        let duration = try #require(ICalDuration("P999999999WT999999999H999999999M999999999S"))
        let calendar = try ICalendarReader.read(data: try FuzzFindingTests.fixture("icalendar-duration-overflow.ics"))
        let event = try #require(calendar.components("VEVENT").first)
        let start = try ICalDateTime.parse(try #require(event.first("DTSTART")), in: calendar)
        let end = start.adding(duration)
        #expect(try #require(end.components.year) > 19_000_000)
        #expect(ICalDuration("-P999999999W").map { start.adding($0).components.year ?? 0 < -19_000_000 } == true)
    }
}

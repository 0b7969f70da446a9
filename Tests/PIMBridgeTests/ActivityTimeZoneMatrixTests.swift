import CRMModel
import Foundation
import PIMBridge
import PIMFormats
import Testing

/// The time-zone matrix through the Activity mapping: meetings around each change of offset in 2024 (and an
/// all-day event on the day of the change) are written with their zone and read back to the same instants, by
/// the mapper and by a reader that only has the file (its VTIMEZONE).
@Suite struct ActivityTimeZoneMatrixTests {
    static let zones = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]

    /// The instants of 2024 at which `zone` changes its offset; mid-year and new year for a zone without.
    static func changes(_ zone: TimeZone) -> [Date] {
        var found: [Date] = []
        var cursor = ICalMappingTests.date("2024-01-01T00:00:00.000Z")
        let end = ICalMappingTests.date("2025-01-01T00:00:00.000Z")
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next < end {
            found.append(next)
            cursor = next
        }
        let year = ["2024-07-01T00:00:00.000Z", "2024-12-31T00:00:00.000Z"].map(ICalMappingTests.date)
        return found.isEmpty ? year : found
    }

    static func meeting(start: Date, end: Date, zone: String, allDay: Bool = false) -> Record {
        ICalMappingTests.activity([
            "subject": "Matrix", "display": "calendar", "start": .string(Timestamp.string(from: start)),
            "end": .string(Timestamp.string(from: end)), "timeZone": .string(zone), "allDay": .bool(allDay),
        ])
    }

    @Test(arguments: zones)
    func meetingsAroundEachChangeOfOffsetKeepTheirInstants(zoneName: String) throws {
        let zone = try #require(TimeZone(identifier: zoneName))
        let mapper = ICalMappingTests.mapper
        for change in Self.changes(zone) {
            for shift in [-86_400.0, -5_400, -1_800, 0, 1_800, 5_400, 86_400] {
                let start = change.addingTimeInterval(shift)
                let record = Self.meeting(start: start, end: start + 3_600, zone: zoneName)
                let data = try mapper.item(for: record, existing: nil, directory: ICalMappingTests.noOne)
                let reading = try mapper.read(data, in: .calendar, current: nil, directory: ICalMappingTests.noOne)
                #expect(reading.fields["start"] == record.fields["start"], "\(zoneName) \(start)")
                #expect(reading.fields["end"] == record.fields["end"], "\(zoneName) \(start)")
                #expect(reading.fields["allDay"] == .bool(false))

                // A reader with the file alone (its VTIMEZONE) finds the same instant.
                let calendar = try ICalendarReader.read(data: data)
                let event = try ICalMappingTests.vevent(data)
                let parsed = try #require(try ICalDateTime.start(of: event, in: calendar))
                #expect(parsed.instant() == start, "\(zoneName) \(start)")
                if case .zoned(let tzid) = parsed.kind {
                    #expect(tzid == zoneName)
                    #expect(reading.fields["timeZone"] == .string(zoneName))
                } else {
                    // The second of a repeated hour can only be written in UTC (RFC 5545 section 3.3.5).
                    #expect(parsed.kind == .utc, "\(zoneName) \(start)")
                }
            }
        }
    }

    @Test(arguments: zones)
    func anAllDayEventOnTheDayOfAChangeStaysThatDay(zoneName: String) throws {
        let zone = try #require(TimeZone(identifier: zoneName))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        for change in Self.changes(zone) {
            let day = calendar.startOfDay(for: change)
            let next = try #require(calendar.date(byAdding: .day, value: 1, to: day))
            let record = Self.meeting(start: day, end: next, zone: zoneName, allDay: true)
            let data = try ICalMappingTests.mapper.item(for: record, existing: nil, directory: ICalMappingTests.noOne)
            let event = try ICalMappingTests.vevent(data)
            let parts = calendar.dateComponents([.year, .month, .day], from: day)
            #expect(event.first("DTSTART")?.value == String(format: "%04d%02d%02d", parts.year!, parts.month!, parts.day!))
            #expect(event.first("DTSTART")?.parameterValue("VALUE") == "DATE")
            let reading = try ICalMappingTests.mapper.read(
                data, in: .calendar, current: record, directory: ICalMappingTests.noOne)
            #expect(reading.fields["start"] == record.fields["start"], "\(zoneName) \(day)")
            #expect(reading.fields["end"] == record.fields["end"], "\(zoneName) \(day)")
            #expect(reading.fields["allDay"] == .bool(true))
        }
    }
}

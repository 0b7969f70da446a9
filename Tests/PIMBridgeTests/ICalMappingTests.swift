import CRMModel
import Foundation
import PIMBridge
import PIMFormats
import Testing

/// The default package's Activity mappings applied to real VEVENT/VTODO text: an end given as DURATION, floating
/// times, and dates that cannot be read.
@Suite struct ICalMappingTests {
    static let package = try! DefaultPackage.load()
    static let berlin = TimeZone(identifier: "Europe/Berlin")!
    static let mapper = PIMMapper(package: package, floatingZone: berlin)
    static let noOne = RecordDirectoryTable()

    static func event(_ lines: String, component: String = "VEVENT") -> Data {
        let head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:\(component)\r\nUID:u-1\r\n"
        return Data((head + lines + "END:\(component)\r\nEND:VCALENDAR\r\n").utf8)
    }

    static func activity(_ fields: [String: FieldValue]) -> Record {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        return Record(
            id: "a-1", type: "Activity", owner: "rita", createdAt: now, updatedAt: now, updatedBy: "rita",
            fields: fields)
    }

    static func date(_ iso: String) -> Date { Timestamp.date(from: iso)! }

    static func vevent(_ data: Data, _ name: String = "VEVENT") throws -> ICalComponent {
        try #require(try ICalendarReader.read(data: data).components.first { $0.name == name })
    }

    // MARK: - DTEND vs DURATION

    @Test func anEventWithADurationReadsItsEnd() throws {
        let data = Self.event("SUMMARY:Call\r\nDTSTART:20240310T090000Z\r\nDURATION:PT1H30M\r\n")
        let reading = try Self.mapper.read(data, in: .calendar, current: nil, directory: Self.noOne)
        #expect(reading.fields["start"] == "2024-03-10T09:00:00.000Z")
        #expect(reading.fields["end"] == "2024-03-10T10:30:00.000Z")
    }

    @Test func writingAnEventThatHadADurationUpdatesTheDurationNotADTEND() throws {
        let data = Self.event("SUMMARY:Call\r\nDTSTART:20240310T090000Z\r\nDURATION:PT1H30M\r\n")
        let record = Self.activity([
            "subject": "Call", "display": "calendar", "start": "2024-03-10T09:00:00.000Z", "end": "2024-03-10T11:00:00.000Z",
        ])
        let written = try Self.vevent(Self.mapper.item(for: record, existing: data, directory: Self.noOne))
        #expect(written.first("DTEND") == nil)
        #expect(written.text("DURATION") == "PT2H")
        let again = try Self.mapper.read(
            Self.mapper.item(for: record, existing: data, directory: Self.noOne), in: .calendar, current: record,
            directory: Self.noOne)
        #expect(again.fields["end"] == "2024-03-10T11:00:00.000Z")
    }

    @Test func writingAnEventThatHadADTENDNeverAddsADuration() throws {
        let record = Self.activity([
            "subject": "Call", "display": "calendar", "start": "2024-03-10T09:00:00.000Z", "end": "2024-03-10T11:00:00.000Z",
        ])
        let fresh = try Self.vevent(Self.mapper.item(for: record, existing: nil, directory: Self.noOne))
        #expect(fresh.first("DTEND")?.value == "20240310T110000Z")
        #expect(fresh.first("DURATION") == nil)
    }

    @Test func anAllDayEventWithADurationKeepsWholeDays() throws {
        let data = Self.event("SUMMARY:Fair\r\nDTSTART;VALUE=DATE:20240310\r\nDURATION:P2D\r\n")
        let reading = try Self.mapper.read(data, in: .calendar, current: nil, directory: Self.noOne)
        #expect(reading.fields["allDay"] == .bool(true))
        #expect(reading.fields["end"] == "2024-03-12T00:00:00.000Z")
        var record = Self.activity(reading.fields)
        record.fields["end"] = "2024-03-13T00:00:00.000Z"
        let written = try Self.vevent(Self.mapper.item(for: record, existing: data, directory: Self.noOne))
        #expect(written.text("DURATION") == "P3D")
        #expect(written.first("DTEND") == nil)
    }

    @Test func aToDoWithStartAndDurationReadsItsDue() throws {
        let data = Self.event(
            "SUMMARY:Offer\r\nDTSTART;VALUE=DATE:20241220\r\nDURATION:P4D\r\n", component: "VTODO")
        let reading = try Self.mapper.read(data, in: .tasks, current: nil, directory: Self.noOne)
        #expect(reading.fields["due"] == "2024-12-24")
    }

    // MARK: - Floating times

    @Test func aFloatingTimeIsReadInTheUsersZoneNotUTC() throws {
        let data = Self.event("SUMMARY:Lunch\r\nDTSTART:20240701T120000\r\nDTEND:20240701T130000\r\n")
        let reading = try Self.mapper.read(data, in: .calendar, current: nil, directory: Self.noOne)
        #expect(reading.fields["start"] == "2024-07-01T10:00:00.000Z")
        #expect(reading.fields["end"] == "2024-07-01T11:00:00.000Z")
    }

    @Test func aFloatingItemStaysFloatingWhenWrittenBack() throws {
        let data = Self.event("SUMMARY:Lunch\r\nDTSTART:20240701T120000\r\nDTEND:20240701T130000\r\n")
        let reading = try Self.mapper.read(data, in: .calendar, current: nil, directory: Self.noOne)
        var record = Self.activity(reading.fields)
        record.fields["end"] = "2024-07-01T11:30:00.000Z"
        let written = try Self.vevent(Self.mapper.item(for: record, existing: data, directory: Self.noOne))
        let start = try #require(written.first("DTSTART"))
        #expect(start.value == "20240701T120000")
        #expect(start.parameter("TZID") == nil)
        #expect(written.first("DTEND")?.value == "20240701T133000")
    }

    // MARK: - Unreadable dates

    @Test(arguments: [
        ("DTSTART:20241301T090000Z\r\nDTEND:20240110T100000Z\r\n", "VEVENT", 7),
        ("DTSTART:20240110T090000Z\r\nDTEND:2024-01-10 10:00\r\n", "VEVENT", 8),
        ("DUE;VALUE=DATE:20240231\r\n", "VTODO", 7),
    ])
    func anUnreadableDateIsAnErrorNamingItsLineNotAClearedField(lines: String, component: String, line: Int) {
        let data = Self.event("SUMMARY:Broken\r\n" + lines, component: component)
        let collection: PIMCollection = component == "VTODO" ? .tasks : .calendar
        #expect(throws: PIMFormatError.self) {
            try Self.mapper.read(data, in: collection, current: nil, directory: Self.noOne)
        }
        do {
            _ = try Self.mapper.read(data, in: collection, current: nil, directory: Self.noOne)
        } catch {
            #expect(error.line == line, "\(error)")
        }
    }
}

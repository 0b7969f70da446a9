import CRMModel
import Foundation
import PIMBridge
import PIMFormats
import Testing

/// STATUS, PRIORITY and a to-do's completion through the package's value tables (`values:` in the mapping).
@Suite struct ICalMappingValueTests {
    static let mapper = ICalMappingTests.mapper
    static let noOne = RecordDirectoryTable()

    static func task(_ fields: [String: FieldValue]) -> Record {
        ICalMappingTests.activity(["subject": "Offer", "display": "todo"].merging(fields) { _, new in new })
    }

    static func todo(_ record: Record, existing: Data? = nil, mapper: PIMMapper = Self.mapper) throws -> ICalComponent {
        try ICalMappingTests.vevent(mapper.item(for: record, existing: existing, directory: Self.noOne), "VTODO")
    }

    @Test func aToDoMarkedDoneIsCompletedWithItsTime() throws {
        let open = Self.task(["status": "Planned", "priority": "High"])
        let written = try Self.todo(open)
        #expect(written.text("STATUS") == "NEEDS-ACTION")
        #expect(written.text("PRIORITY") == "3")
        #expect(written.first("COMPLETED") == nil)

        var done = open
        done.fields["status"] = "Done"
        done.updatedAt = Date(timeIntervalSince1970: 1_750_000_000)
        let completed = try Self.todo(done, existing: calendarData(written))
        #expect(completed.text("STATUS") == "COMPLETED")
        #expect(completed.first("COMPLETED")?.value == "20250615T150640Z")

        // Opened again: the completion time goes.
        let reopened = try Self.todo(open, existing: calendarData(completed))
        #expect(reopened.text("STATUS") == "NEEDS-ACTION")
        #expect(reopened.first("COMPLETED") == nil)
    }

    @Test func aToDoCompletedWithoutStatusReadsAsDone() throws {
        let data = ICalMappingTests.event(
            "SUMMARY:Offer\r\nCOMPLETED:20250101T100000Z\r\nPERCENT-COMPLETE:100\r\n", component: "VTODO")
        let reading = try Self.mapper.read(data, in: .tasks, current: nil, directory: Self.noOne)
        #expect(reading.fields["status"] == "Done")
    }

    @Test func pimValuesAreReadThroughTheTableAndUnknownOnesChangeNothing() throws {
        let current = Self.task(["status": "In Progress", "priority": "Medium"])
        func read(_ lines: String) throws -> [String: FieldValue] {
            try Self.mapper.read(
                ICalMappingTests.event("SUMMARY:Offer\r\n" + lines, component: "VTODO"), in: .tasks, current: current,
                directory: Self.noOne
            ).fields
        }
        #expect(try read("STATUS:completed\r\nPRIORITY:2\r\n")["status"] == "Done")
        #expect(try read("STATUS:completed\r\nPRIORITY:2\r\n")["priority"] == "Urgent")
        #expect(try read("STATUS:X-WAITING\r\nPRIORITY:7\r\n")["status"] == "In Progress")
        #expect(try read("STATUS:X-WAITING\r\nPRIORITY:7\r\n")["priority"] == "Low")
        #expect(try read("PRIORITY:0\r\n")["priority"] == .null)
    }

    @Test func aPlannedMeetingTheCalendarConfirmedStaysConfirmed() throws {
        let meeting = ICalMappingTests.activity([
            "subject": "Call", "display": "calendar", "start": "2024-03-10T09:00:00.000Z", "status": "Planned",
        ])
        let fresh = try ICalMappingTests.vevent(Self.mapper.item(for: meeting, existing: nil, directory: Self.noOne))
        #expect(fresh.text("STATUS") == "TENTATIVE")
        let confirmed = ICalMappingTests.event("SUMMARY:Call\r\nDTSTART:20240310T090000Z\r\nSTATUS:CONFIRMED\r\n")
        let kept = try ICalMappingTests.vevent(Self.mapper.item(for: meeting, existing: confirmed, directory: Self.noOne))
        #expect(kept.text("STATUS") == "CONFIRMED")
        let reading = try Self.mapper.read(confirmed, in: .calendar, current: meeting, directory: Self.noOne)
        #expect(reading.fields["status"] == "Planned")
    }

    /// The tables are the package's: a package whose lists are in German maps its own values.
    @Test func thePackagesOwnValuesAreMapped() throws {
        var package = ICalMappingTests.package
        let index = try #require(package.pim?["Activity"]?.firstIndex { $0.component == .vtodo })
        package.pim?["Activity"]?[index].values = [
            "status": ["Offen": "NEEDS-ACTION", "Erledigt": "COMPLETED"], "priority": ["Hoch": "1", "Niedrig": "9"],
        ]
        let mapper = PIMMapper(package: package, floatingZone: .gmt)
        let written = try Self.todo(Self.task(["status": "Erledigt", "priority": "Hoch"]), mapper: mapper)
        #expect(written.text("STATUS") == "COMPLETED")
        #expect(written.text("PRIORITY") == "1")
        let reading = try mapper.read(
            ICalMappingTests.event("SUMMARY:Offer\r\nSTATUS:NEEDS-ACTION\r\nPRIORITY:9\r\n", component: "VTODO"),
            in: .tasks, current: nil, directory: Self.noOne)
        #expect(reading.fields["status"] == "Offen")
        #expect(reading.fields["priority"] == "Niedrig")
    }
}

/// A VTODO component as the bytes of a calendar holding it.
func calendarData(_ component: ICalComponent) -> Data {
    let calendar = ICalComponent(
        name: "VCALENDAR", properties: [ContentLine(name: "VERSION", value: "2.0")], components: [component])
    return Data(ICalendarWriter.write(calendar).utf8)
}

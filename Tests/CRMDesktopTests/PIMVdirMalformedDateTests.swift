import CRMDesktop
import CRMModel
import CRMTesting
import Foundation
import PIMBridge
import PIMFormats
import Testing

extension PIMVdirSyncTests {
    /// A DTSTART that cannot be read does not clear the activity's start: the file is reported with its line,
    /// left as the user wrote it, and nothing goes to the CRM.
    @Test func anUnreadableDateIsReportedAndChangesNothingInTheCRM() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await Self.world(api)
            try await world.fixture.sync()
            let event = try #require(try world.file("calendar", containing: world.meeting.id))
            var text = try String(contentsOf: event, encoding: .utf8)
            let lines = text.components(separatedBy: "\r\n")
            let begin = try #require(lines.firstIndex(of: "BEGIN:VEVENT"))
            let index = try #require(lines[begin...].firstIndex { $0.hasPrefix("DTSTART") })
            text = text.replacingOccurrences(of: lines[index] + "\r\n", with: "DTSTART:2026-13-45T25:00\r\n")
            text = text.replacingOccurrences(of: "SUMMARY:Kick-off", with: "SUMMARY:Kick-off (moved)")
            try text.write(to: event, atomically: true, encoding: .utf8)

            let receipt = try await world.fixture.sync()
            #expect(receipt.pim?.problems == 1, "\(receipt.line)")
            let problem = try #require(try world.fixture.replica.pimProblems().first)
            #expect(problem.line == index + 1)
            #expect(problem.message.contains("DTSTART"))
            #expect(try world.fixture.replica.outbox().isEmpty)
            let meeting = try #require(try world.fixture.record(world.meeting.id))
            #expect(meeting.fields["start"] == world.meeting.fields["start"])
            #expect(meeting.fields["subject"] == "Kick-off")
            #expect(try String(contentsOf: event, encoding: .utf8) == text)
        }
    }
}

import CRMDesktop
import CRMModel
import CRMTesting
import Foundation
import PIMBridge
import PIMFormats
import Testing

/// The PIM bridge on a vdir folder, two ways, through the whole desktop: records written as vCard and
/// iCalendar files, edits in the files taken into the CRM, shared new files joining, deletes unsharing, a
/// malformed file reported and left alone, and an emptied folder stopping the sync.
@Suite("PIM bridge: vdir")
struct PIMVdirSyncTests {
    struct World {
        let fixture: DesktopFixture
        let pim: URL
        let ada: Record
        let acme: Record
        let meeting: Record
        let task: Record

        func files(_ collection: String) throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: pim.appendingPathComponent(collection).path)
                .filter { $0.hasSuffix(".vcf") || $0.hasSuffix(".ics") }.sorted()
        }

        func file(_ collection: String, containing text: String) throws -> URL? {
            for name in try files(collection) {
                let url = pim.appendingPathComponent(collection).appendingPathComponent(name)
                if try String(contentsOf: url, encoding: .utf8).contains(text) { return url }
            }
            return nil
        }
    }

    static func world(_ api: TestAPI) async throws -> World {
        let rita = try await api.login("rita")
        let acme = try await api.create("Account", ["name": "Acme"], token: rita)
        let ada = try await api.create(
            "Contact",
            ["firstName": "Ada", "lastName": "Lovelace", "email": "ada@acme.example", "phone": "+49 30 1234",
             "accountId": .string(acme.id)], token: rita)
        let tomorrow = Date().addingTimeInterval(86_400)
        let meeting = try await api.create(
            "Activity",
            ["subject": "Kick-off", "display": "calendar", "kind": "Meeting",
             "start": .string(Timestamp.string(from: tomorrow)), "end": .string(Timestamp.string(from: tomorrow + 3600)),
             "timeZone": "Europe/Berlin", "contactIds": .array([.string(ada.id)])], token: rita)
        let task = try await api.create(
            "Activity",
            ["subject": "Send the offer", "display": "todo", "due": "2026-12-24", "priority": "High",
             "status": "Planned", "start": .string(Timestamp.string(from: tomorrow))], token: rita)
        let directory = try TemporaryDirectory(prefix: "crm-pim")
        let pim = directory.url.appendingPathComponent("pim")
        let fixture = try await DesktopFixture.make(api, user: "rita", pim: "vdir:" + pim.path)
        return World(fixture: fixture, pim: pim, ada: ada, acme: acme, meeting: meeting, task: task)
    }

    @Test func recordsAreWrittenAsVCardAndICalendarFiles() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await Self.world(api)
            let receipt = try await world.fixture.sync()
            #expect(receipt.pim?.written == 3, "\(receipt.line)")

            let card = try #require(try world.file("contacts", containing: world.ada.id))
            let vcard = try #require(try VCardReader.read(data: Data(contentsOf: card)).first)
            #expect(vcard.text("FN") == "Ada Lovelace")
            #expect(vcard.structured("N")?.prefix(2) == ["Lovelace", "Ada"])
            #expect(vcard.structured("ORG")?.first == "Acme")
            #expect(vcard.first("EMAIL")?.value == "ada@acme.example")
            #expect(vcard.text("X-CRM-ID") == world.ada.id)
            #expect(vcard.text("X-CRM-ACCOUNTID") == world.acme.id)

            let event = try #require(try world.file("calendar", containing: world.meeting.id))
            let calendar = try ICalendarReader.read(data: Data(contentsOf: event))
            let vevent = try #require(calendar.components.first { $0.name == "VEVENT" })
            #expect(vevent.text("SUMMARY") == "Kick-off")
            #expect(vevent.first("DTSTART")?.parameterValue("TZID") == "Europe/Berlin")
            #expect(calendar.components.contains { $0.name == "VTIMEZONE" && $0.text("TZID") == "Europe/Berlin" })
            let attendee = try #require(vevent.first("ATTENDEE"))
            #expect(attendee.value == "mailto:ada@acme.example")
            #expect(attendee.parameterValue("SCHEDULE-AGENT") == "CLIENT")

            let todo = try #require(try world.file("tasks", containing: world.task.id))
            let vtodo = try #require(try ICalendarReader.read(data: Data(contentsOf: todo)).components.first { $0.name == "VTODO" })
            #expect(vtodo.first("DUE")?.value == "20261224")
            #expect(vtodo.text("PRIORITY") == "3")
            #expect(FileManager.default.fileExists(atPath: world.pim.appendingPathComponent("contacts/displayname").path))

            // Nothing changed: nothing is written again.
            let again = try await world.fixture.sync()
            #expect(again.pim?.written == 0, "\(again.line)")
        }
    }

    @Test func anEditInThePIMReachesTheCRMAndWhatThePIMAddedSurvives() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await Self.world(api)
            try await world.fixture.sync()
            let card = try #require(try world.file("contacts", containing: world.ada.id))
            var text = try String(contentsOf: card, encoding: .utf8)
            text = text.replacingOccurrences(of: "END:VCARD", with: "TITLE:Countess\r\nX-PHONETIC-LAST-NAME:LUV-lace\r\nEND:VCARD")
            try text.write(to: card, atomically: true, encoding: .utf8)

            let receipt = try await world.fixture.sync()
            #expect(receipt.pim?.fromPIM == 1, "\(receipt.line)")
            let rita = try await api.login("rita")
            let onServer = try await api.send(.get, "/api/v1/records/Contact/\(world.ada.id)", token: rita).decode(Record.self)
            #expect(onServer.fields["title"] == "Countess")

            // A change made in the CRM is written into the same file, keeping what the PIM added.
            _ = try await api.send(
                .patch, "/api/v1/records/Contact/\(world.ada.id)", token: rita, body: #"{"fields":{"phone":"+49 30 9999"}}"#,
                headers: [.ifMatch: "\"\(onServer.version)\""])
            try await world.fixture.sync()
            let after = try String(contentsOf: card, encoding: .utf8)
            #expect(after.contains("+49 30 9999"))
            #expect(after.contains("X-PHONETIC-LAST-NAME:LUV-lace"))
            #expect(after.contains("Countess"))
        }
    }

    @Test func aSharedNewItemJoinsTheCRMAPrivateOneDoesNotAndADuplicateLinks() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await Self.world(api)
            try await world.fixture.sync()
            let contacts = world.pim.appendingPathComponent("contacts")
            let shared = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:phone-1\r\nN:Hopper;Grace;;;\r\nFN:Grace Hopper\r\nEMAIL;TYPE=work:grace@navy.example\r\nCATEGORIES:Friends,CRM\r\nEND:VCARD\r\n"
            try shared.write(to: contacts.appendingPathComponent("phone-1.vcf"), atomically: true, encoding: .utf8)
            let mine = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:phone-2\r\nN:Private;Pat;;;\r\nFN:Pat Private\r\nEND:VCARD\r\n"
            try mine.write(to: contacts.appendingPathComponent("phone-2.vcf"), atomically: true, encoding: .utf8)
            let twin = "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:phone-3\r\nN:Lovelace;Ada;;;\r\nFN:Ada L.\r\nEMAIL:ADA@acme.example\r\nCATEGORIES:CRM\r\nEND:VCARD\r\n"
            try twin.write(to: contacts.appendingPathComponent("phone-3.vcf"), atomically: true, encoding: .utf8)

            let receipt = try await world.fixture.sync()
            #expect(receipt.pim?.shared == 1, "\(receipt.line)")
            #expect(receipt.pim?.linked == 1, "\(receipt.line)")
            let names = try world.fixture.records("Contact").compactMap { $0.fields["lastName"]?.stringValue }.sorted()
            #expect(names == ["Hopper", "Lovelace"])
            let grace = try String(contentsOf: contacts.appendingPathComponent("phone-1.vcf"), encoding: .utf8)
            #expect(grace.contains("X-CRM-ID"))
            #expect(grace.contains("UID:phone-1"))
            let pat = try String(contentsOf: contacts.appendingPathComponent("phone-2.vcf"), encoding: .utf8)
            #expect(pat == mine)
        }
    }

    @Test func deletingAnItemInThePIMUnsharesItAndTheRecordStays() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await Self.world(api)
            try await world.fixture.sync()
            let card = try #require(try world.file("contacts", containing: world.ada.id))
            try FileManager.default.removeItem(at: card)
            let receipt = try await world.fixture.sync()
            #expect(receipt.pim?.unshared == 1, "\(receipt.line)")
            #expect(try world.fixture.record(world.ada.id) != nil)
            #expect(try world.file("contacts", containing: world.ada.id) == nil)
            let rita = try await api.login("rita")
            #expect(try await api.send(.get, "/api/v1/records/Contact/\(world.ada.id)", token: rita).status == .ok)
        }
    }

    @Test func aMalformedItemIsReportedLeftAloneAndChangesNothing() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await Self.world(api)
            try await world.fixture.sync()
            let card = try #require(try world.file("contacts", containing: world.ada.id))
            let broken = "BEGIN:VCARD\r\nVERSION:4.0\r\nthis line is broken\r\nX-CRM-ID:\(world.ada.id)\r\n"
            try broken.write(to: card, atomically: true, encoding: .utf8)

            let receipt = try await world.fixture.sync()
            #expect(receipt.outcome == .partial)
            #expect(receipt.pim?.problems == 1)
            let problems = try world.fixture.replica.pimProblems()
            #expect(problems.count == 1)
            #expect(problems.first?.line == 3)
            #expect(try String(contentsOf: card, encoding: .utf8) == broken)
            #expect(try world.fixture.record(world.ada.id)?.fields["lastName"] == "Lovelace")
            #expect(try world.fixture.replica.outbox().isEmpty)

            // Once the broken file is gone, it is no longer reported.
            try FileManager.default.removeItem(at: card)
            try await world.fixture.sync()
            #expect(try world.fixture.replica.pimProblems().isEmpty)
        }
    }

    @Test func anEmptiedFolderStopsThePIMSyncUntilForced() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await Self.world(api)
            let extra = try await api.create("Contact", ["lastName": "Babbage"], token: try await api.login("rita"))
            try await world.fixture.sync()
            for name in try world.files("contacts") {
                try FileManager.default.removeItem(at: world.pim.appendingPathComponent("contacts").appendingPathComponent(name))
            }
            let stopped = try await world.fixture.sync()
            #expect(stopped.outcome == .partial)
            #expect(stopped.pim?.stopped.isEmpty == false, "\(stopped.line)")
            #expect(try world.fixture.replica.unsharedIDs().isEmpty)
            #expect(try world.files("contacts").isEmpty)

            let forced = try await world.fixture.desktop.engine(force: true).run()
            #expect(forced.pim?.unshared == 2, "\(forced.line)")
            #expect(try world.fixture.replica.unsharedIDs() == [world.ada.id, extra.id])
            #expect(try world.fixture.record(extra.id) != nil)
        }
    }
}

extension PIMVdirSyncTests {
    @Test func theSameMeetingSharedByTwoUsersIsOneActivity() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let start = Date().addingTimeInterval(2 * 86_400)
            let stamp = { (date: Date) -> String in
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = .gmt
                let p = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
                return String(format: "%04d%02d%02dT%02d%02d00Z", p.year!, p.month!, p.day!, p.hour!, p.minute!)
            }
            let meeting = """
                BEGIN:VCALENDAR\r
                VERSION:2.0\r
                PRODID:-//Test//EN\r
                BEGIN:VEVENT\r
                UID:board-meeting-42@example.com\r
                DTSTAMP:\(stamp(Date()))\r
                DTSTART:\(stamp(start))\r
                DTEND:\(stamp(start + 3600))\r
                SUMMARY:Board meeting\r
                CATEGORIES:CRM\r
                END:VEVENT\r
                END:VCALENDAR\r

                """
            var activityIDs: [String] = []
            // Peter does not see Rita's records: his share creates, and the server joins it to hers by the UID.
            for user in ["rita", "peter"] {
                let directory = try TemporaryDirectory(prefix: "crm-pim-\(user)")
                let pim = directory.url.appendingPathComponent("pim")
                let fixture = try await DesktopFixture.make(api, user: user, pim: "vdir:" + pim.path)
                try await fixture.sync()
                try meeting.write(
                    to: pim.appendingPathComponent("calendar/board.ics"), atomically: true, encoding: .utf8)
                let receipt = try await fixture.sync()
                #expect(receipt.pim?.shared == 1, "\(receipt.line)")
                try await fixture.sync()
                let activities = try fixture.records("Activity").filter { $0.fields["subject"] == "Board meeting" }
                #expect(activities.count == 1)
                let files = try FileManager.default.contentsOfDirectory(atPath: pim.appendingPathComponent("calendar").path)
                    .filter { $0.hasSuffix(".ics") }
                #expect(files == ["board.ics"], "the shared file stays the one item of the meeting")
                activityIDs += activities.map(\.id)
            }
            #expect(Set(activityIDs).count == 1, "both desktops hold the one activity")

            // Maria, Rita's manager, already has the meeting in her calendar (the desktop wrote it); her own copy
            // of the invitation links to it, and takes the place of the desktop's file.
            let directory = try TemporaryDirectory(prefix: "crm-pim-maria")
            let pim = directory.url.appendingPathComponent("pim")
            let maria = try await DesktopFixture.make(api, user: "maria", pim: "vdir:" + pim.path)
            try await maria.sync()
            try meeting.write(to: pim.appendingPathComponent("calendar/invite.ics"), atomically: true, encoding: .utf8)
            let linked = try await maria.sync()
            #expect(linked.pim?.linked == 1, "\(linked.line)")
            let files = try FileManager.default.contentsOfDirectory(atPath: pim.appendingPathComponent("calendar").path)
                .filter { $0.hasSuffix(".ics") && (try? String(contentsOf: pim.appendingPathComponent("calendar/\($0)"), encoding: .utf8).contains("board-meeting-42")) == true }
            #expect(files == ["invite.ics"])
            let ada = try await api.login("ada")
            let all = try await api.send(.get, "/api/v1/records/Activity?limit=200", token: ada).decode(RecordListBox.self)
            let boards = all.records.filter { $0.fields["subject"] == "Board meeting" }
            #expect(boards.count == 1)
            #expect(boards.first.map { Set([$0.owner] + $0.team) } == ["rita", "peter"])
        }
    }
}

/// The list answer's records (the wire type lives in CRMSyncProtocol).
struct RecordListBox: Decodable {
    var records: [Record]
}

extension PIMVdirSyncTests {
    @Test func aRebuiltReplicaAdoptsTheItemsItWroteInsteadOfSharingThemAgain() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await Self.world(api)
            try await world.fixture.sync()
            let before = try world.files("contacts") + world.files("calendar") + world.files("tasks")
            _ = try Desktop.rebuild(home: world.fixture.home)
            let rebuilt = try Desktop.open(home: world.fixture.home)
            let first = try await rebuilt.engine().run()
            let second = try await rebuilt.engine().run()
            #expect(first.counts.pushed == 0 && second.counts.pushed == 0, "\(first.line) / \(second.line)")
            #expect(try world.files("contacts") + world.files("calendar") + world.files("tasks") == before)
            #expect(try rebuilt.replica.localRecords(type: "Contact", user: "rita").count == 1)
        }
    }
}

import CRMDesktop
import CRMModel
import CRMTesting
import Foundation
import Testing

/// What third-party clients write into the desktop's vdir folder, taken into the CRM by the next sync: khard
/// editing and creating contacts, khal creating an event, and a program using Python's vobject moving an event
/// and completing a to-do in place.
@Suite("PIM bridge: third-party clients' edits reach the CRM")
struct PIMInteropEditTests {
    @Test func aContactEditedWithKhardReachesTheServer() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await InteropWorld.make(api)
            defer { world.directory.remove() }
            let template = world.directory.path("ada.yaml")
            let show = try world.khard(["show", "--format", "yaml", "--output-file", template, "Lovelace"])
            #expect(show.status == 0, "\(show.error)")
            var yaml = try String(contentsOfFile: template, encoding: .utf8)
            #expect(yaml.contains("voice, work: +49 30 1234") && yaml.contains("Title: Analyst"))
            yaml = yaml.replacingOccurrences(of: "voice, work: +49 30 1234", with: "voice, work: +49 30 7777")
                .replacingOccurrences(of: "Title: Analyst", with: "Title: Chief Analyst")
            try yaml.write(toFile: template, atomically: true, encoding: .utf8)
            let edit = try world.khard(["edit", "--input-file", template, "Lovelace"], stdin: "yes\n")
            #expect(edit.status == 0, "\(edit.output)\(edit.error)")
            let card = try #require(try world.file("contacts", containing: world.ada.id))
            let written = try String(contentsOf: card, encoding: .utf8)
            #expect(written.contains("+49 30 7777"), "khard did not write the file:\n\(written)")

            let receipt = try await world.fixture.sync()
            #expect(receipt.pim?.fromPIM == 1, "\(receipt.line) \((try? world.fixture.replica.pimProblems()) ?? [])")
            let ada = try await world.onServer("Contact", world.ada.id)
            #expect(ada.fields["phone"] == "+49 30 7777", "khard wrote:\n\(written)")
            #expect(ada.fields["title"] == "Chief Analyst")
            for field in ["mobile", "email", "birthday", "accountId", "street", "city", "firstName", "lastName"] {
                #expect(ada.fields[field] == world.ada.fields[field], "\(field) after khard's rewrite:\n\(written)")
            }
            let again = try await world.fixture.sync()
            #expect(again.pim?.fromPIM == 0 && again.counts.pushed == 0, "\(again.line)")

            // A change made in the CRM goes into khard's card as a valid property: khard wrote TEL as a URI
            // (`TEL;VALUE=uri:tel:...`, vCard 4.0's form), so a number written there must be a `tel:` URI too.
            let token = try await api.login("rita")
            _ = try await api.send(
                .patch, "/api/v1/records/Contact/\(world.ada.id)", token: token,
                body: #"{"fields":{"phone":"+49 30 9999"}}"#, headers: [.ifMatch: "\"\(ada.version)\""])
            try await world.fixture.sync()
            let phones = try world.khard(["phone", "--parsable"])
            #expect(phones.output.contains("+49 30 9999\tAda Lovelace\tvoice, work"), "\(phones.output)")
            let rewritten = try String(contentsOf: card, encoding: .utf8)
            for line in rewritten.split(separator: "\r\n") where line.hasPrefix("TEL") {
                let (name, value) = (line.prefix { $0 != ":" }, line.drop { $0 != ":" }.dropFirst())
                #expect(!name.uppercased().contains("VALUE=URI") || value.hasPrefix("tel:"), "not a URI: \(line)")
            }
        }
    }

    @Test func aKhardEditTheCRMRefusesIsReportedAndLeftAsTheUserWroteIt() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await InteropWorld.make(api)
            defer { world.directory.remove() }
            let template = world.directory.path("ada.yaml")
            _ = try world.khard(["show", "--format", "yaml", "--output-file", template, "Lovelace"])
            let yaml = try String(contentsOfFile: template, encoding: .utf8)
                .replacingOccurrences(of: "work: ada@acme.example", with: "work: ada at acme")
                .replacingOccurrences(of: "Title: Analyst", with: "Title: Countess")
            try yaml.write(toFile: template, atomically: true, encoding: .utf8)
            let edit = try world.khard(["edit", "--input-file", template, "Lovelace"], stdin: "yes\n")
            #expect(edit.status == 0, "\(edit.output)\(edit.error)")
            let card = try #require(try world.file("contacts", containing: world.ada.id))
            let written = try String(contentsOf: card, encoding: .utf8)
            #expect(written.contains("EMAIL;TYPE=work:ada at acme"), "\(written)")

            let receipt = try await world.fixture.sync()
            #expect(receipt.pim?.problems == 1, "\(receipt.line)")
            let problems = try world.fixture.replica.pimProblems()
            #expect(problems.first?.message.contains("'ada at acme' is not an email address") == true, "\(problems)")
            let after = try String(contentsOf: card, encoding: .utf8)
            #expect(after == written, "the user's edit was overwritten by the CRM's copy:\n\(after)")
            let ada = try await world.onServer("Contact", world.ada.id)
            #expect(ada.fields["email"] == "ada@acme.example" && ada.fields["title"] == "Analyst")
        }
    }

    @Test func aContactCreatedWithKhardInTheCategoryCRMJoinsTheCRM() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await InteropWorld.make(api)
            defer { world.directory.remove() }
            let yaml = """
                First name: Grace
                Last name: Hopper
                Organisation: Acme Corp
                Email:
                    work: grace@navy.example
                Phone:
                    cell: +1 555 0100
                Categories: CRM

                """
            try yaml.write(toFile: world.directory.path("grace.yaml"), atomically: true, encoding: .utf8)
            let new = try world.khard(
                ["new", "--addressbook", "crm", "--input-file", world.directory.path("grace.yaml")])
            #expect(new.status == 0, "\(new.output)\(new.error)")

            let receipt = try await world.fixture.sync()
            #expect(receipt.pim?.shared == 1, "\(receipt.line)")
            let grace = try #require(try world.fixture.records("Contact").first { $0.fields["lastName"] == "Hopper" })
            let onServer = try await world.onServer("Contact", grace.id)
            #expect(onServer.fields["firstName"] == "Grace")
            #expect(onServer.fields["email"] == "grace@navy.example")
            #expect(onServer.fields["mobile"] == "+1 555 0100", "\(onServer.fields)")
            #expect(onServer.fields["accountId"] == .string(world.acme.id))
            let file = try #require(try world.file("contacts", containing: "grace@navy.example"))
            #expect(try String(contentsOf: file, encoding: .utf8).contains("X-CRM-ID:\(grace.id)"))
            let list = try world.khard(["list", "--parsable"])
            #expect(list.output.contains("\tGrace Hopper\tcrm"), "khard reads the file the desktop rewrote")
        }
    }

    @Test func anEventCreatedWithKhalInTheCategoryCRMBecomesAnActivity() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await InteropWorld.make(api)
            defer { world.directory.remove() }
            let day = world.day(2)
            let new = try world.khal(
                ["new", "--calendar", "crm", "--categories", "CRM", "--location", "Room 7",
                 InteropWorld.dateString(day), "14:00", "15:00", "Europe/Berlin", "Demo call", "::", "with the team"],
                localZone: "Asia/Tokyo")
            #expect(new.status == 0, "\(new.output)\(new.error)")

            let receipt = try await world.fixture.sync()
            #expect(receipt.pim?.shared == 1, "\(receipt.line)")
            let demo = try #require(try world.fixture.records("Activity").first { $0.fields["subject"] == "Demo call" })
            let onServer = try await world.onServer("Activity", demo.id)
            let start = InteropWorld.at(14, 0, on: day)
            #expect(onServer.fields["start"]?.stringValue.flatMap(Timestamp.date(from:)) == start)
            #expect(onServer.fields["end"]?.stringValue.flatMap(Timestamp.date(from:)) == start + 3600)
            #expect(onServer.fields["timeZone"] == "Europe/Berlin")
            #expect(onServer.fields["location"] == "Room 7")
            #expect(onServer.fields["description"] == "with the team")
            #expect(onServer.fields["display"] == "calendar")
            let file = try #require(try world.file("calendar", containing: "Demo call"))
            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(text.contains("X-CRM-ID:\(demo.id)"))
            let uid = text.split(separator: "\r\n").first { $0.hasPrefix("UID:") }.map { String($0.dropFirst(4)) }
            #expect(onServer.fields["icalUid"]?.stringValue == uid)
            let events = try world.khalEvents(from: day, days: 1)
            #expect(events.contains("\(InteropWorld.localTime(start, in: InteropWorld.berlin))|"
                + "\(InteropWorld.localTime(start + 3600, in: InteropWorld.berlin))|Demo call|Room 7|CRM"), "\(events)")
        }
    }

    @Test func anEventMovedAndATaskCompletedWithVobjectReachTheServer() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await InteropWorld.make(api)
            defer { world.directory.remove() }
            let event = try #require(try world.file("calendar", containing: world.meeting.id))
            let todo = try #require(try world.file("tasks", containing: world.task.id))
            let edit = try PythonTools.python(Self.vobjectEdit, [event.path, todo.path])
            #expect(edit.status == 0, "\(edit.error)")

            let receipt = try await world.fixture.sync()
            #expect(receipt.pim?.fromPIM == 2, "\(receipt.line)")
            let meeting = try await world.onServer("Activity", world.meeting.id)
            let start = try #require(world.meeting.fields["start"]?.stringValue.flatMap(Timestamp.date(from:)))
            #expect(meeting.fields["start"]?.stringValue.flatMap(Timestamp.date(from:)) == start + 3600)
            #expect(meeting.fields["end"]?.stringValue.flatMap(Timestamp.date(from:)) == start + 7200)
            #expect(meeting.fields["timeZone"] == "Europe/Berlin")
            #expect(meeting.fields["location"] == "Room 5")
            #expect(meeting.fields["contactIds"] == world.meeting.fields["contactIds"])
            let task = try await world.onServer("Activity", world.task.id)
            #expect(task.fields["status"] == "Done")
            #expect(task.fields["due"] == .string(InteropWorld.dateString(world.day(3))))
            #expect(task.fields["priority"] == "High")
        }
    }

    /// Moves the event of `sys.argv[1]` one hour later to Room 5 and marks the to-do of `sys.argv[2]` completed
    /// and due a day later, each saved in place as vobject serializes it.
    static let vobjectEdit = """
        import datetime, sys, vobject

        def change(path, edit):
            with open(path, encoding="utf-8") as file:
                calendar = vobject.readOne(file.read())
            edit(calendar)
            with open(path, "w", encoding="utf-8", newline="") as file:
                file.write(calendar.serialize())

        def move(calendar):
            calendar.vevent.dtstart.value += datetime.timedelta(hours=1)
            calendar.vevent.dtend.value += datetime.timedelta(hours=1)
            calendar.vevent.location.value = "Room 5"

        def complete(calendar):
            calendar.vtodo.status.value = "COMPLETED"
            calendar.vtodo.due.value += datetime.timedelta(days=1)

        change(sys.argv[1], move)
        change(sys.argv[2], complete)
        """
}

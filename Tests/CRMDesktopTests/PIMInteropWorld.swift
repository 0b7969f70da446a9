import CRMDesktop
import CRMModel
import CRMTesting
import Foundation
import Testing

/// A desktop with a vdir PIM folder synced against the test server, holding records that use every part of the
/// mapping (two contacts, a zoned meeting with an attendee, an all-day event, a to-do), and the third-party
/// clients khard and khal configured on that folder. Dates are days ahead of now, inside the sync window.
struct InteropWorld {
    let api: TestAPI
    let fixture: DesktopFixture
    let directory: TemporaryDirectory
    let acme: Record
    let ada: Record
    let zoe: Record
    let meeting: Record
    let fair: Record
    let task: Record
    /// Midnight in Berlin three days from now: the meeting's day (09:30-10:30 there); the fair is the day after.
    let day: Date

    static let berlin = TimeZone(identifier: "Europe/Berlin")!

    var pim: URL { directory.url.appendingPathComponent("pim") }

    static func make(_ api: TestAPI) async throws -> InteropWorld {
        let rita = try await api.login("rita")
        let acme = try await api.create("Account", ["name": "Acme Corp"], token: rita)
        let ada = try await api.create(
            "Contact",
            ["firstName": "Ada", "lastName": "Lovelace", "title": "Analyst", "department": "Engines",
             "email": "ada@acme.example", "phone": "+49 30 1234", "mobile": "+49 171 5555", "birthday": "1815-12-10",
             "street": "Unter den Linden 1", "postalCode": "10117", "city": "Berlin", "country": "Germany",
             "accountId": .string(acme.id)], token: rita)
        let zoe = try await api.create(
            "Contact", ["firstName": "Zoë", "lastName": "Ångström-Łukasiewicz", "email": "zoe@example.org"],
            token: rita)
        let day = calendar(berlin).startOfDay(for: Date().addingTimeInterval(3 * 86_400))
        let start = at(9, 30, on: day)
        let meeting = try await api.create(
            "Activity",
            ["subject": "Kick-off", "display": "calendar", "kind": "Meeting", "location": "Room 4",
             "description": "Agenda: Überblick, Zeitplan, Budget; a line long enough to be folded by the writer.",
             "start": stamp(start), "end": stamp(start + 3600), "timeZone": "Europe/Berlin",
             "contactIds": .array([.string(ada.id)])], token: rita)
        let fairDay = days(1, after: day)
        let fair = try await api.create(
            "Activity",
            ["subject": "Trade fair", "display": "calendar", "allDay": true, "timeZone": "Europe/Berlin",
             "start": stamp(fairDay), "end": stamp(days(2, after: day))],
            token: rita)
        let task = try await api.create(
            "Activity",
            ["subject": "Send the offer", "display": "todo", "due": .string(dateString(days(2, after: day))),
             "priority": "High", "status": "In Progress", "start": stamp(start)], token: rita)
        let directory = try TemporaryDirectory(prefix: "crm-pim-interop")
        let pim = directory.url.appendingPathComponent("pim")
        let fixture = try await DesktopFixture.make(api, user: "rita", pim: "vdir:" + pim.path)
        let world = InteropWorld(
            api: api, fixture: fixture, directory: directory, acme: acme, ada: ada, zoe: zoe, meeting: meeting,
            fair: fair, task: task, day: day)
        let receipt = try await fixture.sync()
        #expect(receipt.pim?.written == 5, "\(receipt.line)")
        try world.writeClientConfigurations()
        return world
    }

    // MARK: - Files

    func files(_ collection: String) throws -> [URL] {
        let folder = pim.appendingPathComponent(collection)
        return try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".vcf") || $0.hasSuffix(".ics") }.sorted().map { folder.appendingPathComponent($0) }
    }

    func file(_ collection: String, containing text: String) throws -> URL? {
        try files(collection).first { (try? String(contentsOf: $0, encoding: .utf8).contains(text)) == true }
    }

    /// The server's copy of a record, as another user's desktop would get it.
    func onServer(_ type: String, _ id: String) async throws -> Record {
        let token = try await api.login("rita")
        return try await api.send(.get, "/api/v1/records/\(type)/\(id)", token: token).decode(Record.self)
    }

    // MARK: - khard and khal

    /// Runs khard on the contacts folder. khard asks "Do you want to proceed?" before it writes: `stdin` answers.
    func khard(_ arguments: [String], stdin: String = "") throws -> ProcessRunner.Run {
        try PythonTools.run(
            "khard", ["-c", directory.path("khard.conf")] + arguments, stdin: stdin,
            environment: ["HOME": directory.path("home")])
    }

    /// Runs khal on the calendar folder with `localZone` as the zone it shows times in.
    func khal(_ arguments: [String], localZone: String = "Europe/Berlin") throws -> ProcessRunner.Run {
        let configuration = directory.path("khal-\(localZone.replacingOccurrences(of: "/", with: "-")).conf")
        if !FileManager.default.fileExists(atPath: configuration) {
            let text = """
                [calendars]
                [[crm]]
                path = \(pim.appendingPathComponent("calendar").path)
                type = calendar
                [locale]
                timeformat = %H:%M
                dateformat = %Y-%m-%d
                longdateformat = %Y-%m-%d
                datetimeformat = %Y-%m-%d %H:%M
                longdatetimeformat = %Y-%m-%d %H:%M
                local_timezone = \(localZone)
                default_timezone = \(localZone)
                [sqlite]
                path = \(directory.path("khal-\(UUID().uuidString).db"))

                """
            try text.write(toFile: configuration, atomically: true, encoding: .utf8)
        }
        return try PythonTools.run(
            "khal", ["-c", configuration] + arguments, environment: ["HOME": directory.path("home")])
    }

    /// khal's events from `from` for `days` days, one line each: `start|end|title|location|categories`.
    func khalEvents(from: Date, days: Int, localZone: String = "Europe/Berlin") throws -> [String] {
        let run = try khal(
            ["list", "--day-format", "", "--format", "{start}|{end}|{title}|{location}|{categories}",
             Self.dateString(from), "\(days)d"], localZone: localZone)
        #expect(run.status == 0, "khal list failed: \(run.error)")
        return run.output.split(separator: "\n").map(String.init).filter { $0.contains("|") }
    }

    private func writeClientConfigurations() throws {
        try FileManager.default.createDirectory(atPath: directory.path("home"), withIntermediateDirectories: true)
        let khard = """
            [addressbooks]
            [[crm]]
            path = \(pim.appendingPathComponent("contacts").path)
            [general]
            default_action = list
            editor = /bin/false
            merge_editor = /bin/false
            [contact table]
            display = first_name
            sort = last_name
            [vcard]
            preferred_version = 4.0

            """
        try khard.write(toFile: directory.path("khard.conf"), atomically: true, encoding: .utf8)
    }

    // MARK: - Dates

    static func calendar(_ zone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }

    /// Midnight in Berlin `count` days after `day`.
    static func days(_ count: Int, after day: Date) -> Date {
        calendar(berlin).date(byAdding: .day, value: count, to: day)!
    }

    /// Midnight in Berlin `count` days after the meeting's day.
    func day(_ count: Int) -> Date { Self.days(count, after: day) }

    /// `hour:minute` in Berlin on `day`.
    static func at(_ hour: Int, _ minute: Int, on day: Date) -> Date {
        calendar(berlin).date(bySettingHour: hour, minute: minute, second: 0, of: day)!
    }

    static func stamp(_ date: Date) -> FieldValue { .string(Timestamp.string(from: date)) }

    /// `2026-12-03`: the day in Berlin.
    static func dateString(_ date: Date, in zone: TimeZone = berlin) -> String {
        let parts = calendar(zone).dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    /// `2026-12-03 09:30`: the local time in `zone`, as khal prints it with the configuration above.
    static func localTime(_ date: Date, in zone: TimeZone) -> String {
        let parts = calendar(zone).dateComponents([.hour, .minute], from: date)
        return dateString(date, in: zone) + String(format: " %02d:%02d", parts.hour!, parts.minute!)
    }
}

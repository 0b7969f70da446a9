import CRMDesktop
import CRMModel
import CRMTesting
import Foundation
import Testing

/// What the desktop writes into a vdir folder, read by third-party clients: Python's vobject and icalendar
/// libraries, khard (contacts) and khal (calendar), each given the folder the desktop synced.
@Suite("PIM bridge: third-party clients read our files")
struct PIMInteropTests {
    @Test func vobjectAndICalendarReadEveryFileWithTheRecordsValues() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await InteropWorld.make(api)
            defer { world.directory.remove() }
            let items = try Self.parse(world.pim)
            #expect(items.count == 5)
            for (name, item) in items {
                #expect(item.error == nil, "\(name): \(item.error ?? "")")
                #expect(item.icalendar?.errors ?? [] == [], "\(name): icalendar's errors")
            }
            func item(_ collection: String, _ record: Record) throws -> ReadItem {
                let file = try #require(try world.file(collection, containing: record.id))
                return try #require(items["\(collection)/\(file.lastPathComponent)"])
            }

            let ada = try #require(try item("contacts", world.ada).vobject)
            #expect(ada.fn == "Ada Lovelace")
            #expect(ada.family == "Lovelace" && ada.given == "Ada")
            #expect(ada.emails == ["ada@acme.example"])
            #expect(Set(ada.phones ?? []) == ["+49 30 1234 voice,work", "+49 171 5555 cell"])
            #expect(ada.birthday == "1815-12-10")
            #expect(ada.org == ["Acme Corp", "Engines"])
            #expect(ada.address == ["Unter den Linden 1", "10117", "Berlin", "Germany"])
            #expect(ada.categories == ["CRM"])
            let zoe = try #require(try item("contacts", world.zoe).vobject)
            #expect(zoe.fn == "Zoë Ångström-Łukasiewicz")
            #expect(zoe.family == "Ångström-Łukasiewicz" && zoe.given == "Zoë")

            let start = world.meeting.fields["start"]?.stringValue.flatMap(Timestamp.date(from:))
            let end = world.meeting.fields["end"]?.stringValue.flatMap(Timestamp.date(from:))
            let meeting = try item("calendar", world.meeting)
            for (reader, event) in [("vobject", meeting.vobject), ("icalendar", meeting.icalendar)] {
                let event = try #require(event, "\(reader)")
                #expect(event.summary == "Kick-off", "\(reader)")
                #expect(event.dtstart?.zone == "Europe/Berlin", "\(reader)")
                #expect(event.dtstart?.instant.flatMap(Timestamp.date(from:)) == start, "\(reader)")
                #expect(event.dtend?.instant.flatMap(Timestamp.date(from:)) == end, "\(reader)")
            }
            #expect(meeting.vobject?.attendees == ["mailto:ada@acme.example"])
            #expect(meeting.icalendar?.location == "Room 4")
            #expect(meeting.icalendar?.description == world.meeting.fields["description"]?.stringValue)

            let fairDay = InteropWorld.dateString(world.day(1))
            let dayAfter = InteropWorld.dateString(world.day(2))
            for event in [try item("calendar", world.fair).vobject, try item("calendar", world.fair).icalendar] {
                #expect(event?.dtstart?.date == fairDay)
                #expect(event?.dtend?.date == dayAfter, "DTEND of an all-day event is the next day")
            }

            let task = try item("tasks", world.task)
            #expect(task.vobject?.due?.date == world.task.fields["due"]?.stringValue)
            #expect(task.icalendar?.due?.date == world.task.fields["due"]?.stringValue)
            #expect(task.icalendar?.summary == "Send the offer")
            #expect(task.icalendar?.priority == 3)
            #expect(task.icalendar?.status == "IN-PROCESS")
        }
    }

    @Test func khardListsAndShowsOurContactsWithTheirNamesEmailsAndPhones() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await InteropWorld.make(api)
            defer { world.directory.remove() }
            let list = try world.khard(["list", "--parsable"])
            #expect(list.status == 0, "\(list.error)")
            #expect(Set(list.output.split(separator: "\n").map(String.init)) == [
                "\(world.ada.id)\tAda Lovelace\tcrm", "\(world.zoe.id)\tZoë Ångström-Łukasiewicz\tcrm",
            ])
            let emails = try world.khard(["email", "--parsable", "--remove-first-line"])
            #expect(Set(emails.output.split(separator: "\n").map(String.init)) == [
                "ada@acme.example\tAda Lovelace\twork", "zoe@example.org\tZoë Ångström-Łukasiewicz\twork",
            ], "\(emails.error)")
            let phones = try world.khard(["phone", "--parsable"])
            #expect(Set(phones.output.split(separator: "\n").map(String.init)) == [
                "+49 171 5555\tAda Lovelace\tcell", "+49 30 1234\tAda Lovelace\tvoice, work",
            ], "\(phones.error)")
            let birthdays = try world.khard(["birthdays", "--parsable"])
            #expect(birthdays.output == "1815.12.10\tAda Lovelace\n", "\(birthdays.error)")

            let show = try world.khard(["show", "--format", "yaml", "Lovelace"])
            #expect(show.status == 0, "\(show.error)")
            for expected in [
                "First name: Ada", "Last name: Lovelace", "Birthday: '1815-12-10'", "Title: Analyst",
                "work: ada@acme.example", "cell: +49 171 5555", "Street: Unter den Linden 1", "City: Berlin",
                "Code: '10117'", "Country: Germany", "- Acme Corp", "- Engines", "Categories: CRM",
            ] {
                #expect(show.output.contains(expected), "khard show lacks \(expected):\n\(show.output)")
            }
        }
    }

    @Test func khalListsOurEventsAtTheirLocalTimeInAnyZone() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await InteropWorld.make(api)
            defer { world.directory.remove() }
            let start = try #require(world.meeting.fields["start"]?.stringValue.flatMap(Timestamp.date(from:)))
            let fairDay = InteropWorld.dateString(world.day(1))
            let berlin = try world.khalEvents(from: world.day, days: 3)
            #expect(berlin == [
                InteropWorld.dateString(world.day) + " 09:30|" + InteropWorld.dateString(world.day)
                    + " 10:30|Kick-off|Room 4|CRM",
                "\(fairDay)|\(fairDay)|Trade fair||CRM",
            ])
            for zone in ["America/New_York", "Asia/Tokyo"] {
                let local = try #require(TimeZone(identifier: zone))
                let events = try world.khalEvents(from: world.day(-1), days: 4, localZone: zone)
                let expected = InteropWorld.localTime(start, in: local) + "|"
                    + InteropWorld.localTime(start + 3600, in: local) + "|Kick-off|Room 4|CRM"
                #expect(events.contains(expected), "in \(zone): \(events)")
            }
        }
    }

    @Test func aUsersRecurringEventWithAnExceptionJoinsTheCRMAndStaysReadable() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await InteropWorld.make(api)
            defer { world.directory.remove() }
            let days = (0..<4).map { InteropWorld.dateString(world.day(1 + 7 * $0)) }
            let basic = days.map { $0.replacingOccurrences(of: "-", with: "") }
            let file = world.pim.appendingPathComponent("calendar/weekly-review.ics")
            try Self.recurringEvent(basic).write(to: file, atomically: true, encoding: .utf8)

            let receipt = try await world.fixture.sync()
            #expect(receipt.pim?.shared == 1, "\(receipt.line)")
            let activity = try #require(
                try world.fixture.records("Activity").first { $0.fields["icalUid"] == "weekly-review-7@example.com" })
            #expect(activity.fields["subject"] == "Weekly pipeline review")
            #expect(activity.fields["timeZone"] == "Europe/Berlin")
            let first = InteropWorld.at(8, 0, on: world.day(1))
            #expect(activity.fields["start"]?.stringValue.flatMap(Timestamp.date(from:)) == first)

            // The desktop wrote its id into the user's file; the recurrence, the exception and the moved
            // occurrence are as the user made them, for khal and icalendar alike.
            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(text.contains("X-CRM-ID:\(activity.id)"))
            let events = try world.khalEvents(from: world.day, days: 30).filter { $0.contains("Weekly") }
            #expect(events == [
                "\(days[0]) 08:00|\(days[0]) 08:30|Weekly pipeline review||CRM",
                "\(days[1]) 11:00|\(days[1]) 11:30|Weekly pipeline review (moved)||",
                "\(days[3]) 08:00|\(days[3]) 08:30|Weekly pipeline review||CRM",
            ])
            let items = try Self.parse(world.pim)
            let item = try #require(items["calendar/weekly-review.ics"])
            #expect(item.error == nil, "\(item.error ?? "")")
            #expect(item.icalendar?.errors == [])
            #expect(item.icalendar?.dtstart?.instant.flatMap(Timestamp.date(from:)) == first)
        }
    }
}

extension PIMInteropTests {
    /// The file's VTIMEZONE must describe the zone at the meeting's new date too: a reader that takes the offsets
    /// from the file (vobject, and so Radicale's time-range queries) would otherwise place it an hour off.
    @Test func aMeetingMovedInTheCRMAcrossAClockChangeKeepsItsInstantForEveryReader() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await InteropWorld.make(api)
            defer { world.directory.remove() }
            try world.fixture.desktop.chooseFilter("my-records", parameters: ["daysBack": "30", "daysAhead": "400"])
            let change = try #require(InteropWorld.berlin.nextDaylightSavingTimeTransition(after: world.day))
            let day = InteropWorld.days(3, after: InteropWorld.calendar(InteropWorld.berlin).startOfDay(for: change))
            let moved = InteropWorld.at(9, 30, on: day)
            let token = try await api.login("rita")
            let (start, end) = (Timestamp.string(from: moved), Timestamp.string(from: moved + 3600))
            let patch = try await api.send(
                .patch, "/api/v1/records/Activity/\(world.meeting.id)", token: token,
                body: #"{"fields":{"start":"\#(start)","end":"\#(end)"}}"#,
                headers: [.ifMatch: "\"\(world.meeting.version)\""])
            #expect(patch.status == .ok, "\(patch.text)")
            let receipt = try await world.fixture.sync()
            #expect(receipt.pim?.written == 1, "\(receipt.line)")

            let file = try #require(try world.file("calendar", containing: world.meeting.id))
            let text = try String(contentsOf: file, encoding: .utf8)
            let item = try #require(try Self.parse(world.pim)["calendar/\(file.lastPathComponent)"])
            for (reader, event) in [("vobject", item.vobject), ("icalendar", item.icalendar)] {
                #expect(event?.dtstart?.instant.flatMap(Timestamp.date(from:)) == moved, "\(reader) read:\n\(text)")
            }
            let events = try world.khalEvents(from: day, days: 1)
            let local = InteropWorld.localTime(moved, in: InteropWorld.berlin)
            #expect(events.first?.hasPrefix(local) == true, "\(events)")
        }
    }
}

extension PIMInteropTests {
    /// A weekly event as a calendar program writes it: four weeks at 08:00 in Berlin, the third cancelled
    /// (EXDATE), the second moved to 11:00 (an overriding VEVENT with RECURRENCE-ID).
    static func recurringEvent(_ days: [String]) -> String {
        """
        BEGIN:VCALENDAR\r
        VERSION:2.0\r
        PRODID:-//Example Corp//Calendar 1.0//EN\r
        BEGIN:VTIMEZONE\r
        TZID:Europe/Berlin\r
        BEGIN:DAYLIGHT\r
        TZOFFSETFROM:+0100\r
        TZOFFSETTO:+0200\r
        TZNAME:CEST\r
        DTSTART:19700329T020000\r
        RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r
        END:DAYLIGHT\r
        BEGIN:STANDARD\r
        TZOFFSETFROM:+0200\r
        TZOFFSETTO:+0100\r
        TZNAME:CET\r
        DTSTART:19701025T030000\r
        RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r
        END:STANDARD\r
        END:VTIMEZONE\r
        BEGIN:VEVENT\r
        UID:weekly-review-7@example.com\r
        DTSTAMP:20260101T000000Z\r
        DTSTART;TZID=Europe/Berlin:\(days[0])T080000\r
        DTEND;TZID=Europe/Berlin:\(days[0])T083000\r
        RRULE:FREQ=WEEKLY;COUNT=4\r
        EXDATE;TZID=Europe/Berlin:\(days[2])T080000\r
        SUMMARY:Weekly pipeline review\r
        CATEGORIES:CRM\r
        END:VEVENT\r
        BEGIN:VEVENT\r
        UID:weekly-review-7@example.com\r
        DTSTAMP:20260101T000000Z\r
        RECURRENCE-ID;TZID=Europe/Berlin:\(days[1])T080000\r
        DTSTART;TZID=Europe/Berlin:\(days[1])T110000\r
        DTEND;TZID=Europe/Berlin:\(days[1])T113000\r
        SUMMARY:Weekly pipeline review (moved)\r
        END:VEVENT\r
        END:VCALENDAR\r

        """
    }

    /// Every file of the folder read with vobject (vCard and iCalendar, validating) and icalendar, keyed by
    /// `collection/file`; a file a library refuses has `error`.
    static func parse(_ folder: URL) throws -> [String: ReadItem] {
        let run = try PythonTools.python(readScript, [folder.path])
        #expect(run.status == 0, "\(run.error)")
        return try JSONDecoder().decode([String: ReadItem].self, from: Data(run.output.utf8))
    }

    struct ReadItem: Decodable {
        var error: String?
        var vobject: Fields?
        var icalendar: Fields?
    }

    /// What a library read: a vCard's or the main VEVENT/VTODO's values.
    struct Fields: Decodable {
        var fn, family, given, birthday: String?
        var emails, phones, org, address, categories: [String]?
        var summary, uid, status, location, description: String?
        var priority: Int?
        var attendees, errors: [String]?
        var dtstart, dtend, due: When?
    }

    /// A DTSTART, DTEND or DUE: an instant in UTC, a date, or a floating time, and the zone the library found.
    struct When: Decodable {
        var instant, date, floating, zone: String?
    }

    /// Reads every `.vcf` and `.ics` under the folder `sys.argv[1]` and prints JSON (see `ReadItem`). Times are
    /// given as the instant in UTC with the zone the library resolved, so the machine's zone plays no part.
    static let readScript = """
        import datetime, glob, json, os, sys
        import icalendar, vobject

        def when(value):
            if isinstance(value, datetime.datetime):
                if value.tzinfo is None:
                    return {"floating": value.isoformat()}
                return {"instant": value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
            return {"date": value.isoformat()}

        def zone(value):
            tz = getattr(value, "tzinfo", None)
            return getattr(tz, "key", None) or getattr(tz, "_tzid", None)

        def card(path):
            c = vobject.readOne(open(path, encoding="utf-8", newline="").read(), validate=True)
            adr = c.adr.value if hasattr(c, "adr") else None
            return {
                "fn": c.fn.value, "family": c.n.value.family, "given": c.n.value.given,
                "emails": [e.value for e in c.contents.get("email", [])],
                "phones": [t.value + " " + ",".join(t.params.get("TYPE", [])) for t in c.contents.get("tel", [])],
                "birthday": datetime.date.fromisoformat(c.bday.value).isoformat() if hasattr(c, "bday") else None,
                "org": c.org.value if hasattr(c, "org") else [],
                "address": [adr.street, adr.code, adr.city, adr.country] if adr else [],
                "categories": [v for line in c.contents.get("categories", []) for v in line.value],
            }

        def with_vobject(data):
            cal = vobject.readOne(data, validate=True)
            items = [x for x in cal.getChildren() if x.name in ("VEVENT", "VTODO")]
            item = next(x for x in items if "recurrence-id" not in x.contents)
            out = {"summary": item.summary.value, "uid": item.uid.value,
                   "attendees": [a.value for a in item.contents.get("attendee", [])]}
            for key in ("dtstart", "dtend", "due"):
                if key in item.contents:
                    line = item.contents[key][0]
                    out[key] = when(line.value) | {"zone": zone(line.value)}
            return out

        def with_icalendar(data):
            cal = icalendar.Calendar.from_ical(data)
            items = [x for x in cal.walk() if x.name in ("VEVENT", "VTODO")]
            item = next(x for x in items if "RECURRENCE-ID" not in x)
            out = {"summary": str(item["SUMMARY"]), "uid": str(item["UID"]), "status": item.get("STATUS"),
                   "priority": item.get("PRIORITY"), "location": item.get("LOCATION"),
                   "description": item.get("DESCRIPTION"),
                   "categories": [str(c) for c in item.get("CATEGORIES").cats] if "CATEGORIES" in item else [],
                   "errors": [str(e) for x in cal.walk() for e in x.errors]}
            for key in ("DTSTART", "DTEND", "DUE"):
                if key in item:
                    value = item.decoded(key)
                    out[key.lower()] = when(value) | {"zone": zone(value)}
            return out

        result = {}
        for path in sorted(glob.glob(os.path.join(sys.argv[1], "*", "*.*"))):
            if not path.endswith((".vcf", ".ics")):
                continue
            name = os.path.relpath(path, sys.argv[1])
            try:
                if path.endswith(".vcf"):
                    result[name] = {"vobject": card(path)}
                else:
                    data = open(path, encoding="utf-8", newline="").read()
                    result[name] = {"vobject": with_vobject(data), "icalendar": with_icalendar(data)}
            except Exception as error:
                result[name] = {"error": "%s: %r" % (type(error).__name__, error)}
        print(json.dumps(result, indent=1, ensure_ascii=False))
        """
}

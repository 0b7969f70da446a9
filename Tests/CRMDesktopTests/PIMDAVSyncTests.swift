import CRMDesktop
import CRMModel
import CRMTesting
import Foundation
import PIMBridge
import PIMFormats
import Testing

/// The PIM bridge on a real CardDAV/CalDAV server (Radicale on loopback): the desktop writes the records, an
/// edit made by another DAV client (a phone) between syncs reaches the CRM, and a second desktop of the same
/// user adopts the items already there instead of writing copies.
@Suite("PIM bridge: CardDAV/CalDAV", .serialized)
struct PIMDAVSyncTests {
    /// A desktop of `user` whose PIM is the Radicale server.
    static func desktop(_ api: TestAPI, _ radicale: RadicaleServer, user: String, name: String) async throws
        -> DesktopFixture
    {
        let fixture = try await DesktopFixture.make(api, user: user, name: name, pim: "dav:" + radicale.url.absoluteString)
        var settings = fixture.settings
        settings.pimUser = RadicaleServer.user
        try fixture.home.save(settings)
        try fixture.home.savePIMPassword(RadicaleServer.password)
        let desktop = try Desktop.open(home: fixture.home)
        return DesktopFixture(
            home: fixture.home, directory: fixture.directory, settings: settings, replica: desktop.replica,
            engine: desktop.engine())
    }

    /// Another DAV client of the same account.
    static func phone(_ radicale: RadicaleServer) -> DAVStore {
        DAVStore(url: radicale.url, user: RadicaleServer.user, password: RadicaleServer.password)
    }

    static func items(_ store: DAVStore, _ collection: PIMCollection) async throws -> [PIMItem] {
        let listing = try await store.changes(in: collection, since: nil)
        return try await store.read(collection, hrefs: Array(listing.changed.keys))
    }

    @Test func recordsReachTheServerAndAPhonesEditComesBack() async throws {
        let radicale = try await RadicaleServer.start()
        defer { radicale.stop() }
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            let ada = try await api.create(
                "Contact", ["firstName": "Ada", "lastName": "Lovelace", "email": "ada@acme.example"], token: rita)
            let start = Date().addingTimeInterval(86_400)
            let meeting = try await api.create(
                "Activity",
                ["subject": "Kick-off", "display": "calendar", "start": .string(Timestamp.string(from: start)),
                 "end": .string(Timestamp.string(from: start + 3600)), "timeZone": "America/New_York",
                 "contactIds": .array([.string(ada.id)])], token: rita)
            let laptop = try await Self.desktop(api, radicale, user: "rita", name: "laptop")
            let first = try await laptop.sync()
            #expect(first.pim?.written == 2, "\(first.line)")

            let phone = Self.phone(radicale)
            let cards = try await Self.items(phone, .contacts)
            #expect(cards.count == 1)
            let card = try #require(cards.first)
            #expect(String(decoding: card.data, as: UTF8.self).contains("X-CRM-ID:\(ada.id)"))
            let events = try await Self.items(phone, .calendar)
            let event = try #require(events.first)
            let text = String(decoding: event.data, as: UTF8.self)
            #expect(text.contains("X-CRM-ID:\(meeting.id)"))
            #expect(text.contains("SCHEDULE-AGENT=CLIENT"))

            // The phone edits the contact between two syncs.
            var vcard = try #require(try VCardReader.read(data: card.data).first)
            vcard.setText("TITLE", "Countess of Lovelace")
            _ = try await phone.put(.contacts, href: card.href, data: Data(VCardWriter.write(vcard).utf8), ifMatch: card.etag)
            let second = try await laptop.sync()
            #expect(second.pim?.fromPIM == 1, "\(second.line)")
            let onServer = try await api.send(.get, "/api/v1/records/Contact/\(ada.id)", token: rita).decode(Record.self)
            #expect(onServer.fields["title"] == "Countess of Lovelace")

            // A second desktop of Rita finds the items and adopts them: no copies.
            let tablet = try await Self.desktop(api, radicale, user: "rita", name: "tablet")
            try await tablet.sync()
            let adopted = try await tablet.sync()
            #expect(try await Self.items(phone, .contacts).count == 1)
            #expect(try await Self.items(phone, .calendar).count == 1)
            #expect(try tablet.replica.pimStatus(.contacts).map(\.crmID) == [ada.id], "\(adopted.line)")
        }
    }
}

extension PIMDAVSyncTests {
    @Test func anItemThePhoneChangesWhileTheDesktopWritesIsReReadAndMerged() async throws {
        let radicale = try await RadicaleServer.start()
        defer { radicale.stop() }
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            let ada = try await api.create("Contact", ["firstName": "Ada", "lastName": "Lovelace"], token: rita)
            let laptop = try await Self.desktop(api, radicale, user: "rita", name: "laptop")
            try await laptop.sync()
            let desktop = try Desktop.open(home: laptop.home)
            let pim = try #require(try desktop.pimSync())

            // The CRM changes the phone; before the desktop writes it, the phone changes the title.
            try desktop.editor().update(type: "Contact", id: ada.id, fields: ["phone": "+44 20 7946 0000"])
            _ = try await pim.inbound()
            let phone = Self.phone(radicale)
            let card = try #require(try await Self.items(phone, .contacts).first)
            var vcard = try #require(try VCardReader.read(data: card.data).first)
            vcard.setText("TITLE", "Analyst")
            _ = try await phone.put(.contacts, href: card.href, data: Data(VCardWriter.write(vcard).utf8), ifMatch: card.etag)

            let report = try await pim.outbound()
            #expect(report.fromPIM == 1, "\(report.line)")
            #expect(report.written == 1, "\(report.line)")
            let merged = try #require(try await Self.items(phone, .contacts).first)
            let text = String(decoding: merged.data, as: UTF8.self)
            #expect(text.contains("+44 20 7946 0000"))
            #expect(text.contains("TITLE:Analyst"))
            #expect(try laptop.record(ada.id)?.fields["title"] == "Analyst")
        }
    }
}

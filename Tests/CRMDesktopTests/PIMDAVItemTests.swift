import CRMDesktop
import CRMModel
import CRMTesting
import Foundation
import PIMBridge
import PIMFormats
import Testing

/// The vdir two-way cases on a real CardDAV server (Radicale), as a phone makes them: a shared new card, a
/// deleted card, a malformed card, and an emptied address book.
extension PIMDAVSyncTests {
    /// Rita's laptop on Radicale with three contacts written there.
    static func threeContacts(_ api: TestAPI, _ radicale: RadicaleServer) async throws
        -> (laptop: DesktopFixture, ids: [String])
    {
        let rita = try await api.login("rita")
        var ids: [String] = []
        for name in ["Lovelace", "Babbage", "Turing"] {
            ids.append(try await api.create("Contact", ["lastName": .string(name)], token: rita).id)
        }
        let laptop = try await Self.desktop(api, radicale, user: "rita", name: "laptop")
        let first = try await laptop.sync()
        #expect(first.pim?.written == 3, "\(first.line)")
        return (laptop, ids)
    }

    static func card(_ items: [PIMItem], _ id: String) -> PIMItem? {
        items.first { String(decoding: $0.data, as: UTF8.self).contains("X-CRM-ID:\(id)") }
    }

    @Test func aCardSharedFromThePhoneJoinsTheCRMAndAPrivateOneDoesNot() async throws {
        let radicale = try await RadicaleServer.start()
        defer { radicale.stop() }
        let server = try await TestServer.make()
        try await server.run { api in
            let (laptop, _) = try await Self.threeContacts(api, radicale)
            let phone = Self.phone(radicale)
            let shared = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:phone-1\r\nN:Hopper;Grace;;;\r\nFN:Grace Hopper\r\n"
                + "CATEGORIES:CRM\r\nEND:VCARD\r\n"
            let mine = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:phone-2\r\nN:Private;Pat;;;\r\nFN:Pat Private\r\nEND:VCARD\r\n"
            _ = try await phone.put(.contacts, href: "phone-1.vcf", data: Data(shared.utf8), ifMatch: nil)
            _ = try await phone.put(.contacts, href: "phone-2.vcf", data: Data(mine.utf8), ifMatch: nil)
            let stored = try #require(try await phone.read(.contacts, hrefs: ["phone-2.vcf"]).first)

            let receipt = try await laptop.sync()
            #expect(receipt.pim?.shared == 1, "\(receipt.line)")
            let grace = try #require(try laptop.records("Contact").first { $0.fields["lastName"] == "Hopper" })
            #expect(try laptop.records("Contact").count == 4)
            let rita = try await api.login("rita")
            #expect(try await api.send(.get, "/api/v1/records/Contact/\(grace.id)", token: rita).status == .ok)
            let items = try await Self.items(phone, .contacts)
            #expect(items.count == 5)
            let card = try #require(items.first { $0.href == "phone-1.vcf" })
            #expect(String(decoding: card.data, as: UTF8.self).contains("X-CRM-ID:\(grace.id)"))
            #expect(items.first { $0.href == "phone-2.vcf" } == stored, "a private card is left as it is")
        }
    }

    @Test func aCardDeletedOnThePhoneIsUnsharedAndTheRecordStays() async throws {
        let radicale = try await RadicaleServer.start()
        defer { radicale.stop() }
        let server = try await TestServer.make()
        try await server.run { api in
            let (laptop, ids) = try await Self.threeContacts(api, radicale)
            let phone = Self.phone(radicale)
            let card = try #require(Self.card(try await Self.items(phone, .contacts), ids[0]))
            try await phone.delete(.contacts, href: card.href, ifMatch: card.etag)

            let receipt = try await laptop.sync()
            #expect(receipt.pim?.unshared == 1, "\(receipt.line)")
            #expect(try laptop.replica.unsharedIDs() == [ids[0]])
            #expect(try laptop.record(ids[0]) != nil)
            #expect(try await Self.items(phone, .contacts).count == 2)
            let again = try await laptop.sync()
            #expect(again.pim?.written == 0, "\(again.line)")
            #expect(try await Self.items(phone, .contacts).count == 2)
        }
    }

    @Test func aMalformedCardOnTheServerIsReportedAndLeftAlone() async throws {
        let radicale = try await RadicaleServer.start()
        defer { radicale.stop() }
        let server = try await TestServer.make()
        try await server.run { api in
            let (laptop, ids) = try await Self.threeContacts(api, radicale)
            let phone = Self.phone(radicale)
            let card = try #require(Self.card(try await Self.items(phone, .contacts), ids[0]))
            // A component nested in the card: vobject (and so Radicale) takes it, a vCard reader must not.
            var text = String(decoding: card.data, as: UTF8.self)
                .replacingOccurrences(of: "END:VCARD", with: "TITLE:Countess\r\nBEGIN:VFOO\r\nX-A:1\r\nEND:VFOO\r\nEND:VCARD")
            _ = try await phone.put(.contacts, href: card.href, data: Data(text.utf8), ifMatch: card.etag)
            text = String(decoding: try #require(try await phone.read(.contacts, hrefs: [card.href]).first).data, as: UTF8.self)
            let line = try #require(text.components(separatedBy: "\r\n").firstIndex { $0 == "BEGIN:VFOO" }) + 1

            let receipt = try await laptop.sync()
            #expect(receipt.outcome == .partial)
            #expect(receipt.pim?.problems == 1, "\(receipt.line)")
            let problem = try #require(try laptop.replica.pimProblems().first)
            #expect(problem.href == card.href)
            #expect(problem.line == line)
            #expect(try laptop.record(ids[0])?.fields["title"] == nil)
            #expect(try laptop.replica.outbox().isEmpty)
            try await laptop.sync()
            let after = try #require(try await phone.read(.contacts, hrefs: [card.href]).first)
            #expect(String(decoding: after.data, as: UTF8.self) == text)
        }
    }

    @Test func anEmptiedAddressBookStopsTheSyncUntilForced() async throws {
        let radicale = try await RadicaleServer.start()
        defer { radicale.stop() }
        let server = try await TestServer.make()
        try await server.run { api in
            let (laptop, ids) = try await Self.threeContacts(api, radicale)
            let phone = Self.phone(radicale)
            for item in try await Self.items(phone, .contacts) {
                try await phone.delete(.contacts, href: item.href, ifMatch: item.etag)
            }
            let stopped = try await laptop.sync()
            #expect(stopped.outcome == .partial)
            #expect(stopped.pim?.stopped.first?.contains("lists no contacts though 3 were written") == true, "\(stopped.line)")
            #expect(try laptop.replica.unsharedIDs().isEmpty)
            #expect(try await Self.items(phone, .contacts).isEmpty)

            let forced = try await Desktop.open(home: laptop.home).engine(force: true).run()
            #expect(forced.pim?.unshared == 3, "\(forced.line)")
            #expect(try laptop.replica.unsharedIDs() == Set(ids))
            #expect(try ids.allSatisfy { try laptop.record($0) != nil })
        }
    }
}

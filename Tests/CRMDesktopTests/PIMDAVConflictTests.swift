import CRMDesktop
import CRMModel
import CRMTesting
import Foundation
import PIMBridge
import PIMFormats
import Testing

/// Counts calls, so a seam acts once.
actor CallCounter {
    private(set) var count = 0
    func next() -> Int {
        count += 1
        return count
    }
}

extension PIMDAVSyncTests {
    /// The phone changes the card after the desktop read it and before its PUT: the server answers 412, and the
    /// desktop reads the item again, takes the phone's edit into the CRM and writes with the fresh etag.
    @Test func aChangeBetweenTheDesktopsReadAndItsPUTIsReReadAndMerged() async throws {
        let radicale = try await RadicaleServer.start()
        defer { radicale.stop() }
        let server = try await TestServer.make()
        try await server.run { api in
            let rita = try await api.login("rita")
            let ada = try await api.create("Contact", ["firstName": "Ada", "lastName": "Lovelace"], token: rita)
            let laptop = try await Self.desktop(api, radicale, user: "rita", name: "laptop")
            try await laptop.sync()
            let desktop = try Desktop.open(home: laptop.home)
            var pim = try #require(try desktop.pimSync())
            try desktop.editor().update(type: "Contact", id: ada.id, fields: ["phone": "+44 20 7946 0000"])
            _ = try await pim.inbound()

            let phone = Self.phone(radicale)
            let calls = CallCounter()
            pim.willPut = { collection, href in
                guard await calls.next() == 1 else { return }
                let card = try #require(try await phone.read(collection, hrefs: [href]).first)
                var vcard = try #require(try VCardReader.read(data: card.data).first)
                vcard.setText("TITLE", "Analyst")
                _ = try await phone.put(
                    collection, href: href, data: Data(VCardWriter.write(vcard).utf8), ifMatch: card.etag)
            }
            let report = try await pim.outbound()
            #expect(await calls.count == 2, "one PUT refused with 412, one that went through")
            #expect(report.fromPIM == 1, "\(report.line)")
            #expect(report.written == 1, "\(report.line)")
            let merged = try #require(try await Self.items(phone, .contacts).first)
            let text = String(decoding: merged.data, as: UTF8.self)
            #expect(text.contains("+44 20 7946 0000"))
            #expect(text.contains("TITLE:Analyst"))
            #expect(try laptop.record(ada.id)?.fields["title"] == "Analyst")
            #expect(try laptop.replica.pimStatus(.contacts).first?.etag == merged.etag)
        }
    }

    /// A card the user shared from the phone keeps its own name and UID; a second desktop of the user adopts it
    /// by its X-CRM-ID instead of writing `<record id>.vcf` next to it.
    @Test func aSecondDesktopAdoptsACardSharedFromThePhoneInsteadOfCopyingIt() async throws {
        let radicale = try await RadicaleServer.start()
        defer { radicale.stop() }
        let server = try await TestServer.make()
        try await server.run { api in
            let laptop = try await Self.desktop(api, radicale, user: "rita", name: "laptop")
            try await laptop.sync()
            let phone = Self.phone(radicale)
            let shared = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:phone-1\r\nN:Hopper;Grace;;;\r\nFN:Grace Hopper\r\n"
                + "EMAIL;TYPE=work:grace@navy.example\r\nCATEGORIES:CRM\r\nEND:VCARD\r\n"
            _ = try await phone.put(.contacts, href: "phone-1.vcf", data: Data(shared.utf8), ifMatch: nil)
            let first = try await laptop.sync()
            #expect(first.pim?.shared == 1, "\(first.line)")
            let grace = try #require(try laptop.records("Contact").first { $0.fields["lastName"] == "Hopper" })
            let cards = try await Self.items(phone, .contacts)
            #expect(cards.map(\.href) == ["phone-1.vcf"])
            #expect(cards.first.map { String(decoding: $0.data, as: UTF8.self).contains("X-CRM-ID:\(grace.id)") } == true)

            let tablet = try await Self.desktop(api, radicale, user: "rita", name: "tablet")
            let adopting = try await tablet.sync()
            try await tablet.sync()
            #expect(try await Self.items(phone, .contacts).map(\.href) == ["phone-1.vcf"], "\(adopting.line)")
            #expect(try tablet.replica.pimStatus(.contacts).map(\.href) == ["phone-1.vcf"])
            #expect(try tablet.records("Contact").count == 1)
        }
    }
}

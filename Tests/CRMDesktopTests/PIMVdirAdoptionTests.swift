import CRMDesktop
import CRMModel
import CRMTesting
import Foundation
import PIMBridge
import PIMFormats
import Testing

extension PIMVdirSyncTests {
    /// A card the user shared keeps its own file name and UID (`phone-1.vcf`); a second desktop of the user on
    /// the same folder adopts it by its X-CRM-ID instead of writing `<record id>.vcf` next to it.
    @Test func aSecondDesktopAdoptsACardSharedUnderItsOwnNameInsteadOfCopyingIt() async throws {
        let server = try await TestServer.make()
        try await server.run { api in
            let world = try await Self.world(api)
            try await world.fixture.sync()
            let contacts = world.pim.appendingPathComponent("contacts")
            let shared = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:phone-1\r\nN:Hopper;Grace;;;\r\nFN:Grace Hopper\r\n"
                + "EMAIL;TYPE=work:grace@navy.example\r\nCATEGORIES:CRM\r\nEND:VCARD\r\n"
            try shared.write(to: contacts.appendingPathComponent("phone-1.vcf"), atomically: true, encoding: .utf8)
            try await world.fixture.sync()
            let before = try world.files("contacts")
            #expect(before.contains("phone-1.vcf"))
            #expect(before.count == 2)

            let tablet = try await DesktopFixture.make(api, user: "rita", name: "tablet", pim: "vdir:" + world.pim.path)
            let adopting = try await tablet.sync()
            try await tablet.sync()
            #expect(try world.files("contacts") == before, "\(adopting.line)")
            #expect(try tablet.replica.pimStatus(.contacts).map(\.href).sorted() == before)
            #expect(try tablet.records("Contact").count == 2)
        }
    }
}

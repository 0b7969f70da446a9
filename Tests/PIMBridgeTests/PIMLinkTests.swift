import CRMModel
import Foundation
import PIMBridge
import PIMFormats
import Testing

/// Links written in `X-CRM-<FIELD>` are read back: a PIM that rewrites ORG or ATTENDEE does not break them.
@Suite struct PIMLinkTests {
    static let directory = RecordDirectoryTable(
        titles: ["acme": "Acme", "ada": "Ada Lovelace"], types: ["acme": "Account", "ada": "Contact"],
        emails: ["ada": "ada@acme.example"])

    @Test func theAccountLinkSurvivesAnORGThePIMRewroteOrDropped() throws {
        let mapper = VCardMappingTests.mapper
        let record = VCardMappingTests.contact(["lastName": "Lovelace", "accountId": "acme"])
        var text = String(decoding: try mapper.item(for: record, existing: nil, directory: Self.directory), as: UTF8.self)
        #expect(text.contains("ORG:Acme"))
        #expect(text.contains("X-CRM-ACCOUNTID:acme"))
        text = text.replacingOccurrences(of: "ORG:Acme", with: "ORG:ACME Inc.")
        let renamed = try mapper.read(Data(text.utf8), in: .contacts, current: record, directory: Self.directory)
        #expect(renamed.fields["accountId"] == "acme")
        text = text.replacingOccurrences(of: "ORG:ACME Inc.\r\n", with: "")
        let dropped = try mapper.read(Data(text.utf8), in: .contacts, current: record, directory: Self.directory)
        #expect(dropped.fields["accountId"] == "acme")
    }

    @Test func aLinkToARecordTheDesktopDoesNotHoldIsNotKept() throws {
        let data = VCardMappingTests.card("ORG:Acme\r\nX-CRM-ACCOUNTID:gone\r\n")
        let reading = try VCardMappingTests.mapper.read(data, in: .contacts, current: nil, directory: Self.directory)
        #expect(reading.fields["accountId"] == "acme", "the name decides when the id is unknown")
    }

    @Test func attendeeLinksSurviveAddressesThePIMRewrote() throws {
        let meeting = ICalMappingTests.activity([
            "subject": "Call", "display": "calendar", "start": "2024-03-10T09:00:00.000Z", "contactIds": .array([.string("ada")]),
        ])
        let mapper = ICalMappingTests.mapper
        var text = String(decoding: try mapper.item(for: meeting, existing: nil, directory: Self.directory), as: UTF8.self)
        #expect(text.contains("X-CRM-CONTACTIDS:ada"))
        // An Exchange server gives the attendee its own address form.
        text = text.replacingOccurrences(of: "mailto:ada@acme.example", with: "mailto:ADA.LOVELACE@exchange.example")
        let reading = try mapper.read(Data(text.utf8), in: .calendar, current: meeting, directory: Self.directory)
        #expect(reading.fields["contactIds"] == .array([.string("ada")]))
    }
}

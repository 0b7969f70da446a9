import CRMModel
import Foundation
import PIMBridge
import PIMFormats
import Testing

/// The default package's Contact mapping applied to vCards as PIMs write them: emails and phones whose TYPE the
/// PIM dropped or never wrote, and FN following N.
@Suite struct VCardMappingTests {
    static let package = try! DefaultPackage.load()
    static let mapper = PIMMapper(package: package, floatingZone: .gmt)
    static let noOne = RecordDirectoryTable()

    static func card(_ lines: String) -> Data {
        Data("BEGIN:VCARD\r\nVERSION:4.0\r\nUID:c-1\r\nN:Lovelace;Ada;;;\r\nFN:Ada Lovelace\r\n\(lines)END:VCARD\r\n".utf8)
    }

    static func contact(_ fields: [String: FieldValue]) -> Record {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        return Record(
            id: "c-1", type: "Contact", owner: "rita", createdAt: now, updatedAt: now, updatedBy: "rita",
            fields: fields)
    }

    @Test func anUntypedEmailIsRead() throws {
        let reading = try Self.mapper.read(
            Self.card("EMAIL:ada@acme.example\r\n"), in: .contacts, current: nil, directory: Self.noOne)
        #expect(reading.fields["email"] == "ada@acme.example")
    }

    @Test func aPIMThatDropsTheTypeDoesNotClearTheFieldNorGetsASecondProperty() throws {
        let record = Self.contact([
            "firstName": "Ada", "lastName": "Lovelace", "email": "ada@acme.example", "phone": "+49 30 1234",
            "mobile": "+49 170 1234",
        ])
        let written = try Self.mapper.item(for: record, existing: nil, directory: Self.noOne)
        var text = String(decoding: written, as: UTF8.self)
        #expect(text.contains("EMAIL;TYPE=work:ada@acme.example"))
        // The PIM keeps the numbers and the address but drops TYPE=work.
        text = text.replacingOccurrences(of: "EMAIL;TYPE=work:", with: "EMAIL:")
            .replacingOccurrences(of: "TEL;TYPE=voice,work:", with: "TEL;TYPE=voice:")
        #expect(text.contains("TEL;TYPE=voice:+49 30 1234"))
        let reading = try Self.mapper.read(Data(text.utf8), in: .contacts, current: record, directory: Self.noOne)
        #expect(reading.fields["email"] == "ada@acme.example")
        #expect(reading.fields["phone"] == "+49 30 1234")
        #expect(reading.fields["mobile"] == "+49 170 1234")

        var changed = record
        changed.fields["email"] = "ada@lovelace.example"
        let again = try #require(
            try VCardReader.read(data: Self.mapper.item(for: changed, existing: Data(text.utf8), directory: Self.noOne))
                .first)
        #expect(again.properties.filter { $0.name == "EMAIL" }.map(\.value) == ["ada@lovelace.example"])
        #expect(again.properties.filter { $0.name == "TEL" }.count == 2)
    }

    @Test func aMobileNumberIsNotTakenForTheMissingWorkPhone() throws {
        let reading = try Self.mapper.read(
            Self.card("TEL;TYPE=cell:+49 170 1234\r\n"), in: .contacts, current: nil, directory: Self.noOne)
        #expect(reading.fields["mobile"] == "+49 170 1234")
        #expect(reading.fields["phone"] == .null)
    }

    @Test func aRemovedEmailStillClearsTheField() throws {
        let reading = try Self.mapper.read(Self.card(""), in: .contacts, current: nil, directory: Self.noOne)
        #expect(reading.fields["email"] == .null)
    }

    @Test func fnFollowsTheNameTheCRMWrites() throws {
        let record = Self.contact(["firstName": "Grace", "lastName": "Hopper"])
        let card = try #require(
            try VCardReader.read(
                data: Self.mapper.item(for: record, existing: Self.card(""), directory: Self.noOne)).first)
        #expect(card.text("FN") == "Grace Hopper")
        #expect(card.structured("N")?.prefix(2) == ["Hopper", "Grace"])
    }
}

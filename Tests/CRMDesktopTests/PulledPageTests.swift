import CRMDesktop
import CRMModel
import CRMSyncProtocol
import Foundation
import Testing

/// The desktop reads pull pages by hand: what it reads is what Foundation's decoder reads from the same page,
/// and each record's kept JSON decodes to the record the server sent.
@Suite struct PulledPageTests {
    static let records = [
        Record(
            id: "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b", type: "Contact", version: 3, seq: 42, owner: "rita",
            team: ["maria", "tom"], createdAt: Date(timeIntervalSince1970: 1_750_000_000.125),
            updatedAt: Date(timeIntervalSince1970: 1_750_000_100.5), updatedBy: "maria",
            fields: [
                "lastName": "Doe \"the\" \\ one\n\t\u{01}", "amount": .number(Decimal(string: "-1234.50")!), "vip": true,
                "contactIds": .array(["a", "b"]), "nested": .object(["x": .null, "y": .array([1, .object([:])])]),
                "name": "Zoë 🎉 中文 /slash",
            ],
            fieldVersions: ["lastName": FieldStamp(version: 3, at: Date(timeIntervalSince1970: 1_750_000_100.5))]),
        Record(
            id: "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2c", type: "Account", version: 7, deleted: true, owner: "peter",
            createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0), updatedBy: "peter",
            fields: [:]),
    ]

    static let page = SyncPage(
        upserts: [SyncUpsert(record: records[0], incomplete: false), SyncUpsert(record: records[1], incomplete: true)],
        removes: [SyncRemove(id: "gone-1", type: "Note", reason: .leftFilter), SyncRemove(id: "gone-2", type: "Contact", reason: .deleted)],
        cursor: "abc.def\"ghi", more: true)

    @Test(arguments: [false, true])
    func readsWhatFoundationReads(pretty: Bool) throws {
        let encoder = CRMJSON.encoder()
        if pretty { encoder.outputFormatting.insert(.prettyPrinted) }
        let data = try encoder.encode(Self.page)
        let foundation = try CRMJSON.decoder().decode(SyncPage.self, from: data)
        let pulled = try PulledPage(reading: data)
        #expect(pulled.cursor == foundation.cursor)
        #expect(pulled.more == foundation.more)
        #expect(pulled.protocolVersion == foundation.protocolVersion)
        #expect(pulled.removes == foundation.removes)
        #expect(pulled.upserts.count == foundation.upserts.count)
        for (read, upsert) in zip(pulled.upserts, foundation.upserts) {
            #expect(read.id == upsert.record.id)
            #expect(read.type == upsert.record.type)
            #expect(read.version == upsert.record.version)
            #expect(read.deleted == upsert.record.deleted)
            #expect(read.incomplete == upsert.incomplete)
            #expect(try CRMJSON.decoder().decode(Record.self, from: Data(read.json.utf8)) == upsert.record)
        }
    }

    @Test func aDecodedPageGivesTheSameRows() throws {
        let fromBytes = try PulledPage(reading: CRMJSON.encoder().encode(Self.page))
        let fromPage = PulledPage(Self.page)
        #expect(fromPage.upserts.map(\.id) == fromBytes.upserts.map(\.id))
        for (a, b) in zip(fromPage.upserts, fromBytes.upserts) {
            #expect(try CRMJSON.decoder().decode(Record.self, from: Data(a.json.utf8))
                == CRMJSON.decoder().decode(Record.self, from: Data(b.json.utf8)))
        }
    }

    @Test(arguments: [
        #"{"cursor":"c","more":false}"#, #"{"cursor":"c","more":false,"protocolVersion":1,"removes":[],"upserts":[{}]}"#,
        #"{"cursor":"c","more":false,"protocolVersion":1,"removes":[{"id":"x","type":"T","reason":"nope"}],"upserts":[]}"#,
        #"{"cursor":"c","more":false,"protocolVersion":1,"removes":[],"upserts":[{"incomplete":false,"record":{"id":"x"}}]}"#,
        #"{"cursor":"c","more":false,"protocolVersion":1,"removes":[],"upserts":[]"#,
    ])
    func refusesAPageWithoutWhatItNeeds(text: String) {
        #expect(throws: (any Error).self) { try PulledPage(reading: Data(text.utf8)) }
    }
}

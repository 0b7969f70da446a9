import CRMModel
import Foundation
import Testing

/// The hand-written record writer of pull pages gives the JSON that `Codable` gives, so desktops decode it
/// with the same types.
@Suite struct RecordJSONTests {
    @Test(arguments: [
        Record(
            id: "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b", type: "Contact", version: 3, seq: 42, owner: "rita",
            team: ["maria", "tom"], createdAt: Date(timeIntervalSince1970: 1_750_000_000.125),
            updatedAt: Date(timeIntervalSince1970: 1_750_000_100.5), updatedBy: "maria",
            fields: [
                "lastName": "Doe \"the\" \\ one\n", "amount": .number(Decimal(string: "1234.50")!), "vip": true,
                "contactIds": .array(["a", "b"]), "nested": .object(["x": .null]), "name": "Zoë 🎉",
            ],
            fieldVersions: [
                "lastName": FieldStamp(version: 3, at: Date(timeIntervalSince1970: 1_750_000_100.5)),
                "vip": FieldStamp(version: 1, at: Date(timeIntervalSince1970: 1_750_000_000.125)),
            ]),
        Record(
            id: "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2c", type: "Account", deleted: true, owner: "peter",
            createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0), updatedBy: "peter",
            fields: [:]),
    ])
    func handWrittenJSONEqualsTheCodableForm(record: Record) throws {
        var bytes: [UInt8] = []
        RecordJSON.write(record, into: &bytes)
        let handWritten = try JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary
        let codable = try JSONSerialization.jsonObject(with: CRMJSON.encoder().encode(record)) as? NSDictionary
        #expect(handWritten != nil)
        #expect(handWritten == codable)
        #expect(try CRMJSON.decoder().decode(Record.self, from: Data(bytes)) == record)
    }

    /// The hand-written reader reads what the decoder reads: the writer's JSON, and `Codable`'s with its keys
    /// in another order and spacing.
    @Test(arguments: [
        Record(
            id: "r1", type: "Contact", version: 3, seq: 42, owner: "rita", team: ["maria", "tom"],
            createdAt: Date(timeIntervalSince1970: 1_750_000_000.125), updatedAt: Date(timeIntervalSince1970: 1_750_000_100.5),
            updatedBy: "maria",
            fields: [
                "lastName": "Doe \"the\" \\ one\n", "amount": .number(Decimal(string: "1234.50")!), "vip": true,
                "contactIds": .array(["a", "b"]), "nested": .object(["x": .null]), "name": "Zoë 🎉",
            ],
            fieldVersions: ["lastName": FieldStamp(version: 3, at: Date(timeIntervalSince1970: 1_750_000_100.5))]),
        Record(
            id: "r2", type: "Account", deleted: true, owner: "peter", createdAt: Date(timeIntervalSince1970: 0),
            updatedAt: Date(timeIntervalSince1970: 0), updatedBy: "peter", fields: [:]),
    ])
    func handWrittenReaderReadsWhatTheDecoderReads(record: Record) throws {
        var bytes: [UInt8] = []
        RecordJSON.write(record, into: &bytes)
        #expect(try RecordJSON.read(String(decoding: bytes, as: UTF8.self)) == record)
        let encoder = CRMJSON.encoder()
        encoder.outputFormatting = [.prettyPrinted]
        let pretty = String(decoding: try encoder.encode(record), as: UTF8.self)
        #expect(try RecordJSON.read(pretty) == record)
    }

    @Test func aRecordMissingASystemFieldIsRefusedAsByTheDecoder() throws {
        var bytes: [UInt8] = []
        RecordJSON.write(
            Record(
                id: "r3", type: "Account", owner: "peter", createdAt: Date(timeIntervalSince1970: 0),
                updatedAt: Date(timeIntervalSince1970: 0), updatedBy: "peter", fields: ["name": "x"]),
            into: &bytes)
        let text = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\"seq\":0,", with: "")
        #expect(throws: JSONReadError.self) { try RecordJSON.read(text) }
        #expect(throws: DecodingError.self) { try CRMJSON.decoder().decode(Record.self, from: Data(text.utf8)) }
        let badTime = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "1970-01-01T00:00:00.000Z", with: "yesterday")
        #expect(throws: JSONReadError.self) { try RecordJSON.read(badTime) }
    }
}

@Suite struct TimestampMillisecondTests {
    /// Every millisecond of a second round-trips through a `Date` to the same millisecond: stores and the
    /// wire format must never disagree by one.
    @Test func aDateMadeFromWholeMillisecondsKeepsItsMillisecond() {
        let base: Int64 = 1_764_087_123_000
        for offset in Int64(0)..<1000 {
            let millis = base + offset
            let date = Date(timeIntervalSince1970: Double(millis) / 1000)
            #expect(Timestamp.milliseconds(date) == millis)
            #expect(Timestamp.date(from: Timestamp.string(from: date)).map(Timestamp.milliseconds) == millis)
        }
    }
}

/// Integers are written digit by digit into pages and answers, as `String(describing:)` spells them.
@Suite struct FieldJSONIntegerTests {
    @Test func integersAreWrittenAsTheirDecimalText() {
        var generator = SystemRandomNumberGenerator()
        let values: [Int64] = [0, 1, -1, 9, 10, 99, 100, -100, 1_234_567_890, Int64.max, Int64.min, Int64.max - 1]
            + (0..<500).map { _ in Int64.random(in: Int64.min...Int64.max, using: &generator) }
        for value in values {
            var bytes: [UInt8] = []
            FieldJSON.writeInteger(value, into: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == String(value))
        }
        var small: [UInt8] = []
        FieldJSON.writeInteger(UInt8(255), into: &small)
        #expect(small == Array("255".utf8))
    }
}

import CRMModel
import CRMSyncProtocol
import Foundation
import Testing

/// A push's answers are written by hand and stored as written; they must be the bytes the CRM's JSON encoder
/// writes, so clients read them as before and a retry gets the same bytes.
@Suite struct PushAnswerJSONTests {
    static let stamp = FieldStamp(version: 2, at: Date(timeIntervalSince1970: 1_764_000_000.123))

    static func record(_ fields: [String: FieldValue]) -> Record {
        var record = Record(
            id: "0190ab12-0000-7000-8000-000000000001", type: "Account", owner: "rita", team: ["tom", "tess"],
            createdAt: Date(timeIntervalSince1970: 1_700_000_000), updatedAt: Date(timeIntervalSince1970: 1_764_000_000.5),
            updatedBy: "maria \"m\" ü", fields: fields, fieldVersions: fields.mapValues { _ in stamp })
        record.version = 7
        record.seq = 1234
        return record
    }

    static let results: [SyncOpResult] = [
        SyncOpResult(opId: "op-1", status: .applied, id: "a", version: 3, record: record(["name": .string("Zoë & Co \\ /\n\t")])),
        SyncOpResult(
            opId: "op-2", status: .merged, id: "b", version: 9,
            record: record(["amount": .number(Decimal(string: "1234.50")!), "open": .bool(true), "none": .null,
                            "tags": .array([.string("a"), .number(2)])]),
            serverFields: ["phone", "city"], existing: "c"),
        SyncOpResult(
            opId: "op-3", status: .conflict, id: "d", version: 2, record: record([:]),
            conflicts: [record(["name": .string("theirs")]), record(["name": .string("ours")])]),
        SyncOpResult(
            opId: "op-4", status: .rejected, id: "e",
            issues: [FieldIssue(field: "email", code: .badFormat, message: "'x' is not an \"address\""),
                     FieldIssue(field: "name", code: .required, message: "required")],
            message: "2 fields were refused"),
        SyncOpResult(opId: "op-5", status: .held, id: "f", message: "held: it depends on op op-4", heldBy: "op-4"),
        SyncOpResult(opId: "😀", status: .applied, id: "g"),
    ]

    @Test(arguments: results)
    func anAnswerIsWrittenAsTheEncoderWritesIt(result: SyncOpResult) throws {
        var bytes: [UInt8] = []
        result.writeJSON(into: &bytes)
        let encoded = try CRMJSON.encoder().encode(result)
        #expect(String(decoding: bytes, as: UTF8.self) == String(decoding: encoded, as: UTF8.self))
        #expect(try CRMJSON.decoder().decode(SyncOpResult.self, from: Data(bytes)) == result)
    }

    @Test func theBodySplicesTheAnswersInOrder() throws {
        let parts = Self.results.map { result -> [UInt8] in
            var bytes: [UInt8] = []
            result.writeJSON(into: &bytes)
            return bytes
        }
        let body = SyncPushResponse.body(results: parts)
        let decoded = try CRMJSON.decoder().decode(SyncPushResponse.self, from: Data(body))
        #expect(decoded.results == Self.results)
        #expect(decoded.protocolVersion == ProtocolVersion.current)
        #expect(try CRMJSON.decoder().decode(SyncPushResponse.self, from: Data(SyncPushResponse.body(results: []))).results.isEmpty)
    }
}

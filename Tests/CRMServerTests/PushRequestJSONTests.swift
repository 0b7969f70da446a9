import CRMModel
import CRMSyncProtocol
import Foundation
import Testing

/// The server reads push requests by hand; it must read what the CRM's JSON decoder reads, and leave to the
/// decoder (which names the fault) every body it would not read the same way.
@Suite struct PushRequestJSONTests {
    static let edited = Date(timeIntervalSince1970: 1_764_000_000.123)

    static let requests: [SyncPushRequest] = [
        SyncPushRequest(session: "s-1", ops: []),
        SyncPushRequest(
            protocolVersion: 3, session: "s \"2\" ü",
            ops: [
                SyncOp(
                    opId: "op-1", kind: .create, type: "Account", id: "0190ab12-0000-7000-8000-000000000001",
                    fields: [
                        "name": .string("Zoë & Co \\ /\n\t😀"), "amount": .number(Decimal(string: "1234.50")!),
                        "big": .number(Decimal(string: "-12345678901234567890.5e3")!), "open": .bool(true),
                        "none": .null, "tags": .array([.string("a"), .number(2), .object(["x": .bool(false)])]),
                    ],
                    owner: "rita", team: ["tom", "tess"], editedAt: edited, packageVersion: 4, insist: true),
                SyncOp(
                    opId: "op-2", kind: .update, type: "Contact", id: "b", baseVersion: 17,
                    fields: ["email": .string("a@b.c")], editedAt: edited),
                SyncOp(opId: "op-3", kind: .delete, type: "Contact", id: "b", baseVersion: -1, editedAt: edited),
                SyncOp(
                    opId: "op-4", kind: .link, type: "Opportunity", id: "c", baseVersion: 0, field: "contacts",
                    target: "d", editedAt: edited, insist: false),
                SyncOp(opId: "op-5", kind: .unlink, type: "Opportunity", id: "c", baseVersion: 2, field: "account",
                       target: "e", team: [], editedAt: edited),
            ]),
    ]

    static func read(_ text: String) -> SyncPushRequest? {
        Array(text.utf8).withUnsafeBufferPointer { SyncPushRequest.read($0) }
    }

    static func same(_ one: SyncPushRequest, _ other: SyncPushRequest) -> Bool {
        one.protocolVersion == other.protocolVersion && one.session == other.session && one.ops == other.ops
    }

    @Test(arguments: requests)
    func aRequestIsReadAsTheDecoderReadsIt(request: SyncPushRequest) throws {
        let text = String(decoding: try CRMJSON.encoder().encode(request), as: UTF8.self)
        let read = try #require(Self.read(text))
        let decoded = try CRMJSON.decoder().decode(SyncPushRequest.self, from: Data(text.utf8))
        #expect(Self.same(read, decoded))
        #expect(Self.same(read, request))
    }

    @Test func nullsUnknownKeysAndSpacesReadAsTheDecoderReadsThem() throws {
        let text = """
             { "extra": {"a": [1, {"b": null}]}, "protocolVersion" : 1 , "session":"s",
              "ops": [ {"opId":"o","kind":"update","type":"Account","id":"i","baseVersion":null,"fields":null,
                        "owner":null,"team":null,"insist":null,"packageVersion":null,"field":null,"target":null,
                        "later": "x", "editedAt":"2026-11-30T10:00:00.5Z"} ] }\u{20}
            """
        let read = try #require(Self.read(text))
        let decoded = try CRMJSON.decoder().decode(SyncPushRequest.self, from: Data(text.utf8))
        #expect(Self.same(read, decoded))
        #expect(read.ops.first?.baseVersion == nil)
        #expect(read.ops.first?.fields == nil)
    }

    /// Each is either malformed (the decoder names the fault) or a shape the reader leaves to the decoder.
    static let leftToTheDecoder: [String] = [
        "",
        "[]",
        #"{"protocolVersion":1,"session":"s"}"#,
        #"{"protocolVersion":1,"session":"s","ops":[{"opId":"o","kind":"move","type":"A","id":"i","editedAt":"2026-11-30T10:00:00Z"}]}"#,
        #"{"protocolVersion":1,"session":"s","ops":[{"opId":"o","kind":"create","type":"A","id":"i","editedAt":"yesterday"}]}"#,
        #"{"protocolVersion":1,"session":"s","ops":[{"opId":"o","kind":"create","type":"A","id":"i"}]}"#,
        #"{"protocolVersion":1.0,"session":"s","ops":[]}"#,
        #"{"protocolVersion":1e0,"session":"s","ops":[]}"#,
        #"{"protocolVersion":01,"session":"s","ops":[]}"#,
        #"{"protocolVersion":"1","session":"s","ops":[]}"#,
        #"{"protocolVersion":1,"session":"s","session":"t","ops":[]}"#,
        #"{"protocolVersion":1,"session":"s","ops":[{"opId":"o","opId":"p","kind":"create","type":"A","id":"i","editedAt":"2026-11-30T10:00:00Z"}]}"#,
        #"{"protocolVersion":1,"session":"s","ops":[{"opId":"o","kind":"create","type":"A","id":"i","editedAt":"2026-11-30T10:00:00Z","fields":[1]}]}"#,
        #"{"protocolVersion":1,"session":"s","ops":[{"opId":"o","kind":"create","type":"A","id":"i","editedAt":"2026-11-30T10:00:00Z","fields":{"n":007}}]}"#,
        #"{"protocolVersion":1,"session":"s","ops":[]} x"#,
        #"{"protocolVersion":1,"session":"s","ops":[],}"#,
    ]

    @Test(arguments: leftToTheDecoder)
    func aBodyTheReaderDoesNotReadExactlyIsLeftToTheDecoder(text: String) {
        #expect(Self.read(text) == nil)
    }

    @Test func textThatIsNotUTF8IsLeftToTheDecoder() {
        var bytes = Array(#"{"protocolVersion":1,"session":"s","ops":[]}"#.utf8)
        bytes.insert(0xFF, at: bytes.count - 5)
        #expect(bytes.withUnsafeBufferPointer { SyncPushRequest.read($0) } == nil)
        #expect((try? CRMJSON.decoder().decode(SyncPushRequest.self, from: Data(bytes))) == nil)
    }
}

import CRMModel
import CRMStore
import CRMTesting
import Foundation
import Testing

/// A record read as stored and written from its stored text is the record the store reads decoded, on every
/// store: the pull path splices the stored text into pages instead of decoding and encoding each record.
@Suite("Stored records") struct StoredRecordConformanceTests {
    private typealias Store = any RecordStore & SyncStore

    /// A record with every kind of value, a changed field and a field set to nothing (its stamp stays).
    private func edited(_ store: Store) async throws -> Record {
        let texts = ValueRoundTripConformance.texts
        let record = RecordFixture.record(
            "Account", owner: "jürgen \"j\" o'neil", team: ["ünïcødé", "👤"],
            ["name": .string(texts[0]), "notes": .string(texts[4]), "json": .string(texts[5]),
             "amount": .number(Decimal(string: "12345678901234.5678")!), "small": .number(Decimal(string: "-0.0001")!),
             "flag": .bool(true), "tags": .array(texts.map(FieldValue.string)),
             "nested": .object(["inner": .string(texts[3]), "list": .array([.number(1), .bool(false)])]),
             "gone": .string("soon")])
        _ = try await store.insert(record, references: [])
        return try await store.update(id: record.id, expectedVersion: 1, references: []) { current in
            current.applying(["name": .string(texts[1]), "gone": .null], by: "bob", at: RecordFixture.time(61))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aRecordWrittenFromItsStoredTextDecodesToTheStoredRecord(_ kind: StoreKind) async throws {
        try await kind.run(Store.self) { store in
            let updated = try await edited(store)
            let plain = try await store.insert(
                RecordFixture.record("Contact", ["lastName": .string("Plain")]), references: [])
            for expected in [updated, plain] {
                let read = try #require(try await store.record(id: expected.id))
                #expect(read == expected)
                let stored = try #require(try await store.storedRecords(ids: [expected.id]).first)
                #expect(try stored.record() == read)
                let (names, values) = try stored.fields(decoding: { $0 == "flag" })
                #expect(Set(names) == Set(read.fields.keys))
                #expect(values == read.fields.filter { $0.key == "flag" })
                var bytes: [UInt8] = []
                try stored.writeJSON(names: names, into: &bytes)
                #expect(try CRMJSON.decoder().decode(Record.self, from: Data(bytes)) == read)
                if kind == .sqlite {
                    // SQLite keeps the text `FieldJSON` writes: the page is byte for byte what it was.
                    var decoded: [UInt8] = []
                    RecordJSON.write(read, into: &decoded)
                    #expect(bytes == decoded)
                }
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func storedReadsSelectWhatTheirDecodedFormsSelect(_ kind: StoreKind) async throws {
        try await kind.run(Store.self) { store in
            _ = try await edited(store)
            for index in 0..<3 {
                _ = try await store.insert(
                    RecordFixture.record("Account", owner: index == 0 ? "alice" : "carol", ["n": .number(Decimal(index))]),
                    references: [])
            }
            let changes = try await store.changes(after: 0, limit: 3)
            #expect(try await store.storedChanges(after: 0, limit: 3).map { try $0.record() } == changes)
            for visibility in [VisibilityScope.all, .users(["alice"])] {
                let live = try await store.liveRecords(type: "Account", visibility: visibility, after: "", limit: 10)
                let stored = try await store.storedLiveRecords(type: "Account", visibility: visibility, after: "", limit: 10)
                #expect(try stored.map { try $0.record() } == live)
            }
        }
    }
}

import CRMModel
import CRMStore
import Foundation
import Testing

/// Values come back from the store exactly as they went in: no escaping bugs, no binary floating point.
public struct ValueRoundTripConformance: Sendable {
    public let store: any RecordStore

    public init(store: any RecordStore) {
        self.store = store
    }

    private typealias Fixture = RecordFixture

    /// Quotes, SQL, markup, emoji and scripts, control characters, JSON-looking text, JSON-path syntax, spaces.
    public static let texts = [
        #"O'Brien & "Sons" \ backslash"#,
        "Robert'); DROP TABLE records; --",
        #"<script>alert("x")</script> &amp; <b>bold</b>"#,
        "👩🏽‍💻 Zürich – 東京 – مرحبا 🇩🇪",
        "line one\nline two\r\n\ttabbed \u{01}\u{1F} bell\u{07} and \u{7F}",
        #"{"json": [1, 2], "nested": "\u0000"}"#,
        "$.name ? % _ ' \"",
        "  leading and trailing spaces  ",
        "",
    ]

    public func textRoundTripsExactly(text: String) async throws {
        let record = Fixture.record(
            "Account", owner: "jürgen \"j\" o'neil", team: ["ünïcødé", "👤"],
            ["name": .string(text), "tags": .array([.string(text), .string("plain")]),
             "nested": .object(["inner": .string(text)])])
        let stored = try await store.insert(record)
        let read = try #require(try await store.record(id: record.id))
        #expect(read == stored)
        #expect(read.fields["name"]?.stringValue == text)
        #expect(read.owner == record.owner)
        #expect(read.team == record.team)
        // Equality filters see the same text.
        let query = RecordQuery(
            type: "Account", visibility: .users([record.owner]),
            filters: [FieldFilter(field: "name", value: .string(text), isReference: false)])
        #expect(try await store.list(query).records.map(\.id) == [record.id])
    }

    /// Decimals as written: many digits on both sides of the point, a trailing zero, an exponent.
    public static let numbers = [
        "12345678901234567.89", "-12345678901234567.89", "0.000000000000000001", "99999999999999999999999999999",
        "0", "0.1", "1e-7", "3.14159265358979323846", "1.10", "12345678901234567890.123",
    ]

    public func decimalRoundTripsExactly(text: String) async throws {
        let number = try #require(Decimal(string: text))
        let record = Fixture.record(
            "Opportunity", ["name": "Big deal", "amount": .number(number), "list": .array([.number(number)])])
        try await store.insert(record)
        let read = try #require(try await store.record(id: record.id))
        #expect(read.fields["amount"] == .number(number))
        #expect(read.fields["amount"]?.decimalValue?.description == number.description)
        #expect(read == record.withSeq(read.seq))
    }

    public func systemFieldsAndStampsRoundTrip() async throws {
        let created = Date(timeIntervalSince1970: 1_761_234_567.891)
        var record = Fixture.record("Contact", owner: "alice", team: ["bob", "carol"], createdAt: created,
            ["lastName": "Lee", "saveCorrespondence": true, "email": "lee@example.com", "count": 3])
        record.updatedAt = created.addingTimeInterval(0.25)
        record.fieldVersions["email"] = FieldStamp(version: 1, at: created.addingTimeInterval(0.5))
        let stored = try await store.insert(record)
        let read = try #require(try await store.record(id: record.id))
        #expect(read.fields == record.fields)
        #expect(read.team == ["bob", "carol"])
        #expect(read.seq == stored.seq)
        #expect(abs(read.createdAt.timeIntervalSince(created)) < 0.001)
        #expect(abs(read.updatedAt.timeIntervalSince(record.updatedAt)) < 0.001)
        #expect(Set(read.fieldVersions.keys) == Set(record.fieldVersions.keys))
        #expect(read.fieldVersions["email"]?.version == 1)
    }
}

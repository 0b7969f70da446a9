import Foundation
import Testing

@testable import CRMModel

/// A record's version counts changes, and each field remembers the version and time it last changed.
@Suite struct RecordTests {
    static let created = Date(timeIntervalSince1970: 1_780_000_000)
    static let later = Date(timeIntervalSince1970: 1_780_003_600.25)
    static let account = "00000000-0000-4000-8000-0000000000a1"
    static let ada = "00000000-0000-4000-8000-0000000000c1"
    static let babbage = "00000000-0000-4000-8000-0000000000c2"
    static let menabrea = "00000000-0000-4000-8000-0000000000c3"

    /// A contact at version 3: `lastName` set at version 1, `email` and `accountId` at version 3.
    static func contact() -> Record {
        Record(
            id: "00000000-0000-4000-8000-000000000001", type: "Contact", version: 3, seq: 42, owner: "ada",
            createdAt: created, updatedAt: created, updatedBy: "ada",
            fields: ["lastName": "Lovelace", "email": "ada@example.com", "accountId": .string(account)],
            fieldVersions: [
                "lastName": FieldStamp(version: 1, at: created), "email": FieldStamp(version: 3, at: created),
                "accountId": FieldStamp(version: 3, at: created),
            ])
    }

    /// An opportunity at version 1 with three contacts.
    static func opportunity() -> Record {
        Record(
            id: "00000000-0000-4000-8000-000000000002", type: "Opportunity", owner: "ada", createdAt: created,
            updatedAt: created, updatedBy: "ada",
            fields: [
                "name": "Engine", "stage": "Proposal", "accountId": .string(account),
                "contactIds": .array([.string(ada), .string(babbage), .string(menabrea)]),
            ],
            fieldVersions: ["contactIds": FieldStamp(version: 1, at: created)])
    }

    @Test func applyingSeveralChangesBumpsTheVersionOnce() {
        let record = Self.contact().applying(
            ["email": "ada@engine.example", "title": "Countess", "mobile": "+44 20 7946 0000"], by: "bob",
            at: Self.later)
        #expect(record.version == 4)
        #expect(record.fields["email"] == "ada@engine.example")
        #expect(record.fields["title"] == "Countess")
        #expect(record.updatedBy == "bob")
        #expect(record.updatedAt == Self.later)
        #expect(record.createdAt == Self.created)
        #expect(record.seq == 42, "the store assigns seq, not applying")
    }

    @Test func applyingStampsOnlyFieldsWhoseValueChanged() {
        let record = Self.contact().applying(
            ["lastName": "Lovelace", "email": "ada@engine.example", "title": "Countess"], by: "bob", at: Self.later)
        #expect(record.fieldVersions["lastName"] == FieldStamp(version: 1, at: Self.created), "same value, old stamp")
        #expect(record.fieldVersions["email"] == FieldStamp(version: 4, at: Self.later))
        #expect(record.fieldVersions["title"] == FieldStamp(version: 4, at: Self.later))
        #expect(record.fieldVersions["accountId"] == FieldStamp(version: 3, at: Self.created), "untouched")
    }

    @Test func applyingNoChangeKeepsTheRecord() {
        let record = Self.contact()
        #expect(record.applying([:], by: "bob", at: Self.later) == record)
        // Setting values already held, or clearing a field that has none, changes nothing either.
        let same = record.applying(["lastName": "Lovelace", "mobile": nil], by: "bob", at: Self.later)
        #expect(same == record)
        #expect(same.version == 3)
        #expect(same.updatedBy == "ada")
    }

    @Test func applyingNullRemovesTheFieldAndStampsIt() {
        let record = Self.contact().applying(["email": nil], by: "bob", at: Self.later)
        #expect(!record.fields.keys.contains("email"))
        #expect(record.fieldVersions["email"] == FieldStamp(version: 4, at: Self.later))
        #expect(record.version == 4)
    }

    @Test func applyingTwiceBumpsTheVersionTwice() {
        let once = Self.contact().applying(["title": "Countess"], by: "bob", at: Self.later)
        let twice = once.applying(["title": "Mathematician"], by: "ada", at: Self.later.addingTimeInterval(60))
        #expect(twice.version == 5)
        #expect(twice.fieldVersions["title"]?.version == 5)
        #expect(twice.updatedBy == "ada")
    }

    @Test func removingReferenceClearsASingleReference() {
        let record = Self.contact().removingReference(Self.account, from: "accountId", by: "system", at: Self.later)
        #expect(!record.fields.keys.contains("accountId"))
        #expect(record.version == 4)
        #expect(record.fieldVersions["accountId"] == FieldStamp(version: 4, at: Self.later))
        #expect(record.updatedBy == "system")
        #expect(record.fields["lastName"] == "Lovelace")
    }

    @Test func removingReferenceToAnotherRecordKeepsTheRecord() {
        let record = Self.contact()
        #expect(record.removingReference(Self.ada, from: "accountId", by: "system", at: Self.later) == record)
        #expect(record.removingReference(Self.account, from: "email", by: "system", at: Self.later) == record)
        #expect(record.removingReference(Self.account, from: "missingId", by: "system", at: Self.later) == record)
    }

    @Test func removingReferenceDropsOneIdFromASet() {
        let record = Self.opportunity().removingReference(
            Self.babbage, from: "contactIds", by: "system", at: Self.later)
        #expect(record.fields["contactIds"] == .array([.string(Self.ada), .string(Self.menabrea)]))
        #expect(record.version == 2)
        #expect(record.fieldVersions["contactIds"] == FieldStamp(version: 2, at: Self.later))
    }

    @Test func removingAnIdNotInTheSetKeepsTheRecord() {
        let record = Self.opportunity()
        let unknown = "00000000-0000-4000-8000-0000000000ff"
        #expect(record.removingReference(unknown, from: "contactIds", by: "system", at: Self.later) == record)
    }

    @Test func removingTheLastIdLeavesAnEmptySet() {
        var record = Self.opportunity()
        for id in [Self.ada, Self.babbage, Self.menabrea] {
            record = record.removingReference(id, from: "contactIds", by: "system", at: Self.later)
        }
        #expect(record.fields["contactIds"] == .array([]))
        #expect(record.version == 4)
    }

    @Test func referencesListsEveryReferencedIdWithItsField() throws {
        let type = try #require(try DefaultPackage.load().types["Opportunity"])
        let references = Self.opportunity().references(in: type)
        #expect(references.map(\.field) == ["accountId", "contactIds", "contactIds", "contactIds"])
        #expect(references.map(\.target) == [Self.account, Self.ada, Self.babbage, Self.menabrea])
    }

    @Test func recordSurvivesTheWire() throws {
        let record = Self.contact().applying(["title": "Countess"], by: "bob", at: Self.later)
        let data = try CRMJSON.encoder().encode(record)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""updatedAt":"2026-05-28T21:26:40.250Z""#), "\(text)")
        #expect(try CRMJSON.decoder().decode(Record.self, from: data) == record)
    }

    @Test func timestampWithoutOffsetIsRefused() {
        #expect(Timestamp.date(from: "2026-05-29T22:33:20") == nil)
        #expect(Timestamp.date(from: "2026-05-29T22:33:20+02:00") == Date(timeIntervalSince1970: 1_780_086_800))
    }

    @Test func recordIDsAreLowerCaseUUIDs() {
        let id = RecordID.make()
        #expect(id == id.lowercased())
        #expect(RecordID.canonical(id) == id)
        #expect(RecordID.canonical("6F9619FF-8B86-D011-B42D-00C04FC964FF") == "6f9619ff-8b86-d011-b42d-00c04fc964ff")
        #expect(RecordID.canonical("6F9619FF8B86D011B42D00C04FC964FF") == nil)
    }
}

@Suite struct RecordIDTests {
    @Test func idsAreLowerCaseUUIDsAndCanonicalFormsAreRecognised() {
        for _ in 0..<200 {
            let uuid = UUID()
            let id = RecordID.lowercased(uuid)
            #expect(id == uuid.uuidString.lowercased())
            #expect(RecordID.isCanonical(id))
            #expect(!RecordID.isCanonical(uuid.uuidString))
            #expect(RecordID.canonical(uuid.uuidString) == id)
        }
        #expect(RecordID.canonical("not-a-uuid") == nil)
        #expect(!RecordID.isCanonical("0000000-00000-0000-0000-000000000000"))
        #expect(!RecordID.isCanonical("00000000-0000-0000-0000-0000000000000"))
        #expect(RecordID.isCanonical(RecordID.make()))
    }
}

@Suite struct RecordIDVersion7Tests {
    @Test func mintedIdsAreVersion7AndSortByTime() {
        let earlier = RecordID.make(at: Date(timeIntervalSince1970: 1_800_000_000))
        let later = RecordID.make(at: Date(timeIntervalSince1970: 1_800_000_000.002))
        #expect(RecordID.isCanonical(earlier) && RecordID.isCanonical(later))
        #expect(earlier < later)
        let version = earlier[earlier.index(earlier.startIndex, offsetBy: 14)]
        #expect(version == "7")
        let variant = earlier[earlier.index(earlier.startIndex, offsetBy: 19)]
        #expect("89ab".contains(variant))
        #expect(UUID(uuidString: earlier) != nil)
        #expect(earlier.hasPrefix("01a3185c-5000-7"))  // 1,800,000,000,000 ms is 0x01A3185C5000
    }
}

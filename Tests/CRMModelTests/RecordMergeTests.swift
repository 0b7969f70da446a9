import Foundation
import Testing

@testable import CRMModel

@Suite struct RecordMergeTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

    /// A deal type: `stage` manual, `amount` client-wins, `closeDate` newest-wins, the rest server-wins.
    static let type = ObjectType(
        label: "Deal",
        fields: [
            "name": FieldDefinition(kind: .text), "stage": FieldDefinition(kind: .text),
            "amount": FieldDefinition(kind: .number), "closeDate": FieldDefinition(kind: .date),
            "contactIds": FieldDefinition(kind: .references, target: ["Contact"]),
        ],
        conflicts: ConflictPolicy(default: .serverWins, fields: ["stage": .manual, "amount": .clientWins, "closeDate": .newestWins]))

    /// Version 1 created everything at t0; version 2 (t+100) changed name, stage, amount and closeDate on the server.
    static var server: Record {
        let v1 = FieldStamp(version: 1, at: t0)
        let v2 = FieldStamp(version: 2, at: at(100))
        return Record(
            id: RecordID.make(), type: "Deal", version: 2, owner: "rita", createdAt: t0, updatedAt: at(100), updatedBy: "tom",
            fields: ["name": "Server name", "stage": "Proposal", "amount": 200, "closeDate": "2026-12-24",
                     "contactIds": .array(["a", "b"])],
            fieldVersions: ["name": v2, "stage": v2, "amount": v2, "closeDate": v2, "contactIds": v1])
    }

    @Test func fieldsTheServerDidNotChangeTakeTheWritersValuesWithoutConflict() {
        var record = Self.server
        record.fields["note"] = "old"
        record.fieldVersions["note"] = FieldStamp(version: 1, at: Self.t0)
        let outcome = RecordMerge.merge(
            server: record, baseVersion: 1, changes: ["note": "mine", "missing": "new"], editTime: Self.at(50), type: Self.type)
        #expect(outcome.changes == ["note": "mine", "missing": "new"])
        #expect(outcome.conflicts.isEmpty && outcome.keptFromServer.isEmpty)
    }

    @Test func aWriterAtTheCurrentVersionNeverConflicts() {
        let outcome = RecordMerge.merge(
            server: Self.server, baseVersion: 2, changes: ["name": "Mine", "stage": "Won"], editTime: Self.at(50), type: Self.type)
        #expect(outcome.changes == ["name": "Mine", "stage": "Won"])
        #expect(outcome.conflicts.isEmpty)
    }

    @Test func serverWinsKeepsTheServerValueAndRecordsTheWritersValue() throws {
        let outcome = RecordMerge.merge(
            server: Self.server, baseVersion: 1, changes: ["name": "Client name"], editTime: Self.at(500), type: Self.type)
        #expect(outcome.changes.isEmpty)
        #expect(outcome.keptFromServer == ["name"])
        let conflict = try #require(outcome.conflicts.first)
        #expect(conflict.rule == .serverWins && conflict.winner == .server && !conflict.open)
        #expect(conflict.loserValue == "Client name" && conflict.serverValue == "Server name")
        #expect(conflict.serverVersion == 2 && conflict.baseVersion == 1)
    }

    @Test func clientWinsAppliesTheWritersValueAndRecordsTheOverwrittenOne() throws {
        let outcome = RecordMerge.merge(
            server: Self.server, baseVersion: 1, changes: ["amount": 150], editTime: Self.at(50), type: Self.type)
        #expect(outcome.changes == ["amount": 150])
        let conflict = try #require(outcome.conflicts.first)
        #expect(conflict.winner == .client && conflict.loserValue == 200)
    }

    @Test(arguments: [(50.0, FieldConflict.Side.server), (150.0, FieldConflict.Side.client)])
    func newestWinsComparesTheEditTimes(editedAt: Double, winner: FieldConflict.Side) throws {
        let outcome = RecordMerge.merge(
            server: Self.server, baseVersion: 1, changes: ["closeDate": "2027-01-15"], editTime: Self.at(editedAt), type: Self.type)
        let conflict = try #require(outcome.conflicts.first)
        #expect(conflict.winner == winner)
        #expect(outcome.changes["closeDate"] == (winner == .client ? "2027-01-15" : nil))
        #expect(conflict.loserValue == (winner == .client ? "2026-12-24" : "2027-01-15"))
    }

    @Test func manualKeepsTheServerValueAndLeavesTheConflictOpen() throws {
        let outcome = RecordMerge.merge(
            server: Self.server, baseVersion: 1, changes: ["stage": "Closed Won"], editTime: Self.at(500), type: Self.type)
        #expect(outcome.changes.isEmpty)
        let conflict = try #require(outcome.conflicts.first)
        #expect(conflict.open && conflict.winner == .server && conflict.clientValue == "Closed Won")
    }

    @Test func theSameValueOnBothSidesIsNoConflict() {
        let outcome = RecordMerge.merge(
            server: Self.server, baseVersion: 1, changes: ["name": "Server name", "stage": "Proposal"], editTime: Self.at(5),
            type: Self.type)
        #expect(outcome.conflicts.isEmpty)
        #expect(outcome.changes == ["name": "Server name", "stage": "Proposal"])
    }

    @Test func manyToManyFieldsMergeAsAdditionsAndRemovals() {
        var record = Self.server
        record.fields["contactIds"] = .array(["a", "b", "s"])  // the server added s since the writer's base
        record.fieldVersions["contactIds"] = FieldStamp(version: 2, at: Self.at(100))
        let outcome = RecordMerge.merge(
            server: record, baseVersion: 1, changes: [:], setChanges: ["contactIds": SetChange(add: ["c"], remove: ["a"])],
            editTime: Self.at(50), type: Self.type)
        #expect(outcome.changes["contactIds"] == .array(["b", "c", "s"]))
        #expect(outcome.conflicts.isEmpty)
    }

    @Test func everyLosingValueIsInAConflictRecord() {
        // Nothing the writer sent is lost: each field is either applied or named in a conflict.
        let changes: [String: FieldValue] = ["name": "N", "stage": "S", "amount": 1, "closeDate": "2030-01-01", "other": "x"]
        let outcome = RecordMerge.merge(server: Self.server, baseVersion: 1, changes: changes, editTime: Self.at(1), type: Self.type)
        for (field, value) in changes {
            let applied = outcome.changes[field] == value
            let recorded = outcome.conflicts.contains { $0.field == field && $0.clientValue == value }
            #expect(applied || recorded, "\(field)")
        }
        #expect(Set(outcome.keptFromServer).isDisjoint(with: outcome.changes.keys))
    }

    @Test func editTimesFromTheFutureAreClampedToTheServerClock() {
        let now = Self.at(10)
        #expect(RecordMerge.clamp(Self.at(9_999), serverNow: now) == now)
        #expect(RecordMerge.clamp(Self.at(1), serverNow: now) == Self.at(1))
    }
}

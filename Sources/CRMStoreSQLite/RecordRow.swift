import CRMModel
import CRMStore
import Foundation
import GRDB

/// Converts records to and from rows of the `records` table.
enum RecordRow {
    static let columns =
        "id, type, version, seq, deleted, owner, team, created_at, updated_at, updated_by, fields, field_versions"

    static func millis(_ date: Date) -> Int64 { RecordColumns.millis(date) }
    static func date(_ millis: Int64) -> Date { RecordColumns.date(millis) }

    /// The record of a row that selected `columns` first, in that order (read by position: looking columns up
    /// by name costs a lower-casing per access, on every row of every page).
    static func record(_ row: Row) throws -> Record {
        try stored(row).record()
    }

    /// The same row as stored: system columns read, fields and stamps kept as their text.
    static func stored(_ row: Row) throws -> StoredRecord {
        let teamText: String = row[6]
        return StoredRecord(
            id: row[0], type: row[1], version: row[2], seq: row[3], deleted: row[4], owner: row[5],
            team: teamText == "[]" ? [] : try RecordColumns.parseTeam(teamText),
            createdAt: row[7], updatedAt: row[8], updatedBy: row[9], fieldsText: row[10], stampsText: row[11])
    }

    static func arguments(_ record: Record) throws -> StatementArguments {
        StatementArguments(values(record))
    }

    /// The row's values in `columns` order.
    static func values(_ record: Record) -> [DatabaseValue] {
        [
            record.id.databaseValue, record.type.databaseValue, record.version.databaseValue,
            record.seq.databaseValue, record.deleted.databaseValue, record.owner.databaseValue,
            RecordColumns.teamText(record.team).databaseValue, millis(record.createdAt).databaseValue,
            millis(record.updatedAt).databaseValue, record.updatedBy.databaseValue,
            FieldJSON.text(record.fields).databaseValue,
            RecordColumns.stampsText(record.fieldVersions, createdAt: record.createdAt).databaseValue,
        ]
    }

    /// Writes the record's row (insert or replace) and refreshes its team and reference index rows, through
    /// statements prepared once per connection (a push writes a thousand records in one transaction).
    static func save(_ record: Record, in db: Database) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO records (\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            .execute(arguments: try arguments(record))
        try db.cachedStatement(sql: "DELETE FROM record_team WHERE record_id = ?").execute(arguments: [record.id])
        try db.cachedStatement(sql: "DELETE FROM record_refs WHERE source_id = ?").execute(arguments: [record.id])
        guard !record.deleted else { return }
        for user in Set(record.team) {
            try db.cachedStatement(sql: "INSERT INTO record_team (user, record_id) VALUES (?, ?)")
                .execute(arguments: [user, record.id])
        }
        for (field, target) in ReferenceIndex.entries(of: record) {
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO record_refs (target_id, field, source_id) VALUES (?, ?, ?)")
                .execute(arguments: [target, field, record.id])
        }
    }

    static func fetch(id: String, in db: Database) throws -> Record? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(columns) FROM records WHERE id = ?"), arguments: [id])
            .map(record)
    }
}

/// A record's row values, team and references, encoded ahead of the transaction that inserts them.
struct EncodedRecord: Sendable {
    let id: String
    /// The `records` columns in `RecordRow.columns` order; the sequence number (index 3) is set at insert.
    let arguments: [DatabaseValue]
    let team: [String]
    let references: [(String, String)]

    init(_ record: CRMModel.Record) {
        id = record.id
        arguments = RecordRow.values(record)
        team = Array(Set(record.team)).sorted()
        references = ReferenceIndex.entries(of: record).map { ($0.field, $0.target) }
    }
}

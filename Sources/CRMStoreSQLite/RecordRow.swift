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

    /// Writes the record's row and refreshes its team and reference index rows, through statements prepared once
    /// per connection (a push writes a thousand records in one transaction).
    ///
    /// A record that exists with the same type, owner, deleted flag and creation time is rewritten by an `UPDATE`
    /// of the other columns: SQLite then leaves alone the indexes that name none of them (id, type, owner,
    /// creation), where `INSERT OR REPLACE` deletes and re-inserts every index entry. Team and reference rows are
    /// rewritten only when they differ from the stored ones; key rows only for a type with global keys.
    static func save(_ record: Record, keys: GlobalKeys, in db: Database) throws {
        // Before the row changes: a key held by another record is allowed only when the stored row had it.
        try RecordKeyRows.save(record, keys: keys, in: db)
        let stored = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT type, owner, deleted, created_at, team FROM records WHERE id = ?"),
            arguments: [record.id])
        let team = RecordColumns.teamText(record.team)
        if let stored, stored[0] == record.type, stored[1] == record.owner, stored[2] == record.deleted,
            stored[3] == millis(record.createdAt)
        {
            try db.cachedStatement(
                sql: "UPDATE records SET version = ?, seq = ?, team = ?, updated_at = ?, updated_by = ?, fields = ?, "
                    + "field_versions = ? WHERE id = ?"
            ).execute(arguments: [
                record.version, record.seq, team, millis(record.updatedAt), record.updatedBy,
                FieldJSON.text(record.fields),
                RecordColumns.stampsText(record.fieldVersions, createdAt: record.createdAt), record.id,
            ])
        } else {
            try db.cachedStatement(
                sql: "INSERT OR REPLACE INTO records (\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            ).execute(arguments: try arguments(record))
        }
        let teamChanged = stored.map { ($0[2] as Bool) != record.deleted || ($0[4] as String) != team } ?? true
        if teamChanged {
            try db.cachedStatement(sql: "DELETE FROM record_team WHERE record_id = ?").execute(arguments: [record.id])
            if !record.deleted {
                for user in Set(record.team) {
                    try db.cachedStatement(sql: "INSERT INTO record_team (user, record_id) VALUES (?, ?)")
                        .execute(arguments: [user, record.id])
                }
            }
        }
        try saveReferences(record, in: db)
    }

    /// Makes the record's `record_refs` rows its references (none for a tombstone), writing only if they differ.
    private static func saveReferences(_ record: Record, in db: Database) throws {
        var wanted = Set<Reference>()
        if !record.deleted {
            for (field, target) in ReferenceIndex.entries(of: record) { wanted.insert(Reference(field, target)) }
        }
        var present = Set<Reference>()
        let rows = try Row.fetchCursor(
            db.cachedStatement(sql: "SELECT field, target_id FROM record_refs WHERE source_id = ?"),
            arguments: [record.id])
        while let row = try rows.next() { present.insert(Reference(row[0], row[1])) }
        guard present != wanted else { return }
        try db.cachedStatement(sql: "DELETE FROM record_refs WHERE source_id = ?").execute(arguments: [record.id])
        for reference in wanted {
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO record_refs (target_id, field, source_id) VALUES (?, ?, ?)")
                .execute(arguments: [reference.target, reference.field, record.id])
        }
    }

    /// One `record_refs` row of a source record.
    private struct Reference: Hashable {
        var field: String
        var target: String
        init(_ field: String, _ target: String) {
            self.field = field
            self.target = target
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

    /// Whether the row is a tombstone, which has no team or reference rows (as `RecordRow.save` writes it).
    let deleted: Bool
    /// The record itself, for its global keys (known only inside the transaction that writes it).
    let record: CRMModel.Record

    init(_ record: CRMModel.Record) {
        self.record = record
        id = record.id
        arguments = RecordRow.values(record)
        team = Array(Set(record.team)).sorted()
        references = ReferenceIndex.entries(of: record).map { ($0.field, $0.target) }
        deleted = record.deleted
    }

    /// Inserts `rows` with their team and reference rows through three statements prepared once; each row's
    /// sequence number is `sequence(index)` when given, else the one it carries. A row whose id exists is
    /// refused with `alreadyExists`. Rows of keyed types get their key rows: `strictKeys` refuses a key held
    /// already with `keyTaken`; otherwise (a copy of data written before keys had a constraint) the first holder
    /// keeps it, as the table's rebuild does.
    static func insert(
        _ rows: [EncodedRecord], sequence: ((Int) -> Int64)? = nil, keys: GlobalKeys, strictKeys: Bool = true,
        in db: Database
    ) throws {
        let insert = try db.makeStatement(
            sql: "INSERT INTO records (\(RecordRow.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        let team = try db.makeStatement(sql: "INSERT OR IGNORE INTO record_team (user, record_id) VALUES (?, ?)")
        let refs = try db.makeStatement(
            sql: "INSERT OR IGNORE INTO record_refs (target_id, field, source_id) VALUES (?, ?, ?)")
        for (index, row) in rows.enumerated() {
            var arguments = row.arguments
            if let sequence { arguments[3] = sequence(index).databaseValue }
            do {
                try insert.execute(arguments: StatementArguments(arguments))
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                throw StoreError.alreadyExists(row.id)
            }
            guard !row.deleted else { continue }
            if keys.isKeyed(row.record.type) {
                for (field, value) in keys.entries(of: row.record) {
                    try RecordKeyRows.insert(
                        type: row.record.type, field: field, value: value, id: row.id, strict: strictKeys, in: db)
                }
            }
            for user in row.team { try team.execute(arguments: [user, row.id]) }
            for (field, target) in row.references { try refs.execute(arguments: [target, field, row.id]) }
        }
    }
}

import CRMModel
import Foundation
import GRDB

/// Converts records to and from rows of the `records` table.
enum RecordRow {
    static let columns =
        "id, type, version, seq, deleted, owner, team, created_at, updated_at, updated_by, fields, field_versions"

    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }
    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }

    static func record(_ row: Row) throws -> Record {
        let decoder = JSONDecoder()
        let fieldsText: String = row["fields"]
        let stampsText: String = row["field_versions"]
        let teamText: String = row["team"]
        let fields = try decoder.decode([String: FieldValue].self, from: Data(fieldsText.utf8))
        let stamps = try decoder.decode([String: [Int64]].self, from: Data(stampsText.utf8))
        return Record(
            id: row["id"], type: row["type"], version: row["version"], seq: row["seq"],
            deleted: row["deleted"], owner: row["owner"],
            team: try decoder.decode([String].self, from: Data(teamText.utf8)),
            createdAt: date(row["created_at"]), updatedAt: date(row["updated_at"]), updatedBy: row["updated_by"],
            fields: fields,
            fieldVersions: stamps.compactMapValues { pair in
                pair.count == 2 ? FieldStamp(version: Int(pair[0]), at: date(pair[1])) : nil
            })
    }

    static func arguments(_ record: Record) throws -> StatementArguments {
        [
            record.id, record.type, record.version, record.seq, record.deleted, record.owner, teamText(record.team),
            millis(record.createdAt), millis(record.updatedAt), record.updatedBy, FieldJSON.text(record.fields),
            stampsText(record.fieldVersions),
        ]
    }

    /// `{"field":[version,millis],...}`, sorted by field.
    static func stampsText(_ stamps: [String: FieldStamp]) -> String {
        var output = "{"
        for (index, key) in stamps.keys.sorted().enumerated() {
            let stamp = stamps[key]!
            if index > 0 { output += "," }
            FieldJSON.writeString(key, into: &output)
            output += ":[\(stamp.version),\(millis(stamp.at))]"
        }
        return output + "}"
    }

    static func teamText(_ team: [String]) -> String {
        var output = "["
        for (index, name) in team.enumerated() {
            if index > 0 { output += "," }
            FieldJSON.writeString(name, into: &output)
        }
        return output + "]"
    }

    /// Writes the record's row (insert or replace) and refreshes its team and reference index rows.
    static func save(_ record: Record, in db: Database) throws {
        try db.execute(
            sql: "INSERT OR REPLACE INTO records (\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            arguments: try arguments(record))
        try db.execute(sql: "DELETE FROM record_team WHERE record_id = ?", arguments: [record.id])
        try db.execute(sql: "DELETE FROM record_refs WHERE source_id = ?", arguments: [record.id])
        guard !record.deleted else { return }
        for user in Set(record.team) {
            try db.execute(sql: "INSERT INTO record_team (user, record_id) VALUES (?, ?)", arguments: [user, record.id])
        }
        for (field, target) in referenceValues(record) {
            try db.execute(
                sql: "INSERT OR IGNORE INTO record_refs (target_id, field, source_id) VALUES (?, ?, ?)",
                arguments: [target, field, record.id])
        }
    }

    /// The (field, id) pairs of a record's references: the UUID values of fields named `...Id` or `...Ids`
    /// (the package's naming rule for reference fields; a text field such as `messageId` holds no UUID).
    static func referenceValues(_ record: Record) -> [(String, String)] {
        var result: [(String, String)] = []
        for (name, value) in record.fields where name.hasSuffix("Id") || name.hasSuffix("Ids") {
            switch value {
            case .string(let id) where RecordID.canonical(id) == id: result.append((name, id))
            case .array(let values):
                for case .string(let id) in values where RecordID.canonical(id) == id { result.append((name, id)) }
            default: break
            }
        }
        return result
    }

    static func fetch(id: String, in db: Database) throws -> Record? {
        try Row.fetchOne(db, sql: "SELECT \(columns) FROM records WHERE id = ?", arguments: [id]).map(record)
    }
}

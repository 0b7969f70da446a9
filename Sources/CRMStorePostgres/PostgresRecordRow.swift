import CRMModel
import CRMStore
import Foundation
import PostgresNIO

/// Converts records to and from rows of the `records` table, as the SQLite store's `RecordRow` does: the same
/// stamp compression, the same reference and team index rows, so both stores answer alike.
enum PostgresRecordRow {
    static let columns =
        "id, type, version, seq, deleted, owner, team, created_at, updated_at, updated_by, fields, field_versions"

    /// `columns` with a table alias, for joins.
    static func columns(_ alias: String) -> String {
        columns.split(separator: ",").map { "\(alias).\($0.trimmingCharacters(in: .whitespaces))" }
            .joined(separator: ", ")
    }

    static func millis(_ date: Date) -> Int64 { RecordColumns.millis(date) }
    static func date(_ millis: Int64) -> Date { RecordColumns.date(millis) }

    /// The record of a row that selected `columns` first, in that order, read by hand as the SQLite store reads
    /// its rows (Foundation's decoder costs about ten microseconds per field).
    static func record(_ row: PostgresRow) throws -> Record {
        try stored(row).record()
    }

    /// The same row as stored: system columns read, fields and stamps kept as their text. `team`, `fields` and
    /// `field_versions` are JSONB, which the driver hands over as their JSON text.
    static func stored(_ row: PostgresRow) throws -> StoredRecord {
        let (id, type, version, seq, deleted, owner, teamText, created, updated, updatedBy, fieldsText, stampsText) =
            try row.decode(
                (String, String, Int, Int64, Bool, String, String, Int64, Int64, String, String, String).self)
        return StoredRecord(
            id: id, type: type, version: version, seq: seq, deleted: deleted, owner: owner,
            team: teamText == "[]" ? [] : try RecordColumns.parseTeam(teamText), createdAt: created,
            updatedAt: updated, updatedBy: updatedBy, fieldsText: fieldsText, stampsText: stampsText)
    }
}

/// A record's row values, team and references, encoded ahead of the transaction that writes them.
struct EncodedRecord: Sendable {
    let id: String
    let type: String
    let version: Int
    let deleted: Bool
    let owner: String
    let team: String
    let createdAt: Int64
    let updatedAt: Int64
    let updatedBy: String
    let fields: String
    let fieldVersions: String
    /// The team members and reference pairs to index; none for a tombstone.
    let members: [String]
    let referenceTargets: [String]
    let referenceFields: [String]
    /// The record itself, for its global keys (known only inside the transaction that writes it).
    let record: Record

    init(_ record: Record) {
        self.record = record
        id = record.id
        type = record.type
        version = record.version
        deleted = record.deleted
        owner = record.owner
        team = RecordColumns.teamText(record.team)
        createdAt = PostgresRecordRow.millis(record.createdAt)
        updatedAt = PostgresRecordRow.millis(record.updatedAt)
        updatedBy = record.updatedBy
        fields = FieldJSON.text(record.fields)
        fieldVersions = RecordColumns.stampsText(record.fieldVersions, createdAt: record.createdAt)
        if record.deleted {
            members = []
            referenceTargets = []
            referenceFields = []
        } else {
            members = Array(Set(record.team)).sorted()
            var seen = Set<String>()
            var targets: [String] = []
            var fields: [String] = []
            for (field, target) in ReferenceIndex.entries(of: record)
            where seen.insert(field + " " + target).inserted {
                targets.append(target)
                fields.append(field)
            }
            referenceTargets = targets
            referenceFields = fields
        }
    }
}

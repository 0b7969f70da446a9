import CRMModel
import Foundation

/// A record as a store holds it: the system columns read, `fields` and the field stamps kept as the stored
/// JSON text. The pull path decodes only what decides a record's place on a device and splices the rest into
/// the page as it is (DESIGN section 7).
public struct StoredRecord: Sendable, Equatable {
    public var id: String
    public var type: String
    public var version: Int
    public var seq: Int64
    public var deleted: Bool
    public var owner: String
    public var team: [String]
    /// Milliseconds since 1970, as stored.
    public var createdAt: Int64
    public var updatedAt: Int64
    public var updatedBy: String
    /// `fields` as stored: a JSON object (SQLite keeps `FieldJSON`'s text, PostgreSQL its JSONB text).
    public var fieldsText: String
    /// The stamps as stored: `{"field":[version,millis],...}` without the "set at creation" ones.
    public var stampsText: String

    public init(
        id: String, type: String, version: Int, seq: Int64, deleted: Bool, owner: String, team: [String],
        createdAt: Int64, updatedAt: Int64, updatedBy: String, fieldsText: String, stampsText: String
    ) {
        self.id = id
        self.type = type
        self.version = version
        self.seq = seq
        self.deleted = deleted
        self.owner = owner
        self.team = team
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
        self.fieldsText = fieldsText
        self.stampsText = stampsText
    }

    /// The record's system columns with `fields` as given (none by default) and no stamps: what visibility and
    /// filters read, without decoding what they do not.
    public func head(fields: [String: FieldValue] = [:]) -> Record {
        Record(
            id: id, type: type, version: version, seq: seq, deleted: deleted, owner: owner, team: team,
            createdAt: RecordColumns.date(createdAt), updatedAt: RecordColumns.date(updatedAt), updatedBy: updatedBy,
            fields: fields)
    }

    /// The whole record, as `record(id:)` reads it.
    public func record() throws -> Record {
        let fields = try JSONReader.fields(fieldsText)
        let stamps = stampsText == "{}" ? [:] : try RecordColumns.parseStamps(stampsText)
        var record = head(fields: fields)
        record.fieldVersions = RecordColumns.expandStamps(stamps, fields: fields, createdAt: record.createdAt)
        return record
    }

    /// The field names of the stored fields, and the values of those `wanted` says to decode (others skipped).
    public func fields(decoding wanted: (String) -> Bool) throws -> (names: [String], values: [String: FieldValue]) {
        try JSONReader.reading(fieldsText) { reader in
            var names: [String] = []
            var values: [String: FieldValue] = [:]
            try reader.readObject { key, reader in
                names.append(key)
                if wanted(key), values.index(forKey: key) == nil {
                    values[key] = try reader.readValue()
                } else {
                    try reader.skipValue()
                }
            }
            try reader.expectEnd()
            return (names, values)
        }
    }

    /// The names of fields with a stored stamp (a field set to nothing keeps its stamp).
    public func stampedNames() throws -> [String] {
        guard stampsText != "{}" else { return [] }
        return try RecordColumns.parseStamps(stampsText).keys.sorted()
    }
}

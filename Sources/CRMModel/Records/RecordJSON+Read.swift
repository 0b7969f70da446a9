import Foundation

extension RecordJSON {
    /// Reads a record from its JSON (what `write` and `Record`'s `Codable` form make; keys in any order, unknown
    /// keys skipped, every known key required), as `CRMJSON.decoder()` would, without Foundation's decoder:
    /// a PIM sync and `list` read every record of a type, and the decoder was most of a first PIM write.
    public static func read(_ text: String) throws -> Record {
        try JSONReader.reading(text) { reader in
            let record = try read(&reader)
            try reader.expectEnd()
            return record
        }
    }

    /// Reads one record object at the reader's position.
    public static func read(_ reader: inout JSONReader) throws -> Record {
        var id: String?
        var type: String?
        var version: Int64?
        var seq: Int64?
        var deleted: Bool?
        var owner: String?
        var team: [String]?
        var createdAt: Date?
        var updatedAt: Date?
        var updatedBy: String?
        var fields: [String: FieldValue]?
        var fieldVersions: [String: FieldStamp]?
        try reader.readObject { key, reader in
            switch key {
            case "id": id = try reader.readString()
            case "type": type = try reader.readString()
            case "version": version = try reader.readInt()
            case "seq": seq = try reader.readInt()
            case "deleted": deleted = try reader.readBool()
            case "owner": owner = try reader.readString()
            case "team":
                var names: [String] = []
                try reader.readArray { reader in names.append(try reader.readString()) }
                team = names
            case "createdAt": createdAt = try time(&reader)
            case "updatedAt": updatedAt = try time(&reader)
            case "updatedBy": updatedBy = try reader.readString()
            case "fields":
                let start = reader.index
                guard case .object(let values) = try reader.readValue() else {
                    throw reader.error("an object of fields", at: start)
                }
                fields = values
            case "fieldVersions":
                var stamps: [String: FieldStamp] = [:]
                try reader.readObject { name, reader in stamps[name] = try stamp(&reader) }
                fieldVersions = stamps
            default: try reader.skipValue()
            }
        }
        guard let id, let type, let version, let seq, let deleted, let owner, let team, let createdAt, let updatedAt,
            let updatedBy, let fields, let fieldVersions
        else { throw reader.error("a record with every system field") }
        return Record(
            id: id, type: type, version: Int(version), seq: seq, deleted: deleted, owner: owner, team: team,
            createdAt: createdAt, updatedAt: updatedAt, updatedBy: updatedBy, fields: fields,
            fieldVersions: fieldVersions)
    }

    private static func stamp(_ reader: inout JSONReader) throws -> FieldStamp {
        var version: Int64?
        var at: Date?
        try reader.readObject { key, reader in
            switch key {
            case "version": version = try reader.readInt()
            case "at": at = try time(&reader)
            default: try reader.skipValue()
            }
        }
        guard let version, let at else { throw reader.error("a field stamp's version and time") }
        return FieldStamp(version: Int(version), at: at)
    }

    private static func time(_ reader: inout JSONReader) throws -> Date {
        reader.skipWhitespace()
        let start = reader.index
        guard let date = Timestamp.date(from: try reader.readString()) else {
            throw reader.error("an RFC 3339 date-time", at: start)
        }
        return date
    }
}

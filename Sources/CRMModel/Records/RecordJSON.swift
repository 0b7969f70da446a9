import Foundation

/// Writes a record as the JSON its `Codable` form has (keys sorted, timestamps RFC 3339), by hand: pull
/// pages carry thousands of records, and Foundation's encoder costs about ten microseconds per field.
public enum RecordJSON {
    public static func write(_ record: Record, into bytes: inout [UInt8]) {
        func key(_ name: String) {
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: name.utf8)
            bytes.append(contentsOf: "\":".utf8)
        }
        func time(_ date: Date) {
            bytes.append(UInt8(ascii: "\""))
            Timestamp.write(date, into: &bytes)
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "{"))
        key("createdAt")
        time(record.createdAt)
        bytes.append(UInt8(ascii: ","))
        key("deleted")
        bytes.append(contentsOf: (record.deleted ? "true" : "false").utf8)
        bytes.append(UInt8(ascii: ","))
        key("fieldVersions")
        bytes.append(UInt8(ascii: "{"))
        for (index, name) in record.fieldVersions.keys.sorted().enumerated() {
            let stamp = record.fieldVersions[name]!
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            FieldJSON.writeString(name, into: &bytes)
            bytes.append(contentsOf: ":{\"at\":".utf8)
            time(stamp.at)
            bytes.append(contentsOf: ",\"version\":\(stamp.version)}".utf8)
        }
        bytes.append(contentsOf: "},".utf8)
        key("fields")
        FieldJSON.writeObject(record.fields, into: &bytes)
        bytes.append(UInt8(ascii: ","))
        key("id")
        FieldJSON.writeString(record.id, into: &bytes)
        bytes.append(UInt8(ascii: ","))
        key("owner")
        FieldJSON.writeString(record.owner, into: &bytes)
        bytes.append(contentsOf: ",\"seq\":\(record.seq),".utf8)
        key("team")
        bytes.append(UInt8(ascii: "["))
        for (index, name) in record.team.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            FieldJSON.writeString(name, into: &bytes)
        }
        bytes.append(contentsOf: "],".utf8)
        key("type")
        FieldJSON.writeString(record.type, into: &bytes)
        bytes.append(UInt8(ascii: ","))
        key("updatedAt")
        time(record.updatedAt)
        bytes.append(UInt8(ascii: ","))
        key("updatedBy")
        FieldJSON.writeString(record.updatedBy, into: &bytes)
        bytes.append(contentsOf: ",\"version\":\(record.version)}".utf8)
    }
}

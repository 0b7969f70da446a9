import CRMModel
import Foundation

extension StoredRecord {
    /// Writes the record as `RecordJSON.write` writes its decoded form (the shape of `Record`'s `Codable`
    /// form), with the stored `fields` text spliced in as it is and each stamp "set at creation" filled in from
    /// one written time.
    ///
    /// - Parameter names: the names of the stored fields (`fields(decoding:)`), which carry a stamp.
    public func writeJSON(names: [String], into bytes: inout [UInt8]) throws {
        var created: [UInt8] = []
        created.reserveCapacity(26)
        created.append(UInt8(ascii: "\""))
        Timestamp.write(RecordColumns.date(createdAt), into: &created)
        created.append(UInt8(ascii: "\""))

        bytes.append(contentsOf: "{\"createdAt\":".utf8)
        bytes.append(contentsOf: created)
        bytes.append(contentsOf: (deleted ? ",\"deleted\":true" : ",\"deleted\":false").utf8)
        bytes.append(contentsOf: ",\"fieldVersions\":{".utf8)
        let stored = stampsText == "{}" ? [:] : try RecordColumns.parseStamps(stampsText)
        var stamped = names
        for name in stored.keys where stored[name]?.count == 2 { stamped.append(name) }
        stamped.sort()
        var previous: String?
        var first = true
        for name in stamped where name != previous {
            previous = name
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            FieldJSON.writeString(name, into: &bytes)
            bytes.append(contentsOf: ":{\"at\":".utf8)
            if let pair = stored[name], pair.count == 2 {
                bytes.append(UInt8(ascii: "\""))
                Timestamp.write(RecordColumns.date(pair[1]), into: &bytes)
                bytes.append(contentsOf: "\",\"version\":".utf8)
                FieldJSON.writeInteger(pair[0], into: &bytes)
                bytes.append(UInt8(ascii: "}"))
            } else {
                bytes.append(contentsOf: created)
                bytes.append(contentsOf: ",\"version\":1}".utf8)
            }
        }
        bytes.append(contentsOf: "},\"fields\":".utf8)
        bytes.append(contentsOf: fieldsText.utf8)
        bytes.append(contentsOf: ",\"id\":".utf8)
        FieldJSON.writeString(id, into: &bytes)
        bytes.append(contentsOf: ",\"owner\":".utf8)
        FieldJSON.writeString(owner, into: &bytes)
        bytes.append(contentsOf: ",\"seq\":".utf8)
        FieldJSON.writeInteger(seq, into: &bytes)
        bytes.append(contentsOf: ",\"team\":[".utf8)
        for (index, name) in team.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            FieldJSON.writeString(name, into: &bytes)
        }
        bytes.append(contentsOf: "],\"type\":".utf8)
        FieldJSON.writeString(type, into: &bytes)
        bytes.append(contentsOf: ",\"updatedAt\":\"".utf8)
        Timestamp.write(RecordColumns.date(updatedAt), into: &bytes)
        bytes.append(contentsOf: "\",\"updatedBy\":".utf8)
        FieldJSON.writeString(updatedBy, into: &bytes)
        bytes.append(contentsOf: ",\"version\":".utf8)
        FieldJSON.writeInteger(version, into: &bytes)
        bytes.append(UInt8(ascii: "}"))
    }
}

import Foundation

/// A CRM record of any package-defined type, with the system fields every record carries (DESIGN section 2).
public struct Record: Codable, Sendable, Equatable {
    /// Lower-case UUID; the server or a device may mint it.
    public var id: String
    public var type: String
    /// Modification number: 1 when created, +1 per change.
    public var version: Int
    /// The server-wide change sequence number of the record's last change.
    public var seq: Int64
    /// A tombstone: the record was deleted.
    public var deleted: Bool
    /// The user name of the owner.
    public var owner: String
    /// User names of the team that shares the record, sorted.
    public var team: [String]
    public var createdAt: Date
    public var updatedAt: Date
    public var updatedBy: String
    public var fields: [String: FieldValue]
    /// For each field, the version and time at which it last changed: field-level merge compares these.
    public var fieldVersions: [String: FieldStamp]

    public init(
        id: String, type: String, version: Int = 1, seq: Int64 = 0, deleted: Bool = false, owner: String,
        team: [String] = [], createdAt: Date, updatedAt: Date, updatedBy: String, fields: [String: FieldValue],
        fieldVersions: [String: FieldStamp] = [:]
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
        self.fields = fields
        self.fieldVersions = fieldVersions
    }

    /// Ids this record references through reference and many-to-many fields of its type, with the field.
    public func references(in type: ObjectType) -> [(field: String, target: String)] {
        type.references(in: fields)
    }

    /// The record after `changes` by `user` at `time`: values replaced, version +1, changed fields stamped.
    /// Fields whose value does not actually change keep their stamps; no change at all keeps the version.
    public func applying(_ changes: [String: FieldValue], by user: String, at time: Date) -> Record {
        var result = self
        var changed = false
        for (name, value) in changes where (fields[name] ?? .null) != value {
            if !changed {
                changed = true
                result.version += 1
            }
            // Not `value.isNull ? nil : value`: that `nil` is `FieldValue.null` and would be stored.
            if value.isNull { result.fields.removeValue(forKey: name) } else { result.fields[name] = value }
            result.fieldVersions[name] = FieldStamp(version: result.version, at: time)
        }
        if changed {
            result.updatedAt = time
            result.updatedBy = user
        }
        return result
    }

    /// The record given to `owner` and `team` (nil keeps each; a team is kept sorted and without repeats)
    /// by `user` at `time`. A new owner or team is a change: the version moves on unless this record already
    /// moved past `original` in the same write.
    public func assigned(owner: String?, team: [String]?, by user: String, at time: Date, since original: Record)
        -> Record
    {
        let newTeam = team.map { Set($0).sorted() } ?? self.team
        let newOwner = owner ?? self.owner
        guard newOwner != self.owner || newTeam != self.team else { return self }
        var result = self
        if result.version == original.version { result.version += 1 }
        result.owner = newOwner
        result.team = newTeam
        result.updatedAt = time
        result.updatedBy = user
        return result
    }

    /// The record with `target` removed from `field` (a reference cleared, an id dropped from a set).
    public func removingReference(_ target: String, from field: String, by user: String, at time: Date) -> Record {
        switch fields[field] {
        case .string(let id) where id == target:
            return applying([field: .null], by: user, at: time)
        case .array(let values):
            return applying([field: .array(values.filter { $0 != .string(target) })], by: user, at: time)
        default:
            return self
        }
    }
}

/// When a field last changed: the record version that changed it and the time.
public struct FieldStamp: Codable, Sendable, Equatable {
    public var version: Int
    public var at: Date

    public init(version: Int, at: Date) {
        self.version = version
        self.at = at
    }
}

/// Record ids are lower-case UUIDs.
public enum RecordID {
    /// A new id: a UUID version 7 (RFC 9562), the time in milliseconds followed by random bits, so that ids
    /// minted one after another sort together and index inserts stay local instead of touching random pages.
    public static func make(at date: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()
        return version7(milliseconds: UInt64(max(0, date.timeIntervalSince1970 * 1000)), random: generator.next(),
            generator.next())
    }

    /// A UUID version 7 from a 48-bit millisecond count and random bits (callers may pass seeded ones).
    public static func version7(milliseconds: UInt64, random high: UInt64, _ low: UInt64) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (40 - 8 * UInt64(index))) }
        for index in 6..<8 { bytes[index] = UInt8(truncatingIfNeeded: high >> (8 * UInt64(index))) }
        for index in 8..<16 { bytes[index] = UInt8(truncatingIfNeeded: low >> (8 * UInt64(index - 8))) }
        bytes[6] = (bytes[6] & 0x0F) | 0x70
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let uuid = UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
        return lowercased(uuid)
    }

    /// The canonical form of `text`, or nil when it is not a UUID.
    public static func canonical(_ text: String) -> String? {
        if isCanonical(text) { return text }
        return UUID(uuidString: text).map { $0.uuidString.lowercased() }
    }

    /// The lower-case text of `uuid`, written by hand (Foundation formats through `snprintf`).
    public static func lowercased(_ uuid: UUID) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(36)
        withUnsafeBytes(of: uuid.uuid) { raw in
            for (index, byte) in raw.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { bytes.append(UInt8(ascii: "-")) }
                bytes.append(digits[Int(byte >> 4)])
                bytes.append(digits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether `text` is already a lower-case UUID (the fast path of every write and bulk load).
    public static func isCanonical(_ text: String) -> Bool {
        var count = 0
        for byte in text.utf8 {
            switch count {
            case 8, 13, 18, 23: guard byte == UInt8(ascii: "-") else { return false }
            default:
                guard (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
                else { return false }
            }
            count += 1
            if count > 36 { return false }
        }
        return count == 36
    }
}

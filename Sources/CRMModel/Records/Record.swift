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
        var result: [(String, String)] = []
        for (name, definition) in type.fields.sorted(by: { $0.key < $1.key }) where definition.kind.isReference {
            switch fields[name] {
            case .string(let id): result.append((name, id))
            case .array(let values):
                for case .string(let id) in values { result.append((name, id)) }
            default: break
            }
        }
        return result
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
    /// A new random id.
    public static func make() -> String { UUID().uuidString.lowercased() }

    /// The canonical form of `text`, or nil when it is not a UUID.
    public static func canonical(_ text: String) -> String? {
        UUID(uuidString: text).map { $0.uuidString.lowercased() }
    }
}

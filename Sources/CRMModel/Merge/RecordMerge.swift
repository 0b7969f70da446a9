import Foundation

/// A change to a many-to-many field as a device made it: ids added and ids removed. Sets merge by applying
/// both to the server's current set, so two people linking contacts to one deal never undo each other.
public struct SetChange: Codable, Sendable, Equatable {
    public var add: [String]
    public var remove: [String]

    public init(add: [String] = [], remove: [String] = []) {
        self.add = add
        self.remove = remove
    }

    /// `set` with the additions and removals applied, sorted.
    public func applied(to set: [String]) -> [String] {
        Set(set).union(add).subtracting(remove).sorted()
    }
}

/// A field changed on both sides since the writer's base version, and how it was settled.
public struct FieldConflict: Codable, Sendable, Equatable {
    public var field: String
    public var rule: ConflictRule
    /// The value on the server before the write, and the version that set it.
    public var serverValue: FieldValue
    public var serverVersion: Int
    public var serverTime: Date
    /// The value the writer sent, the version it started from, and when it edited.
    public var clientValue: FieldValue
    public var baseVersion: Int
    public var clientTime: Date
    /// Which value the record now holds.
    public var winner: Side
    /// A `manual` conflict stays open until someone chooses a value.
    public var open: Bool

    public enum Side: String, Codable, Sendable { case server, client }

    /// The value that lost, kept in the conflict record so that nothing is lost.
    public var loserValue: FieldValue { winner == .server ? clientValue : serverValue }
}

/// The result of merging a write into the record as the server has it.
public struct MergeOutcome: Sendable, Equatable {
    /// The values to apply (the writer's, where they win or nothing competes; set fields already merged).
    public var changes: [String: FieldValue]
    /// Fields where the server's value was kept over the writer's.
    public var keptFromServer: [String]
    public var conflicts: [FieldConflict]
}

/// The one field-level merge of the CRM (DESIGN section 3), used by every write path: sync push, REST update
/// and forms. It is pure: the same inputs always give the same outcome.
public enum RecordMerge {
    /// Merges a write made from `baseVersion` of the record into `server`, the record as it is now.
    ///
    /// - Parameters:
    ///   - changes: the whole-value fields the writer changed.
    ///   - setChanges: the many-to-many fields the writer changed, as additions and removals.
    ///   - editTime: when the writer made the edit, already clamped to the server's clock (`newest-wins`).
    ///   - type: the record's type, for its conflict policy.
    ///   - ownVersions: versions the same writer produced after `baseVersion` (earlier ops of one push
    ///     batch): its own changes are not the server's, so a second edit of a field never conflicts with the
    ///     first.
    public static func merge(
        server: Record, baseVersion: Int, changes: [String: FieldValue], setChanges: [String: SetChange] = [:],
        editTime: Date, type: ObjectType, ownVersions: Set<Int> = []
    ) -> MergeOutcome {
        var outcome = MergeOutcome(changes: [:], keptFromServer: [], conflicts: [])
        for (field, value) in changes.sorted(by: { $0.key < $1.key }) {
            let current = server.fields[field] ?? .null
            let stamp = server.fieldVersions[field]
            guard let stamp, stamp.version > baseVersion, !ownVersions.contains(stamp.version), current != value else {
                outcome.changes[field] = value
                continue
            }
            let rule = type.conflictRule(for: field)
            let winner: FieldConflict.Side =
                switch rule {
                case .serverWins, .manual: .server
                case .clientWins: .client
                case .newestWins: editTime > stamp.at ? .client : .server
                }
            if winner == .client {
                outcome.changes[field] = value
            } else {
                outcome.keptFromServer.append(field)
            }
            outcome.conflicts.append(
                FieldConflict(
                    field: field, rule: rule, serverValue: current, serverVersion: stamp.version,
                    serverTime: stamp.at, clientValue: value, baseVersion: baseVersion, clientTime: editTime,
                    winner: winner, open: rule == .manual))
        }
        for (field, change) in setChanges.sorted(by: { $0.key < $1.key }) {
            let current = server.fields[field]?.stringArray ?? []
            outcome.changes[field] = .array(change.applied(to: current).map(FieldValue.string))
        }
        return outcome
    }

    /// An edit time from a device, clamped so that a clock running ahead cannot win every `newest-wins`.
    public static func clamp(_ editTime: Date, serverNow: Date) -> Date {
        min(editTime, serverNow)
    }
}

import CRMModel
import Foundation

/// The global keys of the newest published package (`ObjectType.globalKeys`): per type, the fields whose value
/// names one record across all users (an email's `messageId`). Both stores keep a `record_keys` table (type,
/// field, folded value, record) with a unique constraint from it, so that two concurrent writers can never
/// both store a key, whatever check they ran before.
///
/// A key is a non-empty text value, folded by the database's `lower()` (as the duplicate and global-key look-ups
/// compare it); other values are not keyed. Tombstones hold no keys.
public struct GlobalKeys: Sendable, Equatable {
    /// Key fields by type; types without keys are absent.
    public let fields: [String: [String]]

    public init(fields: [String: [String]]) {
        self.fields = fields.filter { !$0.value.isEmpty }.mapValues { Array(Set($0)).sorted() }
    }

    /// No keys (no package published yet).
    public static let none = GlobalKeys(fields: [:])

    /// The keys of a published package's JSON (`PublishedPackage.json`). The store does not check packages (the
    /// server does, before publishing): JSON that names no types names no keys.
    public init(packageJSON: Data) {
        let package = try? JSONDecoder().decode(KeyedPackage.self, from: packageJSON)
        self.init(fields: (package?.types ?? [:]).compactMapValues(\.globalKeys))
    }

    /// One line naming every key field (`Activity.icalUid,Activity.messageId`): what a store records beside its
    /// key table, so that it rebuilds the table when the package's keys change.
    public var signature: String {
        fields.sorted { $0.key < $1.key }.flatMap { type, names in names.map { "\(type).\($0)" } }
            .joined(separator: ",")
    }

    /// Whether records of `type` have keys (nothing is done for the others).
    public func isKeyed(_ type: String) -> Bool { fields[type] != nil }

    /// The (field, value) pairs `record` holds as keys, before folding; none for a tombstone.
    public func entries(of record: Record) -> [(field: String, value: String)] {
        guard !record.deleted, let names = fields[record.type] else { return [] }
        return names.compactMap { name in
            guard case .string(let text) = record.fields[name], !RecordValidator.isEmpty(.string(text)) else {
                return nil
            }
            return (name, text)
        }
    }

    /// The part of a package's JSON that names global keys.
    private struct KeyedPackage: Decodable {
        struct KeyedType: Decodable {
            var globalKeys: [String]?
        }
        var types: [String: KeyedType]?
    }
}

import CRMModel
import CRMStore

/// The global-key and duplicate rules of a create made through the REST API, the same rules a pushed create
/// meets (`PushApplier`), checked inside the write transaction.
enum KeyedCreate {
    /// An existing record the new one would repeat.
    struct Match: Sendable, Equatable {
        enum Kind: Sendable, Equatable {
            /// A live record, whoever owns it, holds the same value of a global key.
            case globalKey
            /// A record the caller sees has the same values of a duplicate rule's fields.
            case duplicate
        }
        var kind: Kind
        var fields: [String]
        var existing: String

        /// The 409 the caller gets: which record, through which fields, and what to do.
        func error(typeName: String) -> CRMError {
            let names = fields.joined(separator: " and ")
            switch kind {
            case .globalKey:
                return CRMError(
                    .conflict,
                    "the \(typeName) \(existing) already has the same \(names) (a global key: one record per value, "
                        + "whoever owns it); use that record", field: fields.first)
            case .duplicate:
                return CRMError(
                    .conflict,
                    "a \(typeName) you can see already has the same \(names): \(existing); use it, or create again "
                        + "with ?insist=true", field: fields.first)
            }
        }
    }

    enum Outcome: Sendable {
        case stored(Record)
        case matched(Match)
    }

    /// The record `record` would repeat: a global key's holder first, then (unless `insist`) the first record
    /// the caller sees that matches a duplicate rule.
    static func match(_ record: Record, type: ObjectType, caller: Caller, insist: Bool, _ tx: any PushTransaction)
        throws -> Match?
    {
        if let (key, holder) = try RecordRules.keyHolder(of: record.fields, type: type, typeName: record.type, tx) {
            return Match(kind: .globalKey, fields: [key], existing: holder.id)
        }
        guard !insist,
            let (rule, match) = try RecordRules.duplicate(
                of: record.fields, type: type, typeName: record.type, visible: caller.canSee, tx)
        else { return nil }
        return Match(kind: .duplicate, fields: rule, existing: match.id)
    }
}

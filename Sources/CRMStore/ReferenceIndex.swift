import CRMModel

/// What a store's reference index (`record_refs`: target, field, source) holds for a record, the same for every
/// store: the UUID values of fields named `...Id` or `...Ids` (the package's naming rule, so a store needs no
/// package; a text field such as `messageId` holds no UUID), and `sha256:<hex>` for each attachment an
/// attachments field lists, so that "the records listing this content" is a look-up by target.
///
/// Conflicts hold none: the record a conflict is about may be deleted (update-vs-delete) without clearing it.
public enum ReferenceIndex {
    /// How the index names attachment content: never a record id, so reference phases and delete rules, which
    /// look targets up as records, find no record there.
    public static let attachmentPrefix = "sha256:"

    /// The (field, target) pairs of `record`.
    public static func entries(of record: Record) -> [(field: String, target: String)] {
        guard record.type != ConflictRecord.typeName else { return [] }
        var result: [(field: String, target: String)] = []
        for (name, value) in record.fields {
            if name.hasSuffix("Id") || name.hasSuffix("Ids") {
                switch value {
                case .string(let id) where RecordID.isCanonical(id): result.append((name, id))
                case .array(let values):
                    for case .string(let id) in values where RecordID.isCanonical(id) { result.append((name, id)) }
                default: break
                }
            }
            guard case .array(let entries) = value else { continue }
            for case .object(let parts) in entries {
                if let sha = parts["sha256"]?.stringValue, AttachmentRef.isDigest(sha) {
                    result.append((name, attachmentPrefix + sha))
                }
            }
        }
        return result
    }

    /// The ids of the records `record` references: what must be live when it is written.
    public static func recordIDs(of record: Record) -> Set<String> {
        Set(entries(of: record).map(\.target).filter { !$0.hasPrefix(attachmentPrefix) })
    }
}

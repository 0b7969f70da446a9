import CRMModel

extension PushApplier {
    /// What a second sharer's copy of a record adds when it joins the first by a global key: contacts and other
    /// many-to-many links as a set union, a reference (account, opportunity) only where the record has none,
    /// attachments the record does not list. Nothing of the record is replaced or removed.
    static func joinedLinks(_ fields: [String: FieldValue], into current: [String: FieldValue], type: ObjectType)
        -> [String: FieldValue]
    {
        var changes: [String: FieldValue] = [:]
        for (name, value) in fields where !RecordValidator.isEmpty(value) {
            switch type.fields[name]?.kind {
            case .references:
                let have = current[name]?.stringArray ?? []
                let added = (value.stringArray ?? []).filter { !have.contains($0) }
                if !added.isEmpty { changes[name] = .array(Set(have + added).sorted().map(FieldValue.string)) }
            case .reference:
                if RecordValidator.isEmpty(current[name]) { changes[name] = value }
            case .attachments:
                let have = AttachmentRef.list(current[name])
                let added = AttachmentRef.list(value).filter { ref in
                    !have.contains { $0.sha256 == ref.sha256 && $0.name == ref.name }
                }
                if !added.isEmpty { changes[name] = AttachmentRef.value(have + added) }
            default:
                continue
            }
        }
        return changes
    }
}

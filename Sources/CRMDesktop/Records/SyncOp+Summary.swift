import CRMSyncProtocol

extension SyncOp {
    /// One line for a person: `update Contact 0190abcd-… lastName=Smith, phone=+49 30 1234`.
    public var summary: String {
        var text = "\(kind.rawValue) \(type) \(id)"
        if let fields, !fields.isEmpty {
            text += " " + fields.sorted { $0.key < $1.key }.map { "\($0.key)=\(FieldText.display($0.value))" }
                .joined(separator: ", ")
        }
        if let field, let target { text += " \(field) \(target)" }
        return text
    }
}

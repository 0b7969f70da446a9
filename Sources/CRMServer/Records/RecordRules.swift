import CRMModel
import CRMStore

/// The look-ups behind the package's global keys and duplicate rules, one for pushed creates (`PushApplier`)
/// and REST creates (`KeyedCreate`) alike, run inside the write transaction.
enum RecordRules {
    /// The live record, whoever owns it, that holds one of the global-key values in `fields`, with that key.
    static func keyHolder(
        of fields: [String: FieldValue], type: ObjectType, typeName: String, _ tx: any PushTransaction
    ) throws -> (key: String, record: Record)? {
        for key in type.globalKeys ?? [] {
            guard let value = fields[key], !RecordValidator.isEmpty(value),
                let holder = try tx.matching(type: typeName, values: [key: value], limit: 1).first
            else { continue }
            return (key, holder)
        }
        return nil
    }

    /// The first record `visible` accepts that has the same values as `fields` in every field of a duplicate
    /// rule, with the rule it matched.
    static func duplicate(
        of fields: [String: FieldValue], type: ObjectType, typeName: String, visible: (Record) -> Bool,
        _ tx: any PushTransaction
    ) throws -> (rule: [String], record: Record)? {
        for rule in type.duplicates ?? [] {
            var values: [String: FieldValue] = [:]
            for field in rule {
                guard let value = fields[field], !RecordValidator.isEmpty(value) else { break }
                values[field] = value
            }
            guard values.count == rule.count else { continue }
            if let match = try tx.matching(type: typeName, values: values, limit: 50).first(where: visible) {
                return (rule, match)
            }
        }
        return nil
    }
}

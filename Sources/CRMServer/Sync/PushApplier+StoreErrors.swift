import CRMModel
import CRMStore

extension PushApplier {
    /// Runs a record write, turning the store's refusals of this one op into its answer, so the batch goes on.
    func mapStoreErrors(fields: [String: FieldValue], type: ObjectType, _ body: () throws -> Record) throws -> Record {
        do {
            return try body()
        } catch StoreError.missingReference(let target) {
            let field = type.references(in: fields).first { $0.target == target }?.field ?? "fields"
            throw Refusal(
                issues: [FieldIssue(field: field, code: .reference, message: "no record \(target) to refer to")],
                message: "no record \(target) to refer to")
        } catch StoreError.keyTaken(let type, let field, let holder) {
            // The store's unique key rows caught what the look-up before the write could not see (an update onto
            // another record's key): this op is refused, the batch goes on.
            throw Refusal(
                issues: [FieldIssue(field: field, code: .rule, message: "the \(type) \(holder) already has this \(field)")],
                message: "the \(type) \(holder) already has this \(field)")
        } catch StoreError.alreadyExists(let id) {
            throw Refusal(
                issues: [FieldIssue(field: "id", code: .badFormat, message: "a record with id \(id) already exists")],
                message: "a record with id \(id) already exists")
        }
    }
}

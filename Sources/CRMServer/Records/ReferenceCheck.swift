import CRMModel

extension Caller {
    /// What is wrong with the references `fields` set: each must name a live record the caller may see, of a
    /// type the field allows. `record(id)` finds a record (a prefetched map, or a transaction's read).
    func referenceIssues(type: ObjectType, fields: [String: FieldValue], record: (String) throws -> Record?) rethrows
        -> [FieldIssue]
    {
        var issues: [FieldIssue] = []
        for (name, target) in type.references(in: fields) {
            guard let found = try record(target), !found.deleted, canSee(found) else {
                issues.append(FieldIssue(field: name, code: .reference, message: "no record \(target) to refer to"))
                continue
            }
            if type.fields[name]?.allowsTarget(found.type) != true {
                issues.append(FieldIssue(field: name, code: .reference, message: "'\(name)' cannot refer to a \(found.type)"))
            }
        }
        return issues
    }
}

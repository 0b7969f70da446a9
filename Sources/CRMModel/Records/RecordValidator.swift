import Foundation

/// Checks a record write against the package, reporting every failing field at once. Server and desktop use
/// the same validator, so a write the desktop accepts offline is one the server accepts too.
public struct RecordValidator: Sendable {
    /// The base package: the types, lists and rules records are stored against.
    public let base: CustomizationPackage
    /// The writer's role package: which fields the writer sees and may change.
    public let view: CustomizationPackage

    public init(base: CustomizationPackage, view: CustomizationPackage) {
        self.base = base
        self.view = view
    }

    /// Normalizes and checks `changes` to a record of `typeName` whose fields become `merged` once applied.
    ///
    /// - Returns: the changes with ids in canonical form and many-to-many sets sorted, or the issues found.
    public func check(typeName: String, changes: [String: FieldValue], merged: [String: FieldValue])
        -> Result<[String: FieldValue], ValidationFailure>
    {
        guard let type = base.types[typeName], let visible = view.types[typeName] else {
            return .failure(ValidationFailure(issues: [
                FieldIssue(field: "type", code: .unknownField, message: "unknown type '\(typeName)'")
            ]))
        }
        var issues: [FieldIssue] = []
        var normalized: [String: FieldValue] = [:]
        for (name, value) in changes.sorted(by: { $0.key < $1.key }) {
            guard let field = visible.fields[name] else {
                issues.append(FieldIssue(field: name, code: .unknownField, message: "\(typeName) has no field '\(name)'"))
                continue
            }
            if field.isReadOnly {
                issues.append(FieldIssue(field: name, code: .readOnly, message: "'\(name)' is read-only"))
                continue
            }
            switch FieldValueCheck(field: field, lists: view.lists).normalize(value) {
            case .success(let value): normalized[name] = value
            case .failure(let issue): issues.append(FieldIssue(field: name, code: issue.code, message: issue.message))
            }
        }
        var after = merged
        for (name, value) in normalized {
            if value.isNull { after.removeValue(forKey: name) } else { after[name] = value }
        }
        // Only the few missing required fields are sorted (into name order), not every field of the type.
        var missing: [String] = []
        for (name, field) in type.fields
        where field.isRequired && Self.isEmpty(after[name]) && !issues.contains(where: { $0.field == name }) {
            missing.append(name)
        }
        for name in missing.sorted() {
            issues.append(FieldIssue(field: name, code: .required, message: "'\(name)' is required"))
        }
        for rule in type.rules ?? [] where !issues.contains(where: { $0.field == rule.field }) {
            if !RuleEvaluator.holds(rule, fields: after) {
                issues.append(FieldIssue(field: rule.field, code: .rule, message: rule.message))
            }
        }
        return issues.isEmpty ? .success(normalized) : .failure(ValidationFailure(issues: issues))
    }

    public static func isEmpty(_ value: FieldValue?) -> Bool {
        switch value {
        case nil, .null: true
        case .string(let text): text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        case .array(let values): values.isEmpty
        default: false
        }
    }
}

/// A refused write: every issue found, each naming its field.
public struct ValidationFailure: Error, Sendable, Equatable {
    public var issues: [FieldIssue]

    public init(issues: [FieldIssue]) { self.issues = issues }
}

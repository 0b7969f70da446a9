import CRMModel
import CRMServer
import Foundation

/// A create or edit form generated from the package: the form's sections, one input per field the role may
/// change (a `<label>` for each), read-only fields as text, and beside each input its validation error.
struct RecordForm: Sendable {
    let typeName: String
    let type: ObjectType
    let package: CustomizationPackage

    init(typeName: String, package: CustomizationPackage) throws {
        guard let type = package.types[typeName] else { throw CRMError.notFound("record type '\(typeName)'") }
        self.typeName = typeName
        self.type = type
        self.package = package
    }

    /// The fields the form edits, in the order of its sections.
    var editableFields: [String] {
        RecordPages.sections(typeName, package).flatMap(\.fields).filter { name in
            guard let field = type.fields[name] else { return false }
            return !field.isReadOnly && field.kind != .attachments
        }
    }

    /// The changes the submitted texts make to `current` (empty for a new record): only fields whose value
    /// differs, so an edit never rewrites a field the user left alone. Texts that are no value of their kind
    /// come back as issues, by field.
    func changes(_ form: FormBody, current: [String: FieldValue]) -> (
        fields: [String: FieldValue], issues: [FieldIssue]
    ) {
        var fields: [String: FieldValue] = [:]
        var issues: [FieldIssue] = []
        for name in editableFields {
            guard let kind = type.fields[name]?.kind else { continue }
            switch FieldText.value(form.all(name), kind: kind) {
            case .success(let value):
                let before = current[name] ?? .null
                let unchanged = value == before || (value == .array([]) && before == .null)
                if !unchanged { fields[name] = value }
            case .failure(let refusal):
                issues.append(FieldIssue(field: name, code: .wrongKind, message: refusal.message))
            }
        }
        return (fields, issues)
    }

    /// The sections for the template. `texts` are what the inputs show (the record's values, or what the user
    /// typed), `issues` the messages by field, `choices` the options of reference fields.
    func sections(texts: [String: [String]], issues: [String: String], choices: [String: [(id: String, title: String)]])
        -> [[String: Any]]
    {
        RecordPages.sections(typeName, package).map { section in
            [
                "label": section.label,
                "fields": section.fields.compactMap { name -> [String: Any]? in
                    guard let field = type.fields[name], field.kind != .attachments else { return nil }
                    return input(name, field, texts: texts[name] ?? [], error: issues[name], choices: choices[name])
                },
            ]
        }
    }

    private func input(
        _ name: String, _ field: FieldDefinition, texts: [String], error: String?,
        choices: [(id: String, title: String)]?
    ) -> [String: Any] {
        var values: [String: Any] = [
            "name": name, "id": "field-\(name)", "label": field.label ?? name, "required": field.isRequired,
            "text": texts.first ?? "",
        ]
        if let hint = field.help ?? (choices == nil ? Self.hint(field.kind) : nil), !hint.isEmpty {
            values["hint"] = hint
        }
        if let error { values["error"] = error }
        if field.isReadOnly {
            values["readOnly"] = true
            return values
        }
        switch field.kind {
        case .picklist:
            let options = field.list.flatMap { package.lists[$0] } ?? []
            values["select"] = true
            values["options"] = Self.options([("", "(none)")] + options.map { ($0, $0) }, chosen: texts)
        case .boolean:
            values["select"] = true
            values["options"] = Self.options([("", "(not set)"), ("true", "Yes"), ("false", "No")], chosen: texts)
        case .reference where choices != nil:
            values["select"] = true
            values["options"] = Self.options(
                [("", "(none)")] + (choices ?? []).map { ($0.id, $0.title) }, chosen: texts)
        case .references where choices != nil:
            values["multiple"] = true
            values["options"] = Self.options((choices ?? []).map { ($0.id, $0.title) }, chosen: texts)
        default:
            if name == "description" || name == "body" {
                values["textarea"] = true
            } else {
                values["inputType"] = Self.inputType(field.kind)
                values["decimal"] = field.kind == .number || field.kind == .currency
                values["line"] = true
            }
        }
        return values
    }

    private static func options(_ pairs: [(String, String)], chosen: [String]) -> [[String: Any]] {
        pairs.map { ["value": $0.0, "label": $0.1, "selected": chosen.contains($0.0)] }
    }

    static func inputType(_ kind: FieldKind) -> String {
        switch kind {
        case .email: "email"
        case .phone: "tel"
        case .url: "url"
        case .date: "date"
        default: "text"
        }
    }

    static func hint(_ kind: FieldKind) -> String? {
        switch kind {
        case .datetime: "A date and time with its offset, e.g. 2026-05-01T09:30:00+02:00"
        case .date: "YYYY-MM-DD"
        case .reference, .references: "Record id"
        default: nil
        }
    }

    /// The texts the inputs show for a stored record.
    static func texts(_ fields: [String: FieldValue]) -> [String: [String]] {
        fields.mapValues { value in
            if let ids = value.stringArray { return ids }
            return [FieldText.input(value)]
        }
    }
}

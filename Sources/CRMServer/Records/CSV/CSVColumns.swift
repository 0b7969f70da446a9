import CRMModel

/// Which field each column of an import file fills, from its header: a field's name or its label in the
/// package (without regard to case), `id`, `owner` or `team`; a `--map column=field` entry decides first
/// (`column=` with nothing after it skips the column). A column without a name is skipped; any other header
/// that names nothing stops the import before a row is read.
public struct CSVColumns: Sendable, Equatable {
    /// What one column holds.
    public enum Target: Sendable, Equatable {
        /// The record's id: the row updates that record, or creates it with that id when no record has it.
        case id
        /// The user who owns the record.
        case owner
        /// The users sharing the record, separated by commas.
        case team
        case field(String)
        case skipped
    }

    /// The target of each column, in the file's order.
    public var targets: [Target]
    /// The header's names, for reports.
    public var names: [String]

    /// Maps `header` onto `type` (the importing user's view of it), applying `map` (column name -> field name).
    public static func resolve(header: [String], typeName: String, type: ObjectType, map: [String: String])
        throws(CSVImportError) -> CSVColumns
    {
        let names = header.map { $0.trimmingCharacters(in: .whitespaces) }
        var lowerMap: [String: String] = [:]
        for (column, field) in map { lowerMap[column.lowercased()] = field }
        for column in map.keys where !names.contains(where: { $0.lowercased() == column.lowercased() }) {
            throw CSVImportError(
                .badMapping, "--map names the column '\(column)', which the header does not have "
                    + "(its columns: \(names.joined(separator: ", ")))", line: 1, column: column)
        }
        var targets: [Target] = []
        var seen: [Target: String] = [:]
        for (position, name) in names.enumerated() {
            let target: Target
            if let mapped = lowerMap[name.lowercased()] {
                if mapped.isEmpty {
                    target = .skipped
                } else if let found = lookUp(mapped, type: type, byLabel: false) {
                    target = found
                } else {
                    throw CSVImportError(
                        .badMapping, "--map \(name)=\(mapped): \(typeName) has no field '\(mapped)'", line: 1,
                        column: name)
                }
            } else if name.isEmpty {
                target = .skipped
            } else if let found = lookUp(name, type: type, byLabel: true) {
                target = found
            } else {
                let fields = type.fields.keys.sorted().joined(separator: ", ")
                throw CSVImportError(
                    .unknownColumn, "column \(position + 1) '\(name)' names no field of \(typeName) (fields: id, "
                        + "owner, team, \(fields)); rename it, or map it with --map '\(name)=FIELD' or skip it with "
                        + "--map '\(name)='", line: 1, column: name)
            }
            if case .field(let field) = target, type.fields[field]?.kind == .attachments {
                throw CSVImportError(
                    .unknownColumn, "column '\(name)': attachments cannot be imported from CSV; skip it with "
                        + "--map '\(name)='", line: 1, column: name)
            }
            if target != .skipped {
                if let earlier = seen[target] {
                    throw CSVImportError(
                        .duplicateColumn, "columns '\(earlier)' and '\(name)' both fill \(describe(target)); "
                            + "skip one with --map '\(name)='", line: 1, column: name)
                }
                seen[target] = name
            }
            targets.append(target)
        }
        return CSVColumns(targets: targets, names: names)
    }

    /// The target `name` stands for: a system column, a field name, then (when `byLabel`) a field's label.
    private static func lookUp(_ name: String, type: ObjectType, byLabel: Bool) -> Target? {
        let lower = name.lowercased()
        switch lower {
        case "id": return .id
        case "owner": return .owner
        case "team": return .team
        default: break
        }
        if type.fields[name] != nil { return .field(name) }
        if let field = type.fields.keys.sorted().first(where: { $0.lowercased() == lower }) { return .field(field) }
        guard byLabel else { return nil }
        let labelled = type.fields.sorted { $0.key < $1.key }.first { $0.value.label?.lowercased() == lower }
        return labelled.map { .field($0.key) }
    }

    private static func describe(_ target: Target) -> String {
        switch target {
        case .id: "id"
        case .owner: "owner"
        case .team: "team"
        case .field(let name): "the field '\(name)'"
        case .skipped: "nothing"
        }
    }
}

extension CSVColumns.Target: Hashable {}

import CRMModel
import Foundation

/// `list`'s `--where field=value`, `--sort [-]field` and `--limit N`, applied to records read from the replica.
///
/// A condition holds when the field's text as the list shows it (a reference's title), or as it is stored (the
/// id), equals the value, ignoring letter case. Numbers sort as numbers, other values as text ignoring case;
/// empty values sort last either way, and equal ones keep their order.
public struct RecordQuery: Sendable, Equatable {
    public struct Condition: Sendable, Equatable {
        public var field: String
        public var value: String

        public init(field: String, value: String) {
            self.field = field
            self.value = value
        }
    }

    public struct Sort: Sendable, Equatable {
        public var field: String
        public var descending: Bool

        public init(field: String, descending: Bool = false) {
            self.field = field
            self.descending = descending
        }
    }

    public var conditions: [Condition]
    public var sort: Sort?
    public var limit: Int?

    public init(conditions: [Condition] = [], sort: Sort? = nil, limit: Int? = nil) {
        self.conditions = conditions
        self.sort = sort
        self.limit = limit
    }

    /// Reads the flags: `--where field=value` (repeatable), `--sort field` or `--sort -field`, `--limit N`.
    public init(where conditions: [String], sort: String?, limit: Int?) throws {
        self.conditions = try conditions.map { text in
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
                throw DesktopError(.invalidInput, "write --where field=value, not '\(text)'", field: "--where")
            }
            return Condition(field: String(text[..<equals]), value: String(text[text.index(after: equals)...]))
        }
        if let sort, !sort.isEmpty {
            let descending = sort.hasPrefix("-")
            let field = descending ? String(sort.dropFirst()) : sort
            guard !field.isEmpty else { throw DesktopError(.invalidInput, "--sort needs a field name", field: "--sort") }
            self.sort = Sort(field: field, descending: descending)
        } else {
            self.sort = nil
        }
        if let limit, limit < 0 {
            throw DesktopError(.invalidInput, "--limit is 0 or more, not \(limit)", field: "--limit")
        }
        self.limit = limit
    }

    /// Checks that every field named is a field of the type (or a system field), naming the flag that is wrong.
    public func check(type typeName: String, presenter: RecordPresenter) throws {
        let known = { (field: String) in presenter.knows(field, type: typeName) }
        let fields = { (presenter.package.types[typeName]?.fields.keys.sorted() ?? []).joined(separator: ", ") }
        if let unknown = conditions.first(where: { !known($0.field) }) {
            throw DesktopError(
                .invalidInput, "\(typeName) has no field '\(unknown.field)'; its fields: \(fields())", field: "--where")
        }
        if let sort, !known(sort.field) {
            throw DesktopError(
                .invalidInput, "\(typeName) has no field '\(sort.field)'; its fields: \(fields())", field: "--sort")
        }
    }

    /// The records that meet every condition, sorted, and at most `limit` of them.
    public func apply(to records: [LocalRecord], presenter: RecordPresenter, titles: [String: String] = [:])
        -> [LocalRecord]
    {
        var result = records.filter { local in
            conditions.allSatisfy { condition in
                let wanted = condition.value.lowercased()
                return presenter.text(condition.field, of: local.record, titles: titles).lowercased() == wanted
                    || presenter.rawText(condition.field, of: local.record).lowercased() == wanted
            }
        }
        if let sort {
            let numeric = sort.field == "version" || [.number, .currency].contains(presenter.kind(sort.field, type: records.first?.type ?? ""))
            let keys = result.map { local -> SortKey in
                let text = presenter.text(sort.field, of: local.record, titles: titles)
                if numeric, let number = presenter.value(sort.field, of: local.record)?.decimalValue {
                    return .number(number)
                }
                return text.isEmpty ? .empty : .text(text.lowercased())
            }
            let order = result.indices.sorted { left, right in
                let (a, b) = (keys[left], keys[right])
                if a == b { return left < right }
                if a == .empty || b == .empty { return b == .empty }
                return sort.descending ? b < a : a < b
            }
            result = order.map { result[$0] }
        }
        if let limit { result = Array(result.prefix(limit)) }
        return result
    }

    /// What a record sorts by: a number, text, or nothing (which sorts last).
    enum SortKey: Equatable, Comparable {
        case number(Decimal)
        case text(String)
        case empty

        static func < (lhs: SortKey, rhs: SortKey) -> Bool {
            switch (lhs, rhs) {
            case (.number(let a), .number(let b)): a < b
            case (.text(let a), .text(let b)): a < b
            case (.number, .text): true
            default: false
            }
        }
    }
}

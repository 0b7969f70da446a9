import CRMModel
import CRMSyncProtocol
import Foundation

/// What `show` needs besides the record: what it refers to, what refers to it, and its unsent ops.
public struct RecordDetail: Sendable {
    public var record: LocalRecord
    /// Records on this desktop whose fields name this one.
    public var referencing: [LocalRecord]
    /// Records this one names that this desktop holds, by id.
    public var referenced: [String: LocalRecord]
    /// The record's ops in the outbox, oldest first.
    public var ops: [OutboxOp]
    /// Added by hand (`crm-desktop fetch`): it stays synced outside the filter until dropped.
    public var fetchedByHand = false

    public init(
        record: LocalRecord, referencing: [LocalRecord] = [], referenced: [String: LocalRecord] = [:],
        ops: [OutboxOp] = [], fetchedByHand: Bool = false
    ) {
        self.record = record
        self.referencing = referencing
        self.referenced = referenced
        self.ops = ops
        self.fetchedByHand = fetchedByHand
    }
}

extension RecordPresenter {
    /// The `show` text: the title, each form section with its fields (label: value, empty fields left out),
    /// the system fields the form does not show, the unsent or failed state, then the records it refers to and
    /// the records that refer to it.
    public func detail(_ detail: RecordDetail) -> String {
        let local = detail.record
        let record = local.record
        let typeLabel = package.types[record.type]?.label ?? record.type
        let titles = detail.referenced.mapValues { title(of: $0.record) }
        var lines = ["\(typeLabel): \(title(of: record.self))"]

        let form = form(record.type)
        var shown = Set<String>()
        for section in form.sections {
            let fields = section.fields.filter { knows($0, type: record.type) }
            shown.formUnion(fields)
            let pairs = fields.map { (label($0, type: record.type), text($0, of: record, titles: titles)) }
                .filter { !$0.1.isEmpty }
            guard !pairs.isEmpty else { continue }
            lines += ["", section.label] + Self.aligned(pairs)
        }
        var system: [(String, String)] = [("Id", record.id), ("Version", local.serverVersion.map(String.init) ?? "not on the server yet")]
        for field in ["owner", "team", "updatedAt"] where !shown.contains(field) {
            let value = field == "updatedAt"
                ? "\(timestamp(record.updatedAt)) by \(record.updatedBy)" : text(field, of: record)
            if !value.isEmpty { system.append((label(field, type: record.type), value)) }
        }
        lines += ["", "System"] + Self.aligned(system)

        let state = stateLines(local, ops: detail.ops, byHand: detail.fetchedByHand)
        if !state.isEmpty { lines += ["", "State"] + state }

        let refersTo = references(of: record, held: detail.referenced)
        if !refersTo.isEmpty { lines += ["", "Refers to"] + Self.aligned(refersTo) }

        if !detail.referencing.isEmpty {
            lines += ["", "Related"]
            let rows = detail.referencing.sorted { ($0.type, title(of: $0.record)) < ($1.type, title(of: $1.record)) }
                .map { other -> [String] in
                    let via = fieldsNaming(record.id, in: other.record).map { label($0, type: other.type) }
                    return [
                        "  " + (package.types[other.type]?.label ?? other.type), title(of: other.record),
                        other.id, via.isEmpty ? "" : "(\(via.joined(separator: ", ")))",
                    ]
                }
            lines += Self.columns(rows)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The unsent and failed state of a record, and why it is read-only when it is.
    func stateLines(_ local: LocalRecord, ops: [OutboxOp], byHand: Bool = false) -> [String] {
        var lines: [String] = []
        if byHand {
            lines.append("  added by hand (crm-desktop fetch): stays synced until `crm-desktop drop \(local.record.type) ID`")
        }
        if local.incomplete {
            lines.append(
                "  read-only: this record is here only because a record you sync refers to it (outside your filter)")
        }
        if local.serverVersion == nil { lines.append("  created on this desktop; goes to the server with the next sync") }
        let pending = ops.filter { $0.state == .pending }.count
        if pending > 0 { lines.append("  \(pending) unsent \(pending == 1 ? "edit" : "edits"), sent with the next sync") }
        for op in ops where op.state == .failed {
            lines.append("  failed op \(op.seq) (\(op.op.kind.rawValue)): \(op.failure?.message ?? "refused")")
            for issue in op.failure?.issues ?? [] { lines.append("    \(issue.field): \(issue.message)") }
        }
        return lines
    }

    /// Each reference field with a value: the label and what it names ("Acme GmbH (Account 0190abcd)").
    func references(of record: CRMModel.Record, held: [String: LocalRecord]) -> [(String, String)] {
        guard let type = package.types[record.type] else { return [] }
        return type.references(in: record.fields).map { field, target in
            let named = held[target].map {
                "\(title(of: $0.record)) (\(package.types[$0.type]?.label ?? $0.type) \(target))"
            }
            return (label(field, type: record.type), named ?? "\(target) (not on this desktop)")
        }
    }

    /// The fields of `record` that name `id`.
    func fieldsNaming(_ id: String, in record: CRMModel.Record) -> [String] {
        guard let type = package.types[record.type] else { return [] }
        return type.references(in: record.fields).filter { $0.target == id }.map(\.field)
    }

    /// `label: value` lines with the values in one column; a value of several lines stays under itself.
    static func aligned(_ pairs: [(String, String)]) -> [String] {
        let width = pairs.map(\.0.count).max() ?? 0
        return pairs.map { label, value in
            let head = "  " + label + ":" + String(repeating: " ", count: width - label.count + 2)
            let indent = String(repeating: " ", count: head.count)
            return head + value.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n" + indent)
        }
    }

    /// Cells padded into columns two spaces apart.
    static func columns(_ rows: [[String]]) -> [String] {
        let count = rows.map(\.count).max() ?? 0
        let widths = (0..<count).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        return rows.map { row in
            var line = row.enumerated().map { column, cell in
                cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            return line
        }
    }
}

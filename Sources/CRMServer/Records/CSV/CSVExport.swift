import CRMModel
import CRMStore
import Foundation

/// Writes every live record of one type that a user may see as CSV (RFC 4180, UTF-8 without a byte order
/// mark, CRLF lines): `id`, then the fields of the user's role in the order of the package's form (fields the
/// form leaves out after them, by name), then `owner` and `team`. Values are written as `CSVCell` reads them
/// back, so the file imports unchanged. Records are read a page at a time, so any number of them streams.
public struct CSVExport: Sendable {
    let store: any ServerStore
    /// Records per read.
    let pageSize: Int

    public init(store: any ServerStore, pageSize: Int = 500) {
        self.store = store
        self.pageSize = max(1, pageSize)
    }

    /// The fields of `typeName` an export for `caller` has as columns, in order (attachments are left out:
    /// their content is not in the file).
    public static func fields(_ caller: Caller, typeName: String) throws -> [String] {
        guard let type = caller.package.types[typeName] else {
            throw CRMError(.notFound, "there is no record type '\(typeName)'", field: "type")
        }
        let form = caller.package.forms?[typeName]
        var ordered: [String] = []
        for name in form?.sections.flatMap(\.fields) ?? [] where type.fields[name] != nil && !ordered.contains(name) {
            ordered.append(name)
        }
        ordered += type.fields.keys.filter { !ordered.contains($0) }.sorted()
        return ordered.filter { type.fields[$0]?.kind != .attachments }
    }

    /// Writes the export for `caller` in pieces of text, each handed to `write` (the header, then a page of
    /// lines at a time). Returns the number of records written.
    @discardableResult
    public func run(_ caller: Caller, typeName: String, write: (String) async throws -> Void) async throws -> Int {
        let fields = try Self.fields(caller, typeName: typeName)
        try await write(CSVLineWriter.line(["id"] + fields + ["owner", "team"]))
        var after = ""
        var count = 0
        while true {
            let page = try await store.liveRecords(
                type: typeName, visibility: caller.scope, after: after, limit: pageSize)
            var text = ""
            for record in page where caller.canSee(record) {
                let shown = caller.present(record)
                let cells = [shown.id] + fields.map { CSVCell.text(shown.fields[$0]) }
                    + [shown.owner, shown.team.joined(separator: ",")]
                text += CSVLineWriter.line(cells)
                count += 1
            }
            if !text.isEmpty { try await write(text) }
            guard page.count == pageSize, let last = page.last else { return count }
            after = last.id
        }
    }
}

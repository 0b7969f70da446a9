import CRMModel
import CRMServer
import CRMStore

/// The titles of the records that reference fields of a page's records name, read in one batch, for those the
/// caller may see; a reference to a record they may not see shows as its bare id, never as its title.
struct ReferenceTitles: Sendable {
    private let records: [String: Record]
    private let package: CustomizationPackage

    static func load(_ shown: [Record], caller: Caller, store: any ServerStore) async throws -> ReferenceTitles {
        var ids = Set<String>()
        for record in shown {
            guard let type = caller.package.types[record.type] else { continue }
            for reference in type.references(in: record.fields) { ids.insert(reference.target) }
        }
        let found = ids.isEmpty ? [] : try await store.records(ids: Array(ids))
        let visible = found.filter { !$0.deleted && caller.canSee($0) && caller.package.types[$0.type] != nil }
        return ReferenceTitles(
            records: Dictionary(visible.map { ($0.id, caller.present($0)) }, uniquingKeysWith: { first, _ in first }),
            package: caller.package)
    }

    /// The value as text, with the titles of the records it names.
    func text(_ value: FieldValue?, kind: FieldKind?) -> String {
        guard let value else { return "" }
        guard let kind, kind.isReference else { return FieldText.display(value) }
        return ids(value).map { id in records[id].map { PageContext.title(of: $0, in: package) } ?? id }
            .joined(separator: ", ")
    }

    /// Links to the records a reference value names that the caller may see.
    func links(_ value: FieldValue?, kind: FieldKind?) -> [[String: String]] {
        guard let value, let kind, kind.isReference else { return [] }
        return ids(value).compactMap { id in
            records[id].map {
                ["href": "/records/\($0.type)/\($0.id)", "title": PageContext.title(of: $0, in: package)]
            }
        }
    }

    /// The title of record `id`, when the caller may see it.
    func title(_ id: String) -> String? { records[id].map { PageContext.title(of: $0, in: package) } }

    private func ids(_ value: FieldValue) -> [String] {
        value.stringValue.map { [$0] } ?? value.stringArray ?? []
    }
}

/// The records that refer to a record, found per reference field of the package through RecordService (so
/// through the reference index and the caller's visibility), a few per field.
enum RelatedRecords {
    static let perField = 20

    static func find(_ record: Record, caller: Caller, records: RecordService) async throws -> [[String: Any]] {
        var groups: [[String: Any]] = []
        for typeName in caller.package.types.keys.sorted() {
            guard let type = caller.package.types[typeName] else { continue }
            for field in type.fields.keys.sorted() {
                guard let definition = type.fields[field], definition.kind.isReference,
                    definition.allowsTarget(record.type)
                else { continue }
                let page = try await records.list(
                    caller, typeName: typeName, parameters: [(field, record.id), ("limit", String(perField))])
                guard !page.records.isEmpty else { continue }
                groups.append([
                    "label": "\(type.plural ?? type.label) (\(PageContext.label(field, type)))",
                    "records": page.records.map {
                        [
                            "href": "/records/\(typeName)/\($0.id)",
                            "title": PageContext.title(of: $0, in: caller.package),
                        ]
                    },
                ])
            }
        }
        return groups
    }
}

import CRMModel
import CRMStore
import CRMSyncProtocol
import Foundation

extension RecordService {
    /// The most results one search page gives, whatever `limit` asks.
    static let maxSearchPage = 100

    /// A page of the live records of `typeName` the caller may see that match `q`, best match first.
    ///
    /// Visibility is the record routes': a type the role hides does not exist (404), another user's records
    /// are never candidates, and a field the role hides is neither searched nor returned. A hit carries the
    /// fields of the role's form list and title, plus id, title, version, owner and time of the last change.
    /// Parameters: `q` (required, some letters or digits), `limit` (1...100, default 20), `cursor`.
    public func search(_ caller: Caller, typeName: String, parameters: [(String, String)]) async throws
        -> SearchResults
    {
        guard let type = caller.package.types[typeName] else {
            throw CRMError(.notFound, "there is no record type '\(typeName)'", field: "type")
        }
        let hidden = Set(caller.base.types[typeName]?.fields.keys ?? type.fields.keys)
            .subtracting(type.fields.keys)
        var query = SearchQuery(type: typeName, text: "", visibility: caller.scope, hiddenFields: hidden)
        for (name, value) in parameters {
            switch name {
            case "q":
                query.text = value
            case "limit":
                guard let limit = Int(value), limit >= 1 else {
                    throw CRMError(.malformed, "limit is a whole number of at least 1", field: "limit")
                }
                query.limit = min(limit, Self.maxSearchPage)
            case "cursor":
                query.cursor = value
            default:
                throw CRMError(.malformed, "search takes q, limit and cursor, not '\(name)'", field: name)
            }
        }
        guard !SearchTerms(query.text).words.isEmpty else {
            throw CRMError(.malformed, "q must hold a word to search for (letters or digits)", field: "q")
        }
        let page: RecordListPage
        do {
            page = try await store.search(query)
        } catch is InvalidCursor {
            throw CRMError(.malformed, "the cursor is not one this server gave out", field: "cursor")
        }
        let form = Self.searchForm(caller.package, typeName: typeName, type: type)
        let shown = Set(form.list + form.title)
        let hits = page.records.map { record in
            SearchHit(
                id: record.id, type: record.type,
                title: Self.title(of: record, form: form), version: record.version, owner: record.owner,
                updatedAt: record.updatedAt,
                fields: record.fields.filter { shown.contains($0.key) && type.fields[$0.key] != nil })
        }
        return SearchResults(results: hits, nextCursor: page.nextCursor)
    }

    /// The role's form of the type, or a plain one (fields by name, the first as title) when it has none.
    static func searchForm(_ package: CustomizationPackage, typeName: String, type: ObjectType) -> Form {
        if let form = package.forms?[typeName] { return form }
        let fields = type.fields.keys.sorted()
        return Form(title: Array(fields.prefix(1)), list: Array(fields.prefix(5)), sections: [])
    }

    /// The form's title fields' text values joined by spaces ("Ada Lovelace"); the id when they are empty.
    static func title(of record: Record, form: Form) -> String {
        let parts = form.title.compactMap { field -> String? in
            switch record.fields[field] {
            case .string(let text)? where !text.isEmpty: text
            case .number(let number)?: "\(number)"
            default: nil
            }
        }
        return parts.isEmpty ? record.id : parts.joined(separator: " ")
    }
}

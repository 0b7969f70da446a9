import CRMModel
import Foundation

/// A ranked text search over the live records of one type (best match first), as the online lookup asks it.
///
/// Both stores index the same text: the string values of a record's fields, except reference fields (by the
/// naming rule, `...Id`/`...Ids`), so JSON keys, ids and non-text values are never matched. The words of `text`
/// must all occur in a record; the last one may be the start of a word (`acm` finds "Acme"), as a user types.
public struct SearchQuery: Sendable, Equatable {
    public var type: String
    public var text: String
    public var visibility: VisibilityScope
    /// Fields the caller's role hides: a record is found only through the values of the other fields.
    public var hiddenFields: Set<String>
    public var limit: Int
    /// The opaque cursor of the previous page, to continue after it.
    public var cursor: String?

    public init(
        type: String, text: String, visibility: VisibilityScope, hiddenFields: Set<String> = [], limit: Int = 20,
        cursor: String? = nil
    ) {
        self.type = type
        self.text = text
        self.visibility = visibility
        self.hiddenFields = hiddenFields
        self.limit = limit
        self.cursor = cursor
    }
}

/// Pages of ranked search results. The stores rank candidates in SQL and hand out rows by position; this keeps
/// what the hidden-field check lets through and makes the cursor (the position after the last row used).
public enum SearchPaging {
    /// The page of `query` from `fetch(offset, count)`, which returns the ranked candidates from `offset` on.
    public static func page(
        _ query: SearchQuery, fetch: (_ offset: Int, _ count: Int) async throws -> [Record]
    ) async throws -> RecordListPage {
        let terms = SearchTerms(query.text)
        guard !terms.words.isEmpty else { return RecordListPage(records: [], nextCursor: nil) }
        var offset = try query.cursor.map(offset(of:)) ?? 0
        let limit = max(1, query.limit)
        let filtering = !query.hiddenFields.isEmpty
        var found: [(record: Record, position: Int)] = []
        while found.count <= limit {
            let count = filtering ? max(2 * limit, 50) : limit + 1 - found.count
            let rows = try await fetch(offset, count)
            for (index, record) in rows.enumerated()
            where !filtering || terms.matches(record, hiding: query.hiddenFields) {
                found.append((record, offset + index))
                if found.count > limit { break }
            }
            offset += rows.count
            if rows.count < count { break }
        }
        let page = found.prefix(limit)
        let next = found.count > limit ? page.last.map { cursor(after: $0.position) } : nil
        return RecordListPage(records: page.map(\.record), nextCursor: next)
    }

    static func cursor(after position: Int) -> String {
        Data("search:\(position + 1)".utf8).base64EncodedString()
            .replacingOccurrences(of: "=", with: "")
    }

    static func offset(of cursor: String) throws -> Int {
        var base64 = cursor
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
            text.hasPrefix("search:"), let offset = Int(text.dropFirst(7)), offset >= 0
        else { throw InvalidCursor() }
        return offset
    }
}

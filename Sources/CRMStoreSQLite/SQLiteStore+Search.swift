import CRMModel
import CRMStore
import Foundation
import GRDB

extension SQLiteStore {
    /// Ranked by FTS5's `bm25` (lower is better), then by id so equal ranks page in a stable order; visibility
    /// is a condition of the same statement, so another user's records are never candidates.
    public func search(_ query: SearchQuery) async throws -> RecordListPage {
        let match = SearchTerms(query.text).fts5Query
        return try await SearchPaging.page(query) { offset, count in
            try await read { db in
                var conditions = ["record_search MATCH ?", "records.type = ?", "records.deleted = 0"]
                var arguments: StatementArguments = [match, query.type]
                if case .users(let users) = query.visibility {
                    let names = users.sorted()
                    let marks = Array(repeating: "?", count: names.count).joined(separator: ",")
                    conditions.append(
                        "(records.owner IN (\(marks)) OR records.id IN "
                            + "(SELECT record_id FROM record_team WHERE user IN (\(marks))))")
                    arguments += StatementArguments(names)
                    arguments += StatementArguments(names)
                }
                let columns = RecordRow.columns.split(separator: ",")
                    .map { "records." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")
                let sql = """
                    SELECT \(columns) FROM record_search JOIN records ON records.rowid = record_search.rowid
                    WHERE \(conditions.joined(separator: " AND "))
                    ORDER BY bm25(record_search), records.id LIMIT ? OFFSET ?
                    """
                return try Row.fetchAll(db, sql: sql, arguments: arguments + [count, offset]).map(RecordRow.record)
            }
        }
    }
}

import CRMModel
import CRMStore
import Foundation
import GRDB

extension SQLiteStore {
    /// Ranked by FTS5's `bm25` (lower is better), then by id so equal ranks page in a stable order; visibility
    /// is a condition of the same statement, so another user's records are never candidates.
    public func search(_ query: SearchQuery) async throws -> RecordListPage {
        // Writes only note what the index must learn: a search first brings it up to date with them.
        _ = try await refreshSearchIndex()
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

    /// Brings the search index up to date with the writes noted so far (`SQLiteSchema.registerDeferredSearch`),
    /// in write transactions of up to 2,000 records so that pushes go on between them; returns how many
    /// records were indexed again. Rows noted while it runs may wait for the next call.
    public func refreshSearchIndex() async throws -> Int {
        let noted = try await read { db in
            try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM record_search_pending")) ?? 0
        }
        let batch = 2_000
        var indexed = 0
        for _ in 0..<((noted + batch - 1) / batch) {
            let done = try await write { db in try SQLiteSchema.refreshSearch(limit: batch, in: db) }
            indexed += done
            if done < batch { break }
        }
        return indexed
    }
}

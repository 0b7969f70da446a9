import CRMModel
import CRMStore
import PostgresNIO

extension PostgresStore {
    /// PostgreSQL's text index is an expression index kept by each write: nothing is ever left to index.
    public func refreshSearchIndex() async throws -> Int { 0 }

    /// PostgreSQL's own checkpointer moves its log into the tables.
    public func checkpointLog() async throws -> Int { 0 }

    /// Matches through the GIN index over `crm_search_vector(fields)` (the expression must be written as the
    /// index has it), ranked by `ts_rank` (higher is better), then by id so equal ranks page in a stable order;
    /// visibility is a condition of the same statement, so another user's records are never candidates.
    public func search(_ query: SearchQuery) async throws -> RecordListPage {
        let tsQuery = SearchTerms(query.text, foldingDiacritics: false).tsQuery
        return try await SearchPaging.page(query) { offset, count in
            var statement = PostgresStatement()
            let match = statement.placeholder(for: tsQuery)
            statement.append(
                "SELECT \(PostgresRecordRow.columns) FROM records WHERE NOT deleted AND type = ")
            statement.bind(query.type)
            statement.append(" AND crm_search_vector(fields) @@ to_tsquery('simple', \(match))")
            if case .users(let users) = query.visibility {
                let names = statement.placeholder(for: users.sorted())
                statement.append(
                    " AND (owner = ANY(\(names))"
                        + " OR id IN (SELECT record_id FROM record_team WHERE user_name = ANY(\(names))))")
            }
            statement.append(
                " ORDER BY ts_rank(crm_search_vector(fields), to_tsquery('simple', \(match)), 1) DESC, id LIMIT ")
            statement.bind(count)
            statement.append(" OFFSET ")
            statement.bind(offset)
            let sql = statement
            return try await onConnection { reader in
                try await reader.rows(sql.query).map(PostgresRecordRow.record)
            }
        }
    }
}

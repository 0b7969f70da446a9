import CRMModel
import CRMStore
import CRMSyncProtocol
import Foundation
import PostgresNIO

extension PostgresStore {
    static let syncSessionColumns =
        "id, user_name, device, started_at, expires_at, ended_at, filter, counts, client_counts, errors"

    public func createSyncSession(_ session: SyncSessionRow) async throws {
        let counts = try Self.syncJSON(session.counts)
        let filter = String(decoding: session.filter, as: UTF8.self)
        _ = try await onConnection { writer in
            try await writer.rows(
                """
                INSERT INTO sync_sessions (id, user_name, device, started_at, expires_at, filter, counts)
                VALUES (
                    \(session.id), \(session.user), \(session.device), \(PostgresRecordRow.millis(session.startedAt)),
                    \(PostgresRecordRow.millis(session.expiresAt)), \(filter), \(counts))
                """)
        }
    }

    public func syncSession(id: String) async throws -> SyncSessionRow? {
        try await onConnection { reader in
            try await reader.rows(
                "SELECT \(unescaped: Self.syncSessionColumns) FROM sync_sessions WHERE id = \(id)"
            ).first.map(Self.syncSessionRow)
        }
    }

    public func recordActivity(session: String, counts: SyncCounts, expiresAt: Date) async throws {
        try await plainTransaction { writer in
            guard
                let text = try await writer.rows(
                    "SELECT counts FROM sync_sessions WHERE id = \(session) FOR UPDATE"
                ).first?.decode(String.self)
            else { throw StoreError.notFound(session) }
            let total = try JSONDecoder().decode(SyncCounts.self, from: Data(text.utf8)) + counts
            let totalText = try Self.syncJSON(total)
            try await writer.rows(
                """
                UPDATE sync_sessions SET counts = \(totalText), expires_at = \(PostgresRecordRow.millis(expiresAt))
                WHERE id = \(session)
                """)
        }
    }

    public func endSyncSession(id: String, at time: Date, clientCounts: SyncCounts, errors: [String]) async throws {
        let counts = try Self.syncJSON(clientCounts)
        let errorText = try Self.syncJSON(errors)
        let updated = try await onConnection { writer in
            try await writer.rows(
                """
                UPDATE sync_sessions SET ended_at = \(PostgresRecordRow.millis(time)), client_counts = \(counts),
                    errors = \(errorText)
                WHERE id = \(id) RETURNING 1
                """
            ).count
        }
        if updated == 0 { throw StoreError.notFound(id) }
    }

    public func syncSessions(_ query: SyncSessionQuery) async throws -> [SyncSessionRow] {
        var statement = PostgresStatement("SELECT \(Self.syncSessionColumns) FROM sync_sessions WHERE true")
        if let user = query.user {
            statement.append(" AND user_name = ")
            statement.bind(user)
        }
        if let device = query.device {
            statement.append(" AND device = ")
            statement.bind(device)
        }
        if let since = query.since {
            statement.append(" AND started_at >= ")
            statement.bind(PostgresRecordRow.millis(since))
        }
        if let until = query.until {
            statement.append(" AND started_at < ")
            statement.bind(PostgresRecordRow.millis(until))
        }
        if query.withErrors { statement.append(" AND errors <> '[]'") }
        statement.append(" ORDER BY started_at DESC, id DESC LIMIT ")
        statement.bind(max(1, query.limit))
        let sql = statement.query
        return try await onConnection { reader in try await reader.rows(sql).map(Self.syncSessionRow) }
    }

    static func syncSessionRow(_ row: PostgresRow) throws -> SyncSessionRow {
        let (id, user, device, started, expires, ended, filter, counts, clientCounts, errors) =
            try row.decode((String, String, String, Int64, Int64, Int64?, String, String, String?, String).self)
        let decoder = JSONDecoder()
        return SyncSessionRow(
            id: id, user: user, device: device, startedAt: PostgresRecordRow.date(started),
            expiresAt: PostgresRecordRow.date(expires), endedAt: ended.map(PostgresRecordRow.date),
            filter: Data(filter.utf8), counts: try decoder.decode(SyncCounts.self, from: Data(counts.utf8)),
            clientCounts: try clientCounts.map { try decoder.decode(SyncCounts.self, from: Data($0.utf8)) },
            errors: try decoder.decode([String].self, from: Data(errors.utf8)))
    }
}

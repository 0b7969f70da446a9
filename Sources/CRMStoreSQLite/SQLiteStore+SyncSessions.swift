import CRMModel
import CRMStore
import CRMSyncProtocol
import Foundation
import GRDB

extension SQLiteStore {
    public func createSyncSession(_ session: SyncSessionRow) async throws {
        let counts = try Self.json(session.counts)
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO sync_sessions (id, user, device, started_at, expires_at, filter, counts)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    session.id, session.user, session.device, RecordRow.millis(session.startedAt),
                    RecordRow.millis(session.expiresAt), String(decoding: session.filter, as: UTF8.self), counts,
                ])
        }
    }

    public func syncSession(id: String) async throws -> SyncSessionRow? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM sync_sessions WHERE id = ?", arguments: [id]).map(Self.sessionRow)
        }
    }

    public func recordActivity(session: String, counts: SyncCounts, expiresAt: Date) async throws {
        try await write { db in
            guard let text = try String.fetchOne(db, sql: "SELECT counts FROM sync_sessions WHERE id = ?", arguments: [session])
            else { throw StoreError.notFound(session) }
            let total = try JSONDecoder().decode(SyncCounts.self, from: Data(text.utf8)) + counts
            try db.execute(
                sql: "UPDATE sync_sessions SET counts = ?, expires_at = ? WHERE id = ?",
                arguments: [try Self.json(total), RecordRow.millis(expiresAt), session])
        }
    }

    public func endSyncSession(id: String, at time: Date, clientCounts: SyncCounts, errors: [String]) async throws {
        let counts = try Self.json(clientCounts)
        let errorText = try Self.json(errors)
        try await write { db in
            try db.execute(
                sql: "UPDATE sync_sessions SET ended_at = ?, client_counts = ?, errors = ? WHERE id = ?",
                arguments: [RecordRow.millis(time), counts, errorText, id])
            if db.changesCount == 0 { throw StoreError.notFound(id) }
        }
    }

    public func syncSessions(_ query: SyncSessionQuery) async throws -> [SyncSessionRow] {
        try await read { db in
            var conditions: [String] = []
            var arguments: [DatabaseValueConvertible] = []
            if let user = query.user {
                conditions.append("user = ?")
                arguments.append(user)
            }
            if let device = query.device {
                conditions.append("device = ?")
                arguments.append(device)
            }
            if let since = query.since {
                conditions.append("started_at >= ?")
                arguments.append(RecordRow.millis(since))
            }
            if let until = query.until {
                conditions.append("started_at < ?")
                arguments.append(RecordRow.millis(until))
            }
            if query.withErrors { conditions.append("errors <> '[]'") }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments.append(max(1, query.limit))
            return try Row.fetchAll(
                db, sql: "SELECT * FROM sync_sessions \(whereClause) ORDER BY started_at DESC, id DESC LIMIT ?",
                arguments: StatementArguments(arguments)
            ).map(Self.sessionRow)
        }
    }

    static func sessionRow(_ row: Row) throws -> SyncSessionRow {
        let decoder = JSONDecoder()
        let counts: String = row["counts"]
        let clientCounts: String? = row["client_counts"]
        let errors: String = row["errors"]
        let filter: String = row["filter"]
        return SyncSessionRow(
            id: row["id"], user: row["user"], device: row["device"], startedAt: RecordRow.date(row["started_at"]),
            expiresAt: RecordRow.date(row["expires_at"]), endedAt: (row["ended_at"] as Int64?).map(RecordRow.date),
            filter: Data(filter.utf8), counts: try decoder.decode(SyncCounts.self, from: Data(counts.utf8)),
            clientCounts: try clientCounts.map { try decoder.decode(SyncCounts.self, from: Data($0.utf8)) },
            errors: try decoder.decode([String].self, from: Data(errors.utf8)))
    }
}

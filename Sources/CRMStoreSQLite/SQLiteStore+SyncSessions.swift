import CRMModel
import CRMStore
import CRMSyncProtocol
import Foundation
import GRDB

extension SQLiteStore {
    public func createSyncSession(_ session: SyncSessionRow) async throws {
        let counts = try Self.json(session.counts)
        try await write { db in try Self.insertSyncSession(session, counts: counts, in: db) }
    }

    static func insertSyncSession(_ session: SyncSessionRow, counts: String, in db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO sync_sessions (id, user, device, started_at, expires_at, filter, counts)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            session.id, session.user, session.device, RecordRow.millis(session.startedAt),
            RecordRow.millis(session.expiresAt), String(decoding: session.filter, as: UTF8.self), counts,
        ])
    }

    /// Everything in one write transaction: one hop to the writer instead of four or more.
    public func beginSyncSession(_ session: SyncSessionRow, state: DeviceSyncState) async throws {
        let counts = try Self.json(session.counts)
        let superseded = "superseded by session \(session.id)"
        let emptyCounts = try Self.json(SyncCounts())
        try await write { db in
            try Self.saveSyncState(state, in: db)
            let now = RecordRow.millis(session.startedAt)
            // The device's latest sessions, by the index on device and start (all of its sessions could be many).
            let latest = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT id, client_counts, errors, ended_at, expires_at FROM sync_sessions
                        WHERE device = ? ORDER BY started_at DESC, id DESC LIMIT 20
                        """), arguments: [session.device])
            for row in latest where (row[3] as Int64?) == nil && (row[4] as Int64) > now {
                let errors = try JSONDecoder().decode([String].self, from: Data((row[2] as String).utf8)) + [superseded]
                try db.cachedStatement(
                    sql: "UPDATE sync_sessions SET ended_at = ?, client_counts = ?, errors = ? WHERE id = ?"
                ).execute(arguments: [now, (row[1] as String?) ?? emptyCounts, try Self.json(errors), row[0] as String])
            }
            try Self.insertSyncSession(session, counts: counts, in: db)
            try db.cachedStatement(sql: "UPDATE devices SET last_seen_at = ? WHERE id = ? AND revoked_at IS NULL")
                .execute(arguments: [now, session.device])
        }
    }

    public func syncSession(id: String) async throws -> SyncSessionRow? {
        try await read { db in try Self.fetchSyncSession(id: id, in: db) }
    }

    static func fetchSyncSession(id: String, in db: Database) throws -> SyncSessionRow? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM sync_sessions WHERE id = ?"), arguments: [id])
            .map(Self.sessionRow)
    }

    public func recordActivity(session: String, counts: SyncCounts, expiresAt: Date) async throws {
        try await write { db in try Self.recordActivity(session: session, counts: counts, expiresAt: expiresAt, in: db) }
    }

    static func recordActivity(session: String, counts: SyncCounts, expiresAt: Date, in db: Database) throws {
        guard
            let text = try String.fetchOne(
                db.cachedStatement(sql: "SELECT counts FROM sync_sessions WHERE id = ?"), arguments: [session])
        else { throw StoreError.notFound(session) }
        let total = try JSONDecoder().decode(SyncCounts.self, from: Data(text.utf8)) + counts
        try db.cachedStatement(sql: "UPDATE sync_sessions SET counts = ?, expires_at = ? WHERE id = ?")
            .execute(arguments: [try json(total), RecordRow.millis(expiresAt), session])
    }

    public func endSyncSession(id: String, at time: Date, clientCounts: SyncCounts, errors: [String]) async throws {
        let counts = try Self.json(clientCounts)
        let errorText = try Self.json(errors)
        try await write { db in
            try db.cachedStatement(
                sql: "UPDATE sync_sessions SET ended_at = ?, client_counts = ?, errors = ? WHERE id = ?").execute(
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

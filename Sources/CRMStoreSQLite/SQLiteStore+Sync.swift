import CRMModel
import CRMStore
import CRMSyncProtocol
import Foundation
import GRDB

extension SQLiteStore {
    public func syncMeta() async throws -> SyncMeta {
        try await read { db in try Self.syncMeta(in: db) }
    }

    static func syncMeta(in db: Database) throws -> SyncMeta {
        let rows = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT key, value FROM meta WHERE key IN ('epoch', 'cursor_key', 'purged_seq')"))
        let values = Dictionary(uniqueKeysWithValues: rows.map { ($0[0] as String, $0[1] as String) })
        return SyncMeta(
            epoch: values["epoch"] ?? "", cursorKey: Data((values["cursor_key"] ?? "").utf8),
            purgedSequence: values["purged_seq"].flatMap { Int64($0) } ?? 0)
    }

    public func syncState(device: String) async throws -> DeviceSyncState? {
        try await read { db in try Self.syncState(device: device, in: db) }
    }

    static func syncState(device: String, in db: Database) throws -> DeviceSyncState? {
        let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT state, pending_generation FROM device_sync WHERE device = ?"),
            arguments: [device])
        return try row.map(Self.decodeState)
    }

    /// The three in one read transaction: one hop to a reader queue instead of three.
    public func syncSessionFacts(id: String) async throws -> SyncSessionFacts {
        try await read { db in
            guard let session = try Self.fetchSyncSession(id: id, in: db) else { return SyncSessionFacts() }
            return SyncSessionFacts(
                session: session, meta: try Self.syncMeta(in: db), state: try Self.syncState(device: session.device, in: db))
        }
    }

    public func saveSyncState(_ state: DeviceSyncState) async throws {
        try await write { db in try Self.saveSyncState(state, in: db) }
    }

    static func saveSyncState(_ state: DeviceSyncState, in db: Database) throws {
        // Generations only move forward, whatever copy of the state the caller holds.
        var state = state
        if let stored = try syncState(device: state.device, in: db) {
            state.ackedGeneration = stored.ackedGeneration
            state.nextGeneration = max(state.nextGeneration, stored.nextGeneration)
        }
        let text = try json(state)
        try db.cachedStatement(
            sql: """
                INSERT INTO device_sync (device, user, state) VALUES (?, ?, ?)
                ON CONFLICT (device) DO UPDATE SET user = excluded.user, state = excluded.state
                """
        ).execute(arguments: [state.device, state.user, text])
    }

    public func setPending(device: String, delta: ScopeDelta) async throws -> Int64 {
        let text = delta.jsonText
        return try await write { db in try Self.setPending(device: device, deltaText: text, in: db) }
    }

    /// Both in one write transaction: one hop to the writer instead of two.
    public func pageSent(device: String, delta: ScopeDelta, session: String, counts: SyncCounts, expiresAt: Date)
        async throws -> Int64
    {
        let text = delta.jsonText
        return try await write { db in
            let generation = try Self.setPending(device: device, deltaText: text, in: db)
            try Self.recordActivity(session: session, counts: counts, expiresAt: expiresAt, in: db)
            return generation
        }
    }

    static func setPending(device: String, deltaText text: String, in db: Database) throws -> Int64 {
        guard var state = try syncState(device: device, in: db) else { throw StoreError.notFound(device) }
        let generation = state.nextGeneration
        state.nextGeneration += 1
        try db.cachedStatement(
            sql: "UPDATE device_sync SET state = ?, pending_generation = ?, pending_delta = ? WHERE device = ?"
        ).execute(arguments: [try json(state), generation, text, device])
        return generation
    }

    public func acknowledge(device: String, generation: Int64) async throws -> Bool {
        try await write { db in
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT state, pending_generation, pending_delta FROM device_sync WHERE device = ?"),
                    arguments: [device]),
                (row["pending_generation"] as Int64?) == generation
            else { return false }
            let deltaText: String = row["pending_delta"] ?? "{}"
            let delta = try ScopeDelta(jsonText: deltaText)
            // Updated in place: a record's type never changes, so the (device, type) index is written only for
            // records new to the device (a REPLACE deleted and inserted both entries of every record the page
            // held, one random page of each index per record once the device holds many).
            let upsert = try db.cachedStatement(
                sql: """
                    INSERT INTO device_scope (device, record_id, type, version, reason) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (device, record_id) DO UPDATE SET version = excluded.version, reason = excluded.reason
                    """)
            for entry in delta.upserts {
                try upsert.execute(arguments: [device, entry.id, entry.type, entry.version, entry.reason.rawValue])
            }
            let remove = try db.cachedStatement(sql: "DELETE FROM device_scope WHERE device = ? AND record_id = ?")
            for id in delta.removes { try remove.execute(arguments: [device, id]) }
            var state = try Self.decodeState(row)
            state.ackedGeneration = generation
            try db.cachedStatement(
                sql: "UPDATE device_sync SET state = ?, pending_generation = NULL, pending_delta = NULL WHERE device = ?").execute(
                arguments: [try Self.json(state), device])
            return true
        }
    }

    public func clearScope(device: String) async throws {
        try await write { db in
            try db.cachedStatement(sql: "DELETE FROM device_scope WHERE device = ?").execute(arguments: [device])
            // No cursor issued before may continue: it would follow the feed against a scope that is gone.
            var stateText: String?
            if let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT state, pending_generation FROM device_sync WHERE device = ?"), arguments: [device])
            {
                var state = try Self.decodeState(row)
                state.ackedGeneration = 0
                stateText = try Self.json(state)
            }
            try db.cachedStatement(
                sql: """
                    UPDATE device_sync SET pending_generation = NULL, pending_delta = NULL, state = coalesce(?, state)
                    WHERE device = ?
                    """).execute(arguments: [stateText, device])
        }
    }

    public func scopeEntries(device: String, ids: [String]) async throws -> [String: ScopeEntry] {
        guard !ids.isEmpty else { return [:] }
        return try await read { db in
            var result: [String: ScopeEntry] = [:]
            for start in stride(from: 0, to: ids.count, by: 500) {
                let slice = Array(ids[start..<min(start + 500, ids.count)])
                let marks = Array(repeating: "?", count: slice.count).joined(separator: ",")
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT record_id, type, version, reason FROM device_scope
                        WHERE device = ? AND record_id IN (\(marks))
                        """, arguments: StatementArguments([device] + slice))
                for row in rows {
                    let entry = Self.entry(row)
                    result[entry.id] = entry
                }
            }
            return result
        }
    }

    public func scopeEntries(device: String, type: String, after: String, through: String?) async throws -> [ScopeEntry] {
        try await read { db in
            var sql = "SELECT record_id, type, version, reason FROM device_scope WHERE device = ? AND type = ? AND record_id > ?"
            var arguments: [DatabaseValueConvertible] = [device, type, after]
            if let through {
                sql += " AND record_id <= ?"
                arguments.append(through)
            }
            return try Row.fetchAll(db, sql: sql + " ORDER BY record_id", arguments: StatementArguments(arguments))
                .map(Self.entry)
        }
    }

    public func scopeCounts(device: String) async throws -> [String: Int] {
        try await read { db in
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT type, count(*) AS n FROM device_scope WHERE device = ? GROUP BY type"), arguments: [device])
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["type"] as String, $0["n"] as Int) })
        }
    }

    public func isReferenced(device: String, target: String) async throws -> Bool {
        try await read { db in
            try Bool.fetchOne(
                db,
                sql: """
                    SELECT EXISTS (SELECT 1 FROM record_refs r JOIN device_scope s
                      ON s.device = ? AND s.record_id = r.source_id AND s.reason = 'filter'
                    WHERE r.target_id = ?)
                    """, arguments: [device, target]) ?? false
        }
    }

    public func missingReferences(device: String) async throws -> [String] {
        try await read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT r.target_id FROM device_scope s
                    JOIN record_refs r ON r.source_id = s.record_id
                    WHERE s.device = ? AND s.reason = 'filter' AND r.target_id NOT LIKE 'sha256:%'
                      AND NOT EXISTS (SELECT 1 FROM device_scope t WHERE t.device = s.device AND t.record_id = r.target_id)
                    ORDER BY r.target_id
                    """, arguments: [device])
        }
    }

    public func orphanedReferences(device: String) async throws -> [ScopeEntry] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT t.record_id, t.type, t.version, t.reason FROM device_scope t
                    WHERE t.device = ? AND t.reason = 'reference' AND NOT EXISTS (
                        SELECT 1 FROM record_refs r JOIN device_scope s
                          ON s.device = t.device AND s.record_id = r.source_id AND s.reason = 'filter'
                        WHERE r.target_id = t.record_id)
                    ORDER BY t.record_id
                    """, arguments: [device]
            ).map(Self.entry)
        }
    }

    public func liveRecords(type: String, visibility: VisibilityScope, after: String, limit: Int) async throws
        -> [CRMModel.Record]
    {
        try await storedLiveRecords(type: type, visibility: visibility, after: after, limit: limit).map { try $0.record() }
    }

    public func storedLiveRecords(type: String, visibility: VisibilityScope, after: String, limit: Int) async throws
        -> [StoredRecord]
    {
        try await read { db in
            let (sql, arguments) = Self.liveRecordsQuery(type: type, visibility: visibility, after: after, limit: limit)
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(RecordRow.stored)
        }
    }

    public func liveRecordCount(type: String, visibility: VisibilityScope) async throws -> Int {
        try await read { db in
            let (sql, arguments) = Self.liveRecordsQuery(type: type, visibility: visibility, after: "", limit: Int.max)
            return try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM (\(sql))", arguments: StatementArguments(arguments)) ?? 0
        }
    }

    /// For a few users, one ordered index range per user's own records and one per their team memberships,
    /// merged by SQLite in id order and cut at `limit`: a page reads what the users may see, not the whole
    /// type. For many users (or all), the type is walked by id and each row checked.
    static func liveRecordsQuery(type: String, visibility: VisibilityScope, after: String, limit: Int)
        -> (String, [DatabaseValueConvertible])
    {
        let limit = max(1, limit)
        guard case .users(let users) = visibility else {
            return (
                "SELECT \(RecordRow.columns) FROM records WHERE type = ? AND deleted = 0 AND id > ? ORDER BY id LIMIT ?",
                [type, after, limit]
            )
        }
        let names = users.sorted()
        guard names.count <= 200 else {
            let marks = Array(repeating: "?", count: names.count).joined(separator: ",")
            return (
                """
                SELECT \(RecordRow.columns) FROM records WHERE type = ? AND deleted = 0 AND id > ?
                  AND (owner IN (\(marks)) OR id IN (SELECT record_id FROM record_team WHERE user IN (\(marks))))
                ORDER BY id LIMIT ?
                """, [type, after] + names + names + [limit]
            )
        }
        let teamColumns = RecordRow.columns.split(separator: ",").map { "r." + $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: ", ")
        var arms: [String] = []
        var arguments: [DatabaseValueConvertible] = []
        for name in names {
            arms.append(
                "SELECT \(RecordRow.columns) FROM records WHERE type = ? AND owner = ? AND deleted = 0 AND id > ?")
            arguments += [type, name, after]
            arms.append(
                """
                SELECT \(teamColumns) FROM record_team t CROSS JOIN records r ON r.id = t.record_id
                WHERE t.user = ? AND t.record_id > ? AND r.type = ? AND r.deleted = 0
                """)
            arguments += [name, after, type]
        }
        return (arms.joined(separator: " UNION ") + " ORDER BY id LIMIT ?", arguments + [limit])
    }

    public func push<T: Sendable>(_ body: @escaping @Sendable (any PushTransaction) throws -> T) async throws -> T {
        let cancelled = CancellationFlag()
        return try await withTaskCancellationHandler {
            try await recordWrite { db, keys in
                try body(SQLitePushTransaction(db: db, cancelled: cancelled, keys: keys))
            }
        } onCancel: {
            cancelled.raise()
        }
    }

    public func opResults(device: String, opIds: [String]) async throws -> [String: Data] {
        guard !opIds.isEmpty else { return [:] }
        return try await read { db in
            var result: [String: Data] = [:]
            for start in stride(from: 0, to: opIds.count, by: 500) {
                let slice = Array(opIds[start..<min(start + 500, opIds.count)])
                let marks = Array(repeating: "?", count: slice.count).joined(separator: ",")
                for row in try Row.fetchAll(
                    db, sql: "SELECT op_id, result FROM op_results WHERE device = ? AND op_id IN (\(marks))",
                    arguments: StatementArguments([device] + slice))
                {
                    result[row["op_id"]] = Data((row["result"] as String).utf8)
                }
            }
            return result
        }
    }

    public func purge(before date: Date) async throws -> Int {
        let cutoff = RecordRow.millis(date)
        return try await write { db in
            // Remember the newest change whose tombstone went: a cursor before it could miss that delete.
            if let purged = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT max(seq) FROM records WHERE deleted = 1 AND updated_at < ?"), arguments: [cutoff])
            {
                try db.cachedStatement(
                    sql: """
                        INSERT INTO meta (key, value) VALUES ('purged_seq', ?)
                        ON CONFLICT (key) DO UPDATE SET value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))
                        """).execute(arguments: [String(purged)])
            }
            try db.cachedStatement(sql: "DELETE FROM records WHERE deleted = 1 AND updated_at < ?").execute(arguments: [cutoff])
            var removed = db.changesCount
            try db.cachedStatement(sql: "DELETE FROM op_results WHERE created_at < ?").execute(arguments: [cutoff])
            removed += db.changesCount
            try db.cachedStatement(sql: "DELETE FROM sync_sessions WHERE started_at < ?").execute(arguments: [cutoff])
            return removed + db.changesCount
        }
    }

    // MARK: - Rows

    static func entry(_ row: Row) -> ScopeEntry {
        ScopeEntry(
            id: row["record_id"], type: row["type"], version: row["version"],
            reason: ScopeReason(rawValue: row["reason"]) ?? .filter)
    }

    static func decodeState(_ row: Row) throws -> DeviceSyncState {
        let text: String = row["state"]
        var state = try JSONDecoder().decode(DeviceSyncState.self, from: Data(text.utf8))
        state.pendingGeneration = row["pending_generation"]
        return state
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

import CRMModel
import CRMStore
import Foundation
import PostgresNIO

extension PostgresStore: SyncStore {
    public func syncMeta() async throws -> SyncMeta {
        try await onConnection { reader in
            var values: [String: String] = [:]
            for row in try await reader.rows(
                "SELECT key, value FROM meta WHERE key IN ('epoch', 'cursor_key', 'purged_seq')")
            {
                let (key, value) = try row.decode((String, String).self)
                values[key] = value
            }
            return SyncMeta(
                epoch: values["epoch"] ?? "", cursorKey: Data((values["cursor_key"] ?? "").utf8),
                purgedSequence: values["purged_seq"].flatMap { Int64($0) } ?? 0)
        }
    }

    public func syncState(device: String) async throws -> DeviceSyncState? {
        try await onConnection { reader in try await Self.state(device: device, lock: false, reader)?.state }
    }

    public func saveSyncState(_ state: DeviceSyncState) async throws {
        try await plainTransaction { writer in
            // Generations only move forward, whatever copy of the state the caller holds.
            var state = state
            if let stored = try await Self.state(device: state.device, lock: true, writer)?.state {
                state.ackedGeneration = stored.ackedGeneration
                state.nextGeneration = max(state.nextGeneration, stored.nextGeneration)
            }
            let text = try Self.syncJSON(state)
            try await writer.rows(
                """
                INSERT INTO device_sync (device, user_name, state) VALUES (\(state.device), \(state.user), \(text))
                ON CONFLICT (device) DO UPDATE SET user_name = excluded.user_name, state = excluded.state
                """)
        }
    }

    public func setPending(device: String, delta: ScopeDelta) async throws -> Int64 {
        let text = try Self.syncJSON(delta)
        return try await plainTransaction { writer in
            guard var state = try await Self.state(device: device, lock: true, writer)?.state else {
                throw StoreError.notFound(device)
            }
            let generation = state.nextGeneration
            state.nextGeneration += 1
            let stateText = try Self.syncJSON(state)
            try await writer.rows(
                """
                UPDATE device_sync SET state = \(stateText), pending_generation = \(generation),
                    pending_delta = \(text)
                WHERE device = \(device)
                """)
            return generation
        }
    }

    public func acknowledge(device: String, generation: Int64) async throws -> Bool {
        try await plainTransaction { writer in
            guard let stored = try await Self.state(device: device, lock: true, writer),
                stored.state.pendingGeneration == generation
            else { return false }
            let delta = try JSONDecoder().decode(ScopeDelta.self, from: Data((stored.delta ?? "{}").utf8))
            // One row per id (the last entry wins, as replacing rows one by one would leave it).
            var upserts: [String: ScopeEntry] = [:]
            for entry in delta.upserts { upserts[entry.id] = entry }
            let entries = upserts.values.sorted { $0.id < $1.id }
            // A record's type never changes: leaving it out of the update keeps the (device, type) index out of
            // it too (an update of no indexed column can stay on its page, PostgreSQL's HOT update).
            if !entries.isEmpty {
                try await writer.rows(
                    """
                    INSERT INTO device_scope (device, record_id, type, version, reason)
                    SELECT \(device), * FROM unnest(\(entries.map(\.id)), \(entries.map(\.type)),
                        \(entries.map { Int64($0.version) }), \(entries.map(\.reason.rawValue)))
                    ON CONFLICT (device, record_id) DO UPDATE
                    SET version = excluded.version, reason = excluded.reason
                    """)
            }
            if !delta.removes.isEmpty {
                try await writer.rows(
                    "DELETE FROM device_scope WHERE device = \(device) AND record_id = ANY(\(delta.removes))")
            }
            var state = stored.state
            state.ackedGeneration = generation
            let stateText = try Self.syncJSON(state)
            try await writer.rows(
                """
                UPDATE device_sync SET state = \(stateText), pending_generation = NULL, pending_delta = NULL
                WHERE device = \(device)
                """)
            return true
        }
    }

    public func clearScope(device: String) async throws {
        try await plainTransaction { writer in
            try await writer.rows("DELETE FROM device_scope WHERE device = \(device)")
            // No cursor issued before may continue: it would follow the feed against a scope that is gone.
            var stateText: String?
            if var state = try await Self.state(device: device, lock: true, writer)?.state {
                state.ackedGeneration = 0
                stateText = try Self.syncJSON(state)
            }
            try await writer.rows(
                """
                UPDATE device_sync
                SET pending_generation = NULL, pending_delta = NULL, state = coalesce(\(stateText), state)
                WHERE device = \(device)
                """)
        }
    }

    public func scopeEntries(device: String, ids: [String]) async throws -> [String: ScopeEntry] {
        guard !ids.isEmpty else { return [:] }
        return try await onConnection { reader in
            var result: [String: ScopeEntry] = [:]
            for row in try await reader.rows(
                """
                SELECT record_id, type, version, reason FROM device_scope
                WHERE device = \(device) AND record_id = ANY(\(ids))
                """)
            {
                let entry = try Self.scopeEntry(row)
                result[entry.id] = entry
            }
            return result
        }
    }

    public func scopeEntries(device: String, type: String, after: String, through: String?) async throws
        -> [ScopeEntry]
    {
        try await onConnection { reader in
            try await reader.rows(
                """
                SELECT record_id, type, version, reason FROM device_scope
                WHERE device = \(device) AND type = \(type) AND record_id > \(after)
                    AND (\(through)::text IS NULL OR record_id <= \(through))
                ORDER BY record_id
                """
            ).map(Self.scopeEntry)
        }
    }

    public func scopeCounts(device: String) async throws -> [String: Int] {
        try await onConnection { reader in
            var counts: [String: Int] = [:]
            for row in try await reader.rows(
                "SELECT type, count(*) FROM device_scope WHERE device = \(device) GROUP BY type")
            {
                let (type, count) = try row.decode((String, Int).self)
                counts[type] = count
            }
            return counts
        }
    }

    public func isReferenced(device: String, target: String) async throws -> Bool {
        try await onConnection { reader in
            try await reader.rows(
                """
                SELECT EXISTS (SELECT 1 FROM record_refs r JOIN device_scope s
                  ON s.device = \(device) AND s.record_id = r.source_id AND s.reason = 'filter'
                WHERE r.target_id = \(target))
                """
            ).first?.decode(Bool.self) ?? false
        }
    }

    public func missingReferences(device: String) async throws -> [String] {
        try await onConnection { reader in
            try await reader.rows(
                """
                SELECT DISTINCT r.target_id FROM device_scope s
                JOIN record_refs r ON r.source_id = s.record_id
                WHERE s.device = \(device) AND s.reason = 'filter' AND r.target_id NOT LIKE 'sha256:%'
                  AND NOT EXISTS (SELECT 1 FROM device_scope t WHERE t.device = s.device AND t.record_id = r.target_id)
                ORDER BY r.target_id
                """
            ).map { try $0.decode(String.self) }
        }
    }

    public func orphanedReferences(device: String) async throws -> [ScopeEntry] {
        try await onConnection { reader in
            try await reader.rows(
                """
                SELECT t.record_id, t.type, t.version, t.reason FROM device_scope t
                WHERE t.device = \(device) AND t.reason = 'reference' AND NOT EXISTS (
                    SELECT 1 FROM record_refs r JOIN device_scope s
                      ON s.device = t.device AND s.record_id = r.source_id AND s.reason = 'filter'
                    WHERE r.target_id = t.record_id)
                ORDER BY t.record_id
                """
            ).map(Self.scopeEntry)
        }
    }

    /// For a few users, each user's own records and team memberships are read as index ranges in id order, at
    /// most `limit` from each, and merged: a page reads what the users may see, not the whole type. For many
    /// users (or all), the type is walked by id and each row checked.
    public func liveRecords(type: String, visibility: VisibilityScope, after: String, limit: Int) async throws
        -> [CRMModel.Record]
    {
        try await storedLiveRecords(type: type, visibility: visibility, after: after, limit: limit).map { try $0.record() }
    }

    public func storedLiveRecords(type: String, visibility: VisibilityScope, after: String, limit: Int) async throws
        -> [StoredRecord]
    {
        let limit = max(1, limit)
        let columns = PostgresRecordRow.columns
        return try await onConnection { reader in
            let query: PostgresQuery
            switch visibility {
            case .all:
                query = """
                    SELECT \(unescaped: columns) FROM records WHERE type = \(type) AND NOT deleted AND id > \(after)
                    ORDER BY id LIMIT \(limit)
                    """
            case .users(let users) where users.count > 200:
                query = """
                    SELECT \(unescaped: columns) FROM records WHERE type = \(type) AND NOT deleted AND id > \(after)
                      AND (owner = ANY(\(users.sorted()))
                        OR id IN (SELECT record_id FROM record_team WHERE user_name = ANY(\(users.sorted()))))
                    ORDER BY id LIMIT \(limit)
                    """
            case .users(let users):
                query = """
                    SELECT \(unescaped: columns) FROM records WHERE id IN (
                        SELECT owned.id FROM unnest(\(users.sorted())) AS member(name) CROSS JOIN LATERAL (
                            SELECT id FROM records WHERE type = \(type) AND owner = member.name AND NOT deleted
                              AND id > \(after) ORDER BY id LIMIT \(limit)) AS owned
                        UNION
                        SELECT shared.id FROM unnest(\(users.sorted())) AS member(name) CROSS JOIN LATERAL (
                            SELECT r.id FROM record_team t JOIN records r ON r.id = t.record_id
                            WHERE t.user_name = member.name AND t.record_id > \(after) AND r.type = \(type)
                              AND NOT r.deleted
                            ORDER BY t.record_id LIMIT \(limit)) AS shared)
                    ORDER BY id LIMIT \(limit)
                    """
            }
            return try await reader.rows(query).map(PostgresRecordRow.stored)
        }
    }

    public func storedRecords(ids: [String]) async throws -> [StoredRecord] {
        guard !ids.isEmpty else { return [] }
        return try await onConnection { reader in
            try await reader.rows("SELECT \(unescaped: PostgresRecordRow.columns) FROM records WHERE id = ANY(\(ids))")
                .map(PostgresRecordRow.stored)
        }
    }

    /// Runs the batch in one record transaction (holding the sequence counter's lock from its first statement,
    /// so the duplicate and global-key look-ups the applier makes stay true until it commits: two pushes
    /// creating the same Message-ID cannot both find none). The synchronous body runs on a `BlockingBridge`
    /// thread; its statements run here, on the transaction's connection.
    public func push<T: Sendable>(_ body: @escaping @Sendable (any PushTransaction) throws -> T) async throws -> T {
        try await recordTransaction { writer in
            try await BlockingBridge.run { bridge in
                try body(PostgresPushTransaction(writer: writer, bridge: bridge))
            }
        }
    }

    public func opResults(device: String, opIds: [String]) async throws -> [String: Data] {
        guard !opIds.isEmpty else { return [:] }
        return try await onConnection { reader in
            var result: [String: Data] = [:]
            for row in try await reader.rows(
                "SELECT op_id, result FROM op_results WHERE device = \(device) AND op_id = ANY(\(opIds))")
            {
                let (opId, text) = try row.decode((String, String).self)
                result[opId] = Data(text.utf8)
            }
            return result
        }
    }

    public func purge(before date: Date) async throws -> Int {
        let cutoff = PostgresRecordRow.millis(date)
        return try await plainTransaction { writer in
            // Remember the newest change whose tombstone goes: a cursor before it could miss that delete.
            try await writer.rows(
                """
                INSERT INTO meta (key, value)
                SELECT 'purged_seq', max(seq)::text FROM records WHERE deleted AND updated_at < \(cutoff)
                HAVING max(seq) IS NOT NULL
                ON CONFLICT (key) DO UPDATE SET value = greatest(meta.value::bigint, excluded.value::bigint)::text
                """)
            var removed = 0
            for statement: PostgresQuery in [
                "DELETE FROM records WHERE deleted AND updated_at < \(cutoff) RETURNING 1",
                "DELETE FROM op_results WHERE created_at < \(cutoff) RETURNING 1",
                "DELETE FROM sync_sessions WHERE started_at < \(cutoff) RETURNING 1",
            ] {
                removed += try await writer.rows(statement).count
            }
            return removed
        }
    }

    // MARK: - Rows

    /// A device's saved state and its pending delta; `lock` holds the row until the transaction ends.
    private static func state(device: String, lock: Bool, _ writer: PostgresRecordWriter) async throws
        -> (state: DeviceSyncState, delta: String?)?
    {
        let query: PostgresQuery =
            lock
            ? "SELECT state, pending_generation, pending_delta FROM device_sync WHERE device = \(device) FOR UPDATE"
            : "SELECT state, pending_generation, pending_delta FROM device_sync WHERE device = \(device)"
        guard let row = try await writer.rows(query).first else { return nil }
        let (text, pending, delta) = try row.decode((String, Int64?, String?).self)
        var state = try JSONDecoder().decode(DeviceSyncState.self, from: Data(text.utf8))
        state.pendingGeneration = pending
        return (state, delta)
    }

    static func scopeEntry(_ row: PostgresRow) throws -> ScopeEntry {
        let (id, type, version, reason) = try row.decode((String, String, Int, String).self)
        return ScopeEntry(id: id, type: type, version: version, reason: ScopeReason(rawValue: reason) ?? .filter)
    }

    static func syncJSON<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

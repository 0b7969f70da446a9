import CRMModel
import CRMStore
import Foundation
import PostgresNIO

extension PostgresStore {
    /// Runs `body` in a transaction that writes records: its first statement locks the sequence counter's row
    /// (`meta` key `seq`), and each record it writes takes the next number by updating that same row
    /// (`UPDATE meta SET value = value + 1 ... RETURNING`, in `PostgresRecordWriter.save`).
    ///
    /// This is what keeps the change feed from skipping a commit. On PostgreSQL transactions commit in any
    /// order: with a sequence object, a reader could see number 8 committed while 7 is still open, move its
    /// cursor past 7, and never see it. Here the row lock is held until commit or rollback, so a transaction
    /// gets its numbers only after every transaction that got lower ones has ended: numbers are committed in
    /// order, and nothing below a visible number can still appear. It serializes record writers across all
    /// server processes on the database, as SQLite's single writer does; taking the lock first (before any
    /// read) also makes the reads a write depends on (the current version, the live references, a duplicate
    /// or global key look-up) stay true until it commits. Writes that touch no record (scopes, sessions) do not
    /// take it. The writer carries the newest package's global keys, which it keeps in `record_keys`.
    func recordTransaction<T: Sendable>(_ body: @escaping @Sendable (PostgresRecordWriter) async throws -> T)
        async throws -> T
    {
        try await plainTransaction { writer in
            // The same statement reads what the global keys come from (`PostgresStore+Keys`), so a writer that
            // writes no keyed record pays nothing for them.
            let head = try await writer.rows(
                """
                SELECT (SELECT max(version) FROM packages), (SELECT value FROM meta WHERE key = 'keys')
                FROM meta WHERE key = 'seq' FOR UPDATE
                """)
            let (version, built) = try head.first?.decode((Int?, String?).self) ?? (nil, nil)
            var keyed = writer
            keyed.keys = try await self.globalKeys(latestVersion: version, builtFor: built, writer)
            return try await body(keyed)
        }
    }

    /// Runs `body` in a transaction that does not lock the counter (it writes no record), committed when it
    /// returns and rolled back when it throws. What `body` throws comes out as thrown (a push applier's own
    /// error stays its own); the driver's errors are mapped by `storeError`.
    func plainTransaction<T: Sendable>(_ body: @escaping @Sendable (PostgresRecordWriter) async throws -> T)
        async throws -> T
    {
        let outcome: Result<T, any Error> = try await connection { connection in
            let writer = PostgresRecordWriter(connection: connection, logger: self.logger)
            try await writer.rows("BEGIN")
            let value: T
            do {
                value = try await body(writer)
            } catch {
                // The connection may be gone (then the server rolls back by itself).
                _ = try? await writer.rows("ROLLBACK")
                return .failure(error)
            }
            try await writer.commit()
            return .success(value)
        }
        do {
            return try outcome.get()
        } catch let error as PSQLError {
            throw Self.storeError(error)
        }
    }

    /// Runs `body` on a pooled connection outside a transaction (each statement commits by itself).
    func onConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresRecordWriter) async throws -> T)
        async throws -> T
    {
        try await connection { connection in
            try await body(PostgresRecordWriter(connection: connection, logger: self.logger))
        }
    }

    /// Numbers are committed in sequence order (`recordTransaction`), so a plain read by `seq` never passes
    /// over a change that commits later.
    public func changes(after seq: Int64, limit: Int) async throws -> [CRMModel.Record] {
        try await storedChanges(after: seq, limit: limit).map { try $0.record() }
    }

    public func storedChanges(after seq: Int64, limit: Int) async throws -> [StoredRecord] {
        try await onConnection { reader in
            try await reader.rows(
                """
                SELECT \(unescaped: PostgresRecordRow.columns) FROM records WHERE seq > \(seq)
                ORDER BY seq LIMIT \(max(1, limit))
                """
            ).map(PostgresRecordRow.stored)
        }
    }

    /// The last number committed.
    public func lastSequence() async throws -> Int64 {
        try await onConnection { reader in
            try await reader.rows("SELECT value::bigint FROM meta WHERE key = 'seq'").first?.decode(Int64.self) ?? 0
        }
    }
}

import CRMModel
import CRMStore
import Foundation
import GRDB
import Synchronization

/// The server's stores on one SQLite file (the embedded default): WAL mode, one `DatabasePool` for the
/// process's life, a busy timeout so that admin commands can write while `serve` runs.
public final class SQLiteStore: ServerStore {
    /// The pool; GRDB's `DatabasePool` is itself `Sendable`.
    public let pool: DatabasePool
    public let path: String
    /// The global keys of the newest package version writers met (a version never changes, so they stay true).
    let keyCache = Mutex<(version: Int, keys: GlobalKeys)?>(nil)
    /// The connection `checkpointLog` runs on, once it has been called.
    let checkpointer = Mutex<DatabaseQueue?>(nil)

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    public init(path: String, configuration: SQLiteConfiguration = SQLiteConfiguration()) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var config = Configuration()
        config.busyMode = .timeout(configuration.busyTimeout)
        config.maximumReaderCount = configuration.maximumReaders
        let cacheKiB = configuration.cacheKiB
        let mmapBytes = configuration.mmapBytes
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA cache_size = -\(cacheKiB)")
            try db.execute(sql: "PRAGMA mmap_size = \(mmapBytes)")
        }
        do {
            self.pool = try DatabasePool(path: path, configuration: config)
            self.path = path
            try SQLiteSchema.migrator.migrate(pool)
            // Builds the global-key table when a migration made it or the keys changed (a no-op otherwise).
            _ = try pool.write { db in try self.globalKeys(in: db) }
        } catch let error as DatabaseError {
            throw StoreError.database("cannot open \(path): \(error.message ?? error.description)")
        }
    }

    /// Runs `body` in a write transaction, mapping database failures to `StoreError`.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch let error as DatabaseError {
            throw Self.storeError(error)
        }
    }

    /// Runs `body` in a read transaction on one of GRDB's reader queues. Reading on the calling thread (GRDB's
    /// blocking read) measured 30% less server CPU per sync with a thousand clients, but not safely yet: with every
    /// read blocking, the whole test suite run in parallel stalled the cooperative threads for a minute; with
    /// only look-ups blocking, requests timed out (a blocking read can wait for a reader slot that an asynchronous
    /// read keeps until a cooperative thread resumes it). See docs/PERFORMANCE.md.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch let error as DatabaseError {
            throw Self.storeError(error)
        }
    }

    static func storeError(_ error: DatabaseError) -> StoreError {
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: .busy
        default: .database(error.message ?? error.description)
        }
    }
}

/// How the SQLite store opens its file.
public struct SQLiteConfiguration: Sendable {
    /// How long a writer waits for another process's write lock before failing.
    public var busyTimeout: TimeInterval
    /// Concurrent readers in the pool.
    public var maximumReaders: Int
    /// SQLite's page cache per connection, in KiB: random-key index inserts (UUIDs) need it on bulk loads.
    public var cacheKiB: Int

    /// How much of the file readers map into memory (0: none, the default). In WAL mode every commit empties
    /// the other connections' page caches, and a connection that maps the file also unmaps it and maps it again
    /// at its next read (SQLite's `unixUnfetch`): under a thousand syncing clients (about 700 commits a second)
    /// that cost 8.4 ms of server CPU per sync against 5.7 ms for reading the pages again with a `read` call
    /// each, and the pull p50 went from 179 ms to 31 ms without it (`crm-bench clients`, one run each, same
    /// machine). Mapping paid off earlier, when each request made several reads. Writes go through `write`
    /// either way, so a full disk is an error, not a crash.
    public var mmapBytes: Int

    public init(
        busyTimeout: TimeInterval = 10, maximumReaders: Int = 8, cacheKiB: Int = 64 * 1024, mmapBytes: Int = 0
    ) {
        self.busyTimeout = busyTimeout
        self.maximumReaders = maximumReaders
        self.cacheKiB = cacheKiB
        self.mmapBytes = mmapBytes
    }
}

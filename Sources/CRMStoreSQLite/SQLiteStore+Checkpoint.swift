import CRMStore
import Foundation
import GRDB

extension SQLiteStore {
    /// The log pages past which a commit still moves the log itself once `checkpointLog` has taken the work
    /// over (a safety net should the calls stop); SQLite's own bound, which every commit checks, is 1,000.
    static let deferredCheckpointPages = 20_000

    /// Moves the write-ahead log into the database file on a connection of its own (a passive checkpoint: it
    /// waits for no reader and holds up no writer), so that no request's commit pays for it. Without this a
    /// commit that finds the log past 1,000 pages copies every page of it into the file and syncs the file
    /// before its request is answered: one push of 1,000 updates, or one acknowledged page of 1,000 changes on
    /// a large store, paid for a thousand random writes. The first call raises that bound on the pool's
    /// writer to `deferredCheckpointPages`.
    public func checkpointLog() async throws -> Int {
        let connection = try checkpointConnection()
        do {
            return try await connection.writeWithoutTransaction { db in
                try db.checkpoint(.passive).checkpointedFrameCount
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
            // Another checkpoint is running (a commit's own, or another process's): the next call goes on.
            return 0
        } catch let error as DatabaseError {
            throw Self.storeError(error)
        }
    }

    /// The connection checkpoints run on, opened at the first call, which also raises the writer's own bound.
    private func checkpointConnection() throws -> DatabaseQueue {
        try checkpointer.withLock { connection in
            if let connection { return connection }
            do {
                try pool.writeWithoutTransaction { db in
                    try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.deferredCheckpointPages)")
                }
                var configuration = Configuration()
                configuration.label = "checkpoint"
                configuration.busyMode = .immediateError
                let opened = try DatabaseQueue(path: path, configuration: configuration)
                connection = opened
                return opened
            } catch let error as DatabaseError {
                throw Self.storeError(error)
            }
        }
    }
}

import CRMStore
import CRMSyncProtocol
import Foundation

/// Everything the server keeps, on PostgreSQL: the same `ServerStore` as `SQLiteStore`, so `crm-server` can run
/// on either.
extension PostgresStore: ServerStore {
    /// One statement per fact (a pooled connection per statement, as every read here).
    public func requestFacts(tokenHash: String) async throws -> RequestFacts {
        try await separateRequestFacts(tokenHash: tokenHash)
    }

    public func syncSessionFacts(id: String) async throws -> SyncSessionFacts {
        try await separateSyncSessionFacts(id: id)
    }

    public func pageSent(device: String, delta: ScopeDelta, session: String, counts: SyncCounts, expiresAt: Date)
        async throws -> Int64
    {
        try await separatePageSent(device: device, delta: delta, session: session, counts: counts, expiresAt: expiresAt)
    }

    public func beginSyncSession(_ session: SyncSessionRow, state: DeviceSyncState) async throws {
        try await separateBeginSyncSession(session, state: state)
    }
}

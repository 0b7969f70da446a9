import CRMStore
import CRMStoreSQLite
import GRDB
import Testing

/// The SQLite side of devices; what every store does is `DeviceStoreConformance` (CRMStoreConformanceTests).
@Suite("Devices and refresh tokens")
struct DeviceStoreTests {
    @Test func theMigrationAddsTheDevicesSchemaAfterTheFirstOne() async throws {
        try await withStore { store in
            let applied = try await store.pool.read { db in
                try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid")
            }
            #expect(Array(applied.prefix(2)) == ["v1-records-users-sessions", "v2-devices"])
        }
    }
}

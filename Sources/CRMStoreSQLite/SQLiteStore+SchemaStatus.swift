import CRMStore
import GRDB

extension SQLiteStore: SchemaStatus {
    /// Every migration of `SQLiteSchema` applied, and none this program does not know (opening the store
    /// migrates it, so this fails only when another program changed the file since).
    public func checkSchema() async throws {
        let migrator = SQLiteSchema.migrator
        let (complete, unknown) = try await read { db in
            (try migrator.hasCompletedMigrations(db), try migrator.hasBeenSuperseded(db))
        }
        if unknown {
            throw StoreError.database(
                "the database schema is newer than this server: run the newer crm-server that migrated it")
        }
        if !complete {
            throw StoreError.database("the database schema is older than this server: run `crm-server migrate`")
        }
    }
}

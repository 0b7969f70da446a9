import CRMStore
import CRMStorePostgres
import CRMStoreSQLite
import CRMServer
import CRMTesting
import Foundation
import Testing

/// `crm-server copy` as an administrator meets it: a target left partly filled by a copy that stopped is
/// refused with the way to empty it, and a PostgreSQL source is only read (never migrated or written).
@Suite("crm-server copy")
struct CopyCommandTests {
    @Test func aPartlyFilledTargetIsRefusedSayingHowToEmptyIt() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source = try await InstallationCopyTests.makeSource(in: directory)
        // What a copy that stopped after the accounts leaves behind: users, and no records.
        let (postgres, url) = try await InstallationCopyTests.emptyPostgres()
        try await postgres.addUser(User(name: "maria", passwordHash: "x", role: "sales-manager"))
        postgres.close()
        let server = try await PostgresServer.shared()
        defer { server.drop(url) }
        let sqlitePath = directory.path("partial.sqlite")
        try await SQLiteStore(path: sqlitePath).addUser(User(name: "maria", passwordHash: "x", role: "admin"))

        let toPostgres = try await ProcessRunner.run("crm-server", ["copy", "--from", "sqlite:" + source.path, "--to", url])
        #expect(toPostgres.status != 0)
        let name = String(url.split(separator: "/").last!)
        #expect(toPostgres.error.contains("not empty") && toPostgres.error.contains("dropdb ")
            && toPostgres.error.contains("createdb ") && toPostgres.error.contains(name), "\(toPostgres.error)")

        let toSQLite = try await ProcessRunner.run(
            "crm-server", ["copy", "--from", "sqlite:" + source.path, "--to", "sqlite:" + sqlitePath])
        #expect(toSQLite.status != 0)
        #expect(toSQLite.error.contains("not empty") && toSQLite.error.contains("rm " + sqlitePath), "\(toSQLite.error)")
    }

    @Test func aPostgresSourceIsOnlyReadSoAReadOnlyDatabaseCopies() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fixture = try await InstallationCopyTests.makeSource(in: directory)
        let (postgres, url) = try await InstallationCopyTests.emptyPostgres()
        _ = try await InstallationCopy(from: fixture.store, to: postgres).run()
        postgres.close()
        let server = try await PostgresServer.shared()
        defer { server.drop(url) }
        let name = String(url.split(separator: "/").last!)
        // A source nobody may write to (a standby, or a database set read-only while it is moved).
        try server.psql("ALTER DATABASE \(name) SET default_transaction_read_only = on")

        let target = directory.path("copied.sqlite")
        let run = try await ProcessRunner.run("crm-server", ["copy", "--from", url, "--to", "sqlite:" + target])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("verified"), "\(run.output)")
    }
}

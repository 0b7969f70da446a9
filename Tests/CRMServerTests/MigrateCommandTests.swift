import CRMStore
import CRMStorePostgres
import CRMTesting
import Foundation
import Testing

/// `crm-server migrate` on a real PostgreSQL: it creates a fresh database's schema and says what it applied, a
/// second run changes nothing, and a database a newer server migrated is refused by `migrate` and `serve`.
@Suite("crm-server migrate")
struct MigrateCommandTests {
    @Test func migrateCreatesAFreshSchemaSayingWhatItAppliedAndASecondRunAppliesNothing() async throws {
        let server = try await PostgresServer.shared()
        let url = try await server.database(prefix: "crm_migrate")
        defer { server.drop(url) }
        let name = String(url.split(separator: "/").last!)

        let first = try await ProcessRunner.run("crm-server", ["migrate", "--database", url])
        #expect(first.status == 0, "\(first.error)")
        #expect(first.output.contains("applied v0") == false)
        #expect(first.output.contains("applied v1"), "\(first.output)")
        let recorded = try server.psql("SELECT count(*) FROM schema_migrations", database: name)
        let appliedLines = first.output.split(separator: "\n").filter { $0.hasPrefix("applied ") }
        // Every migration recorded is named once (the bookkeeping table itself is not recorded).
        #expect(appliedLines.count == Int(recorded.trimmingCharacters(in: .whitespacesAndNewlines)), "\(recorded)")
        let store = try await PostgresStore.open(try PostgresConfiguration.test(url), migrate: false)
        store.close()

        let second = try await ProcessRunner.run("crm-server", ["migrate", "--database", url])
        #expect(second.status == 0, "\(second.error)")
        #expect(!second.output.contains("applied "), "\(second.output)")
        #expect(second.output.contains("already up to date"), "\(second.output)")
        #expect(try server.psql("SELECT count(*) FROM schema_migrations", database: name) == recorded)
    }

    @Test func aSchemaNewerThanTheServerIsRefusedByMigrateAndServe() async throws {
        let server = try await PostgresServer.shared()
        let url = try await server.database(prefix: "crm_newer")
        defer { server.drop(url) }
        let name = String(url.split(separator: "/").last!)
        #expect(try await ProcessRunner.run("crm-server", ["migrate", "--database", url]).status == 0)
        try server.psql("INSERT INTO schema_migrations (name) VALUES ('v999-from-a-newer-server')", database: name)

        let migrate = try await ProcessRunner.run("crm-server", ["migrate", "--database", url])
        #expect(migrate.status != 0)
        #expect(migrate.error.contains("newer than this server") && migrate.error.contains("v999-from-a-newer-server"),
            "\(migrate.error)")

        let serve = try ServeRun.run(["serve", "--database", url, "--port", "\(try LoopbackPort.free())"])
        #expect(serve.status != 0)
        #expect(serve.error.contains("newer than this server") && serve.error.contains("v999-from-a-newer-server"),
            "\(serve.error)")
    }
}

/// Runs `crm-server serve` expected to stop by itself (it refuses its database); if it serves instead, it is
/// stopped after a minute so that the test fails rather than hangs.
enum ServeRun {
    struct Result {
        var status: Int32
        var error: String
    }

    static func run(_ arguments: [String], environment: [String] = []) throws -> Result {
        let executable = ProcessRunner.binaries.appendingPathComponent("crm-server").path
        let (process, pipes) = try ChildProcess.spawn(
            "/usr/bin/env", environment + [executable] + arguments, output: .null, error: .pipe)
        let watchdog = Task {
            try await Task.sleep(for: .seconds(60))
            process.terminate()
        }
        let error = pipes.error!.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        return Result(status: process.terminationStatus, error: String(decoding: error, as: UTF8.self))
    }
}

import CRMTesting
import Foundation
import Testing

/// A PostgreSQL that asks for a password (SCRAM): real `crm-server` processes take it from
/// `CRM_DATABASE_PASSWORD` or `--database-password-file`, and a wrong or missing one stops them with an error
/// that names the setting and never prints the password.
@Suite("PostgreSQL password", .serialized)
struct DatabasePasswordTests {
    static let password = "s3cret Pässword-7"

    /// Runs `crm-server` with `environment` entries (NAME=VALUE) added.
    static func crmServer(_ arguments: [String], environment: [String] = []) throws -> ProcessRunner.Run {
        let executable = ProcessRunner.binaries.appendingPathComponent("crm-server").path
        return try ProcessRunner.run("/usr/bin/env", environment + [executable] + arguments)
    }

    @Test func migrateTakesThePasswordFromTheEnvironmentOrAFile() async throws {
        let cluster = try await PostgresServer.start(password: Self.password)
        defer { cluster.stop() }
        let url = try await cluster.database()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }

        let fromEnvironment = try Self.crmServer(
            ["migrate", "--database", url], environment: ["CRM_DATABASE_PASSWORD=" + Self.password])
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.error)")
        #expect(fromEnvironment.output.contains("applied "), "\(fromEnvironment.output)")

        let file = directory.path("password")
        try Data((Self.password + "\n").utf8).write(to: URL(fileURLWithPath: file))
        let fromFile = try Self.crmServer(["migrate", "--database", url, "--database-password-file", file])
        #expect(fromFile.status == 0, "\(fromFile.error)")
        #expect(fromFile.output.contains("already up to date"), "\(fromFile.output)")
    }

    @Test func aWrongOrMissingPasswordNamesItsSettingAndIsNeverPrinted() async throws {
        let cluster = try await PostgresServer.start(password: Self.password)
        defer { cluster.stop() }
        let url = try await cluster.database()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let wrong = "wrong-Pässword-42"

        let environment = try Self.crmServer(
            ["migrate", "--database", url], environment: ["CRM_DATABASE_PASSWORD=" + wrong])
        #expect(environment.status != 0)
        #expect(environment.error.contains("CRM_DATABASE_PASSWORD") && environment.error.contains("refused the password"),
            "\(environment.error)")
        #expect(!(environment.output + environment.error).contains(wrong))

        let file = directory.path("password")
        try Data((wrong + "\n").utf8).write(to: URL(fileURLWithPath: file))
        let fromFile = try Self.crmServer(["migrate", "--database", url, "--database-password-file", file])
        #expect(fromFile.status != 0)
        #expect(fromFile.error.contains("--database-password-file " + file), "\(fromFile.error)")
        #expect(!(fromFile.output + fromFile.error).contains(wrong))

        let missing = try Self.crmServer(["migrate", "--database", url])
        #expect(missing.status != 0)
        #expect(missing.error.contains("asks a password") && missing.error.contains("CRM_DATABASE_PASSWORD"),
            "\(missing.error)")

        let serve = try ServeRun.run(
            ["serve", "--database", url, "--port", "\(try LoopbackPort.free())"],
            environment: ["CRM_DATABASE_PASSWORD=" + wrong])
        #expect(serve.status != 0)
        #expect(serve.error.contains("CRM_DATABASE_PASSWORD") && !serve.error.contains(wrong), "\(serve.error)")
    }

    @Test func serveTakesThePasswordFromAFile() async throws {
        let cluster = try await PostgresServer.start(password: Self.password)
        defer { cluster.stop() }
        let url = try await cluster.database()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path("password")
        try Data((Self.password + "\n").utf8).write(to: URL(fileURLWithPath: file))
        let port = try LoopbackPort.free()

        let (serve, _) = try ChildProcess.spawn(
            ProcessRunner.binaries.appendingPathComponent("crm-server").path,
            ["serve", "--database", url, "--database-password-file", file, "--port", "\(port)", "--bcrypt-cost", "4"])
        defer {
            serve.terminate()
            serve.waitUntilExit()
        }
        // It listens only once the store is open (schema migrated, default package published).
        for _ in 0..<1200 where serve.isRunning && !LoopbackPort.canConnect(port) {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(LoopbackPort.canConnect(port), "serve did not start listening")
        let name = String(url.split(separator: "/").last!)
        let migrations = try cluster.psql("SELECT count(*) FROM schema_migrations", database: name)
        #expect((Int(migrations.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 0, "\(migrations)")
    }
}

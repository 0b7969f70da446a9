import CRMStore
import Foundation
import Logging

/// `crm-server backup` and `restore` on PostgreSQL, through PostgreSQL's own tools: `pg_dump` in its custom
/// format (one consistent snapshot: pg_dump reads everything in one repeatable-read transaction, so servers keep
/// writing meanwhile) and `pg_restore`. They come with Debian's `postgresql-client` package.
public enum PostgresBackup {
    /// Dumps the database `configuration` names into a new file at `file`.
    public static func backup(_ configuration: PostgresConfiguration, to file: String) async throws {
        guard !FileManager.default.fileExists(atPath: file) else {
            throw BackupError(.fileExists, "\(file) exists already: a backup never overwrites a file; name a new one")
        }
        do {
            try await run("pg_dump", ["--format=custom", "--no-owner", "--file=\(file)"], configuration)
        } catch {
            try? FileManager.default.removeItem(atPath: file)
            throw error
        }
    }

    /// Replaces what the database holds with the dump in `file`, brings its schema up to date and gives it a new
    /// epoch, so every desktop's cursor is answered with a reset. Refuses a database that holds anything unless
    /// `force`. Stop the servers on it first.
    /// - Returns: the restored store, open.
    public static func restore(
        from file: String, to configuration: PostgresConfiguration, force: Bool,
        logger: Logger = Logger(label: "crm-server.postgres")
    ) async throws -> PostgresStore {
        guard FileManager.default.isReadableFile(atPath: file) else {
            throw BackupError(.unreadable, "\(file) cannot be read")
        }
        let target = try await PostgresStore.open(configuration, logger: logger)
        let held = try await target.installationCounts()
        target.close()
        if !held.isEmpty && !force {
            throw BackupError.targetNotEmpty(held, target: "postgres://\(configuration.host)/\(configuration.database)")
        }
        try await run(
            "pg_restore",
            ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
             "--dbname=\(configuration.database)", file],
            configuration)
        let restored = try await PostgresStore.open(configuration, logger: logger)
        _ = try await restored.renewEpoch()
        return restored
    }

    /// Runs one of PostgreSQL's tools against the database, the password in its environment (never an argument).
    static func run(_ tool: String, _ arguments: [String], _ configuration: PostgresConfiguration) async throws {
        guard let executable = locate(tool) else {
            throw BackupError(
                .toolFailed,
                "\(tool) is not installed: install PostgreSQL's client tools (Debian: apt-get install postgresql-client)")
        }
        var environment = ProcessInfo.processInfo.environment
        environment["PGHOST"] = configuration.host
        environment["PGPORT"] = String(configuration.port)
        environment["PGUSER"] = configuration.user
        environment["PGDATABASE"] = configuration.database
        environment["PGSSLMODE"] = configuration.tls.rawValue
        if let root = configuration.rootCertificate { environment["PGSSLROOTCERT"] = root }
        if let password = configuration.password { environment["PGPASSWORD"] = password }
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("crm-\(tool)-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errors) }
        let handle = try FileHandle(forWritingTo: errors)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardError = handle
        process.standardOutput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        try? handle.close()
        guard status == 0 else {
            let text = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            throw BackupError(
                .toolFailed, "\(tool) failed (exit status \(status)): \(text.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }

    /// The tool on `PATH`, else in the newest `/usr/lib/postgresql/VERSION/bin` (where Debian keeps them).
    static func locate(_ tool: String) -> String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "/usr/lib/postgresql/\($0)/bin" }
        return (paths + versions).map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

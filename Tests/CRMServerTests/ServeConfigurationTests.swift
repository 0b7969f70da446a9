import CRMTesting
import Foundation
import Testing

/// `crm-server serve`'s settings from flags, the environment (`CRM_...`) and a YAML or JSON file (`--config`), as
/// `crm-server config show` prints them: precedence, every check naming its key and source, secrets masked.
@Suite("Serve configuration")
struct ServeConfigurationTests {
    /// Runs `crm-server` with `environment` (`NAME=value`) added to the test's own.
    static func crmServer(_ arguments: [String], environment: [String] = []) async throws -> ProcessRunner.Run {
        let executable = ProcessRunner.binaries.appendingPathComponent("crm-server").path
        return try await ProcessRunner.run("/usr/bin/env", environment + [executable] + arguments)
    }

    /// `config show`'s table as key -> (value, source).
    static func table(_ output: String) -> [String: (value: String, source: String)] {
        var rows: [String: (value: String, source: String)] = [:]
        for line in output.split(separator: "\n").dropFirst() {
            let columns = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard columns.count >= 3 else { continue }
            rows[columns[0]] = (columns[1...].dropLast().joined(separator: " "), columns.last!)
        }
        return rows
    }

    @Test func aFlagWinsOverTheEnvironmentWhichWinsOverTheFileWhichWinsOverTheDefault() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let file = folder.path("crm-server.yaml")
        try """
            server:
              host: 0.0.0.0
              port: 7001
            sync:
              max-page: 100
            load:
              user-burst: 7
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let run = try await Self.crmServer(
            ["config", "show", "--config", file, "--port", "7003"],
            environment: ["CRM_SERVER_PORT=7002", "CRM_SYNC_MAX_PAGE=200"])
        #expect(run.status == 0, "\(run.error)")
        let table = Self.table(run.output)
        #expect(table["server.port"]?.value == "7003" && table["server.port"]?.source == "--port")
        #expect(table["sync.max-page"]?.value == "200" && table["sync.max-page"]?.source == "CRM_SYNC_MAX_PAGE")
        #expect(table["server.host"]?.value == "0.0.0.0" && table["server.host"]?.source == file)
        #expect(table["load.user-burst"]?.value == "7" && table["load.user-burst"]?.source == file)
        #expect(table["auth.bcrypt-cost"]?.value == "12" && table["auth.bcrypt-cost"]?.source == "default")

        let json = folder.path("crm-server.json")
        try #"{"server": {"port": 7004}, "load": {"user-requests-per-second": 2.5}}"#
            .write(toFile: json, atomically: true, encoding: .utf8)
        let fromJSON = Self.table(try await Self.crmServer(["config", "show", "--config", json]).output)
        #expect(fromJSON["server.port"]?.value == "7004" && fromJSON["server.port"]?.source == json)
        #expect(fromJSON["load.user-requests-per-second"]?.value == "2.5")
        // The file can also be named in the environment.
        let named = Self.table(try await Self.crmServer(["config", "show"], environment: ["CRM_CONFIG=" + json]).output)
        #expect(named["server.port"]?.source == json)
    }

    @Test func everyValueThatCannotBeUsedIsRefusedNamingItsKeyAndSource() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        /// A bad value given one way, and the key and source the error must name.
        struct Case {
            var flags: [String] = []
            var environment: [String] = []
            var file: String?
            var key: String
            var source: String
        }
        let file = folder.path("crm.yaml")
        let cases: [Case] = [
            Case(flags: ["--port", "0"], key: "server.port", source: "--port"),
            Case(environment: ["CRM_SERVER_PORT=eighty"], key: "server.port", source: "CRM_SERVER_PORT"),
            Case(file: "server:\n  port: eighty\n", key: "server.port", source: file),
            Case(flags: ["--host", ""], key: "server.host", source: "--host"),
            Case(flags: ["--max-body-bytes", "0"], key: "server.max-body-bytes", source: "--max-body-bytes"),
            Case(flags: ["--tls-cert", "cert.pem"], key: "server.tls-cert", source: "--tls-cert"),
            Case(environment: ["CRM_SERVER_TLS_KEY=key.pem"], key: "server.tls-key", source: "CRM_SERVER_TLS_KEY"),
            Case(file: "auth:\n  bcrypt-cost: 3\n", key: "auth.bcrypt-cost", source: file),
            Case(flags: ["--session-hours", "0"], key: "auth.session-hours", source: "--session-hours"),
            Case(environment: ["CRM_LOG_LEVEL=loud"], key: "log.level", source: "CRM_LOG_LEVEL"),
            Case(flags: ["--retention-days", "0.5"], key: "sync.retention-days", source: "--retention-days"),
            Case(flags: ["--max-sync-page", "0"], key: "sync.max-page", source: "--max-sync-page"),
            Case(flags: ["--max-sync-page-bytes", "0"], key: "sync.max-page-bytes", source: "--max-sync-page-bytes"),
            Case(flags: ["--max-push-ops", "0"], key: "sync.max-push-ops", source: "--max-push-ops"),
            Case(environment: ["CRM_SYNC_WAIT_RECHECK=0"], key: "sync.wait-recheck", source: "CRM_SYNC_WAIT_RECHECK"),
            Case(flags: ["--database-pool", "0"], key: "database.pool", source: "--database-pool"),
            Case(flags: ["--database", "mysql://db/crm"], key: "database.url", source: "--database"),
            Case(
                flags: ["--database", "postgres://crm@db/crm", "--database-password-file", folder.path("none")],
                key: "database.password-file", source: "--database-password-file"),
            Case(file: "database:\n  password: secret\n", key: "database.password", source: file),
            Case(flags: ["--max-sync-requests=-1"], key: "load.max-sync-requests", source: "--max-sync-requests"),
            Case(environment: ["CRM_LOAD_MAX_REQUESTS=-1"], key: "load.max-requests", source: "CRM_LOAD_MAX_REQUESTS"),
            Case(flags: ["--busy-retry-after", "0"], key: "load.retry-after", source: "--busy-retry-after"),
            Case(
                flags: ["--user-requests-per-second=-1"], key: "load.user-requests-per-second",
                source: "--user-requests-per-second"),
            Case(file: "load:\n  user-burst: 0\n", key: "load.user-burst", source: file),
            Case(file: "server:\n  prot: 8080\n", key: "server.prot", source: file),
        ]
        for item in cases {
            var flags = item.flags
            if let content = item.file {
                try content.write(toFile: file, atomically: true, encoding: .utf8)
                flags += ["--config", file]
            }
            let run = try await Self.crmServer(["config", "show"] + flags, environment: item.environment)
            #expect(run.status != 0, "\(item.key) was accepted")
            #expect(run.error.contains("\(item.key) (from \(item.source))"), "\(item.key): \(run.error)")
        }
        // serve checks the same before it opens anything.
        let serve = try await Self.crmServer(
            ["serve", "--database", "sqlite:" + folder.path("crm.sqlite")], environment: ["CRM_SERVER_PORT=70000"])
        #expect(serve.status != 0 && serve.error.contains("server.port (from CRM_SERVER_PORT)"), "\(serve.error)")
        #expect(!FileManager.default.fileExists(atPath: folder.path("crm.sqlite")))
    }

    @Test func configShowMasksSecretsButNotPaths() async throws {
        let run = try await Self.crmServer(
            ["config", "show", "--database", "postgres://crm:pa55word@db.example/crm", "--tls-cert", "/etc/crm/cert.pem",
             "--tls-key", "/etc/crm/key.pem"],
            environment: ["CRM_DATABASE_PASSWORD=hunter2-secret"])
        #expect(!run.output.contains("pa55word") && !run.error.contains("pa55word"), "\(run.output)\(run.error)")
        #expect(!run.output.contains("hunter2-secret") && !run.error.contains("hunter2-secret"))
        let table = Self.table(run.output)
        #expect(table["database.password"]?.value == "********")
        #expect(table["database.password"]?.source == "CRM_DATABASE_PASSWORD")
        #expect(table["database.url"]?.value == "postgres://crm:********@db.example/crm")
        #expect(table["server.tls-key"]?.value == "/etc/crm/key.pem")
        // A password inside the address is refused all the same, naming the key.
        #expect(run.status != 0 && run.error.contains("database.url (from --database)"), "\(run.error)")
    }
}

import CRMModel
import CRMStore
import CRMStoreSQLite
import CRMTesting
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The `crm-server` executable, run as a user would run it, on the store `CRM_TEST_STORE` names (`TestDatabase`).
@Suite struct CommandTests {
    static var binary: URL { ProcessRunner.binaries.appendingPathComponent("crm-server") }

    /// Runs `crm-server` and waits for it on a thread of its own: a test waiting on the concurrency pool (two
    /// threads here) stalls every other test's server meanwhile.
    static func run(
        _ arguments: [String], stdin: String? = nil, in directory: TemporaryDirectory, database: TestDatabase? = nil
    ) async throws -> ProcessRunner.Run {
        try await ProcessRunner.run(
            "crm-server", arguments + (database.map { ["--database", $0.argument] } ?? []), stdin: stdin,
            in: directory.url)
    }

    @Test func usersAreAddedListedChangedAndDisabledFromTheCommandLine() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try await TestDatabase.make(in: directory)
        defer { database.remove() }
        let add = try await Self.run(
            ["user", "add", "alice", "--role", "sales-manager", "--email", "alice@example.com", "--password-stdin",
             "--bcrypt-cost", "4"], stdin: "alice-password\n", in: directory, database: database)
        #expect(add.status == 0, "\(add.error)")
        let bob = try await Self.run(
            ["user", "add", "bob", "--role", "sales-rep", "--manager", "alice", "--password-stdin", "--bcrypt-cost", "4"],
            stdin: "bob-password\n", in: directory, database: database)
        #expect(bob.status == 0, "\(bob.error)")
        let list = try await Self.run(["user", "list"], in: directory, database: database)
        #expect(list.output.contains("alice") && list.output.contains("bob") && list.output.contains("sales-rep"))
        #expect(!list.output.contains("$2"))  // no hashes printed

        let cycle = try await Self.run(["user", "set", "alice", "--manager", "bob"], in: directory, database: database)
        #expect(cycle.status != 0)
        #expect(cycle.error.contains("reports to"))
        let badRole = try await Self.run(
            ["user", "add", "carol", "--role", "astronaut", "--password-stdin"], stdin: "carol-password\n", in: directory, database: database)
        #expect(badRole.status != 0 && badRole.error.contains("astronaut"))
        let noPassword = try await Self.run(["user", "add", "dave", "--role", "sales-rep"], in: directory, database: database)
        #expect(noPassword.status != 0 && noPassword.error.contains("--password-stdin"))
        let disable = try await Self.run(["user", "disable", "bob"], in: directory, database: database)
        #expect(disable.status == 0)
        let bobLine = try await Self.run(["user", "list"], in: directory, database: database).output.split(separator: "\n").first { $0.hasPrefix("bob ") }
        #expect(bobLine?.split(separator: " ").contains("no") == true, "\(bobLine ?? "no line for bob")")
    }

    @Test func serveRefusesSyncLimitsThatCannotWorkNamingTheFlag() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for (flag, value) in [("--retention-days", "0"), ("--max-sync-page", "0"), ("--max-push-ops", "-1")] {
            let run = try await Self.run(["serve", flag, value], in: directory)
            #expect(run.status != 0)
            #expect(run.error.contains(flag), "\(flag): \(run.error)")
        }
    }

    @Test func aBrokenPackageIsRefusedNamingFileLineAndKey() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try await TestDatabase.make(in: directory)
        defer { database.remove() }
        var yaml = try String(contentsOfFile: "packages/default.yaml", encoding: .utf8)
        yaml = yaml.replacingOccurrences(of: "version: 1\n", with: "version: 2\n")
        let lines = yaml.components(separatedBy: "\n")
        let index = try #require(lines.firstIndex { $0.contains("list: industries") })
        var broken = lines
        broken[index] = broken[index].replacingOccurrences(of: "list: industries", with: "list: industriez")
        try broken.joined(separator: "\n").write(toFile: directory.path("broken.yaml"), atomically: true, encoding: .utf8)
        let refused = try await Self.run(["package", "publish", "broken.yaml"], in: directory, database: database)
        #expect(refused.status != 0)
        #expect(refused.error.contains("broken.yaml:\(index + 1):"), "\(refused.error)")
        #expect(refused.error.contains("types.Account.fields.industry.list"))

        let v1 = try await Self.run(
            ["package", "publish", FileManager.default.currentDirectoryPath + "/packages/default.yaml"], in: directory, database: database)
        #expect(v1.status == 0, "\(v1.error)")
        try yaml.write(toFile: directory.path("v2.yaml"), atomically: true, encoding: .utf8)
        let published = try await Self.run(["package", "publish", "v2.yaml"], in: directory, database: database)
        #expect(published.status == 0, "\(published.error)")
        let list = try await Self.run(["package", "list"], in: directory, database: database)
        #expect(list.output.contains("v2") && list.output.contains("v1"))
    }

    @Test func demoDataIsDeterministicBySeed() async throws {
        let first = try TemporaryDirectory()
        let second = try TemporaryDirectory()
        defer {
            first.remove()
            second.remove()
        }
        var databases: [TestDatabase] = []
        for directory in [first, second] {
            let database = try await TestDatabase.make(in: directory)
            databases.append(database)
            let run = try await Self.run(
                ["demo-data", "--records", "300", "--seed", "42", "--password-stdin", "--bcrypt-cost", "4"],
                stdin: "demo-password\n", in: directory, database: database)
            #expect(run.status == 0, "\(run.error)")
            #expect(run.output.contains("diana"))
        }
        defer { for database in databases { database.remove() } }
        func rows(_ database: TestDatabase) async throws -> [String] {
            let store = try await database.open()
            defer { database.close(store) }
            return try await store.changes(after: 0, limit: 10_000).map {
                $0.id + $0.type + $0.owner + FieldJSON.text($0.fields)
            }.sorted()
        }
        let a = try await rows(databases[0])
        let b = try await rows(databases[1])
        #expect(a.count == 300)
        #expect(a == b)
    }

    @Test func anAdminCommandWritingWhileTheServerRunsTakesEffectAtOnce() async throws {
        let server = try await TestServer.make()
        let database = server.databaseArgument
        try await server.run { api in
            let token = try await api.login("rita")
            #expect(try await api.send(.get, "/api/v1/package", token: token).status == .ok)
            let disable = try await Self.run(["user", "disable", "rita", "--database", database], in: server.directory)
            #expect(disable.status == 0, "\(disable.error)")
            #expect(try await api.send(.get, "/api/v1/package", token: token).status == .unauthorized)
            let role = try await Self.run(["user", "set", "peter", "--role", "admin", "--database", database], in: server.directory)
            #expect(role.status == 0, "\(role.error)")
            let peter = try await api.login("peter")
            let package = try await api.send(.get, "/api/v1/package", token: peter).decode(CustomizationPackage.self)
            #expect(package.role?.name == "admin")
        }
    }

    @Test func serveStartsOnAnEmptyFolderAndStopsGracefullyOnSIGTERM() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let port = try LoopbackPort.free()
        let (process, _) = try ChildProcess.spawn(
            Self.binary.path, ["serve", "--port", String(port)], directory: directory.url.path)
        var healthy = false
        for _ in 0..<100 where !healthy {
            try await Task.sleep(for: .milliseconds(100))
            let reply = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/healthz")!)
            healthy = (reply?.1 as? HTTPURLResponse)?.statusCode == 200
        }
        #expect(healthy)
        #expect(FileManager.default.fileExists(atPath: directory.path("crm-data/crm.sqlite")))
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
    }
}

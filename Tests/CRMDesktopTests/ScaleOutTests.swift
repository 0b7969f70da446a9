import CRMDesktop
import CRMTesting
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Two `crm-server` processes on one PostgreSQL database behave as one server: desktops syncing through either,
/// or alternating between them, see the same records, a long-poll held by one is woken by a write through the
/// other (LISTEN/NOTIFY: the nodes' own re-check is 300 s and a wait lasts 120 s, so only the announcement can
/// wake a waiter within the 10 s the tests allow), only when its user can see the change, and a push retried on
/// the other node gets the stored answer.
@Suite("Scale-out on PostgreSQL", .serialized)
struct ScaleOutTests {
    /// A `crm-server serve` process on a PostgreSQL database.
    final class Node: @unchecked Sendable {
        let url: String
        let process: ChildProcess

        init(database: String, recheck: Double = ScaleOutTests.recheck) async throws {
            var found: (String, ChildProcess)?
            for _ in 0..<5 where found == nil {
                let port = try LoopbackPort.free()
                let process = try Processes.start(
                    "crm-server",
                    ["serve", "--database", database, "--port", String(port), "--wait-recheck", String(recheck)])
                let url = "http://127.0.0.1:\(port)"
                if try await Self.healthy(url) { found = (url, process) } else { process.terminate() }
            }
            guard let found else { throw ProcessError.failed("serve", "did not answer /healthz") }
            (url, process) = found
        }

        static func healthy(_ url: String) async throws -> Bool {
            for _ in 0..<100 {
                try await Task.sleep(for: .milliseconds(100))
                let reply = try? await URLSession.shared.data(from: URL(string: url + "/healthz")!)
                if (reply?.1 as? HTTPURLResponse)?.statusCode == 200 { return true }
            }
            return false
        }

        func stop() {
            process.terminate()
            process.waitUntilExit()
        }
    }

    static func desktop(_ home: String, _ arguments: [String], stdin: String? = nil) async throws -> Processes.Run {
        try await Processes.run("crm-desktop", ["--home", home] + arguments, stdin: stdin)
    }

    static func setUp(_ home: String, _ node: Node) async throws {
        let setup = try await desktop(
            home, ["setup", "--server", node.url, "--user", "liam", "--password-stdin", "--yes", "--pim", "none"],
            stdin: ServerProcess.password + "\n")
        #expect(setup.status == 0, "\(setup.error)")
    }

    static func ids(_ home: String, _ type: String) async throws -> Set<String> {
        let list = try await desktop(home, ["list", type, "--format", "json"])
        let rows = try JSONSerialization.jsonObject(with: Data(list.output.utf8)) as? [[String: Any]] ?? []
        return Set(rows.compactMap { $0["id"] as? String })
    }

    /// Points a desktop at another node, as a load balancer would send it elsewhere.
    static func move(_ home: String, to node: Node) throws {
        let path = home + "/settings.json"
        var settings = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        settings["server"] = node.url
        try JSONSerialization.data(withJSONObject: settings).write(to: URL(fileURLWithPath: path))
    }

    /// The nodes' own re-check for changes no notification announced: out of every test's reach.
    static let recheck = 300.0
    /// How long a waiter may take to wake after a write on the other node.
    static let wakeBound = Duration.seconds(10)

    /// Two nodes on a fresh database with demo data.
    static func nodes() async throws -> (Node, Node, cleanup: @Sendable () -> Void) {
        let cluster = try await PostgresServer.shared()
        let database = try await cluster.database()
        let demo = try await Processes.run(
            "crm-server", ["demo-data", "--database", database, "--records", "200", "--seed", "7", "--password-stdin",
                "--bcrypt-cost", "4"], stdin: ServerProcess.password + "\n")
        guard demo.status == 0 else { throw ProcessError.failed("demo-data", demo.error) }
        let first = try await Node(database: database)
        let second = try await Node(database: database)
        return (first, second, { first.stop(); second.stop(); cluster.drop(database) })
    }

    @Test func desktopsSyncingThroughTwoServersOnOneDatabaseSeeTheSameRecordsAndWakeEachOther() async throws {
        let cluster = try await PostgresServer.shared()
        let database = try await cluster.database()
        defer { cluster.drop(database) }
        let demo = try await Processes.run(
            "crm-server", ["demo-data", "--database", database, "--records", "200", "--seed", "7", "--password-stdin",
                "--bcrypt-cost", "4"], stdin: ServerProcess.password + "\n")
        try #require(demo.status == 0, "\(demo.error)")
        // The long-polls' own re-check is out of reach: only the other node's announcement can wake them.
        let first = try await Node(database: database)
        let second = try await Node(database: database)
        defer { first.stop(); second.stop() }
        let directory = try TemporaryDirectory(prefix: "crm-scale-out")
        defer { directory.remove() }
        let laptop = directory.path("laptop"), tablet = directory.path("tablet")
        try await Self.setUp(laptop, first)
        try await Self.setUp(tablet, second)
        #expect(try await Self.ids(laptop, "Account") == Self.ids(tablet, "Account"))

        // The tablet watches through the second node; the laptop writes through the first.
        let watch = try Processes.start("crm-desktop", ["--home", tablet, "sync", "--watch", "900"])
        defer { watch.terminate(); watch.waitUntilExit() }
        try await Task.sleep(for: .seconds(2))
        let created = try await Self.desktop(laptop, ["new", "Account", "name=Made through the first node"])
        #expect(created.status == 0, "\(created.error)")
        let id = created.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await Self.desktop(laptop, ["sync"]).status == 0)
        let clock = ContinuousClock()
        let start = clock.now
        var arrived = false
        // Far above what a notification needs, far below the desktop's 25 s long-poll and the 300 s re-check.
        while clock.now - start < Self.wakeBound, !arrived {
            try await Task.sleep(for: .milliseconds(200))
            arrived = await (try? Self.ids(tablet, "Account").contains(id)) ?? false
        }
        #expect(arrived, "the write through the first node did not reach the desktop waiting on the second")
        watch.terminate()
        watch.waitUntilExit()

        // A desktop sent to the other node for its next syncs (a load balancer's choice) goes on as before.
        try Self.move(laptop, to: second)
        let edited = try await Self.desktop(laptop, ["edit", "Account", id, "city=Lyon"])
        #expect(edited.status == 0, "\(edited.error)")
        let sync = try await Self.desktop(laptop, ["sync"])
        #expect(sync.status == 0, "\(sync.output)\(sync.error)")
        #expect(sync.output.contains("pushed 1 (applied 1"), "\(sync.output)")
        try Self.move(tablet, to: first)
        #expect(try await Self.desktop(tablet, ["sync"]).status == 0)
        let shown = try await Self.desktop(tablet, ["show", "Account", id, "--format", "json"])
        #expect(shown.output.contains("Lyon"), "\(shown.output)")
        #expect(try await Self.ids(laptop, "Account") == Self.ids(tablet, "Account"))
    }
}

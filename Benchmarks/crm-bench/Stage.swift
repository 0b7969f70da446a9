import CRMModel
import CRMTesting
import Foundation

/// A CRM installation for one scenario: a store filled by `crm-server demo-data`, the benchmark package
/// published, and `crm-server serve` running on a loopback port. Everything runs as the release binaries built
/// beside this one, as users run them.
final class Stage: @unchecked Sendable {
    /// The demo users' password.
    static let password = "bench-password"
    /// The filter of the benchmark package that brings every record the user may see, with no limit.
    static let everything = "everything"

    let folder: TemporaryDirectory
    let database: String
    let records: Int
    /// Seconds the generator took.
    private(set) var generated: Double = 0
    private var server: ChildProcess?
    private(set) var port = 0

    var url: String { "http://127.0.0.1:\(port)" }

    /// A store of `records` demo records (seed 1) in a new temporary folder.
    init(records: Int, users: Int = DemoUsers.defaultCount, database: String? = nil) throws {
        folder = try TemporaryDirectory(prefix: "crm-bench")
        self.database = database ?? "sqlite:\(folder.path("crm.sqlite"))"
        self.records = records
        let clock = ContinuousClock()
        let started = clock.now
        try Self.crmServer(
            ["demo-data", "--database", self.database, "--records", "\(records)", "--users", "\(users)", "--seed", "1",
             "--password-stdin", "--bcrypt-cost", "4"], stdin: Self.password)
        generated = (clock.now - started).seconds
        let package = folder.path("bench.yaml")
        try Self.benchPackage().write(toFile: package, atomically: true, encoding: .utf8)
        try Self.crmServer(["package", "publish", "--database", self.database, package])
    }

    deinit {
        stop()
        // For profiling a scenario's programs by hand afterwards (callgrind on `crm-desktop pim sync`, say).
        if ProcessInfo.processInfo.environment["CRM_BENCH_KEEP"] == "1" {
            FileHandle.standardError.write(Data("crm-bench: kept \(folder.url.path)\n".utf8))
        } else {
            folder.remove()
        }
    }

    /// Starts the server (again) and returns once it answers.
    func start(extra: [String] = []) throws {
        stop()
        port = try LoopbackPort.free()
        let log = folder.path("server.log")
        let serve = ["serve", "--database", database, "--port", "\(port)", "--bcrypt-cost", "4", "--log-level", "error"] + extra
        // `CRM_BENCH_SERVER_WRAPPER="valgrind --tool=callgrind --callgrind-out-file=/tmp/server.%p"` runs the server
        // under a profiler (a command and its options, split at spaces); it then gets ten minutes to start.
        let wrapper = ProcessInfo.processInfo.environment["CRM_BENCH_SERVER_WRAPPER"]?.split(separator: " ").map(String.init) ?? []
        server = try ChildProcess.spawn(
            wrapper.isEmpty ? Self.binary("crm-server") : "/usr/bin/env",
            wrapper.isEmpty ? serve : wrapper + [Self.binary("crm-server")] + serve,
            output: .file(log), error: .file(log)
        ).0
        let deadline = Date().addingTimeInterval(wrapper.isEmpty ? 60 : 600)
        while !LoopbackPort.canConnect(port) {
            guard server?.isRunning == true, Date() < deadline else {
                throw BenchError("crm-server did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// The CPU seconds (user and system) the running server has used so far, from `/proc/PID/stat`; a figure that
    /// other programs on a shared machine disturb far less than latencies.
    var serverCPUSeconds: Double? {
        guard let pid = server?.processIdentifier,
            let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // After the command name: state is field 3, utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    func stop() {
        guard let server else { return }
        server.terminate()
        server.waitUntilExit()
        self.server = nil
    }

    // MARK: - Programs

    /// A release binary built beside this one.
    static func binary(_ name: String) -> String { ProcessRunner.binaries.appendingPathComponent(name).path }

    /// Runs `crm-server` to its end; throws with what it printed when it fails.
    @discardableResult
    static func crmServer(_ arguments: [String], stdin: String? = nil) throws -> ProcessRunner.Run {
        try run("crm-server", arguments, stdin: stdin)
    }

    /// Runs `crm-desktop` to its end; throws with what it printed when it fails.
    @discardableResult
    static func crmDesktop(_ arguments: [String], stdin: String? = nil) throws -> ProcessRunner.Run {
        try run("crm-desktop", arguments, stdin: stdin)
    }

    private static func run(_ program: String, _ arguments: [String], stdin: String?) throws -> ProcessRunner.Run {
        let run = try ProcessRunner.run(binary(program), arguments, stdin: stdin)
        guard run.status == 0 else {
            throw BenchError("\(program) \(arguments.prefix(2).joined(separator: " ")) failed (\(run.status)): \(run.error)\(run.output)")
        }
        return run
    }

    /// Sets up a desktop in `home` for `user` with `filter` (its first sync included) and returns the run.
    @discardableResult
    func setUpDesktop(home: String, user: String = "admin", filter: String = Stage.everything) throws -> ProcessRunner.Run {
        try Self.crmDesktop(
            ["setup", "--home", home, "--server", url, "--user", user, "--password-stdin", "--filter", filter,
             "--pim", "none", "--device-name", "bench", "--yes"], stdin: Self.password)
    }

    // MARK: - Package

    /// The default package with one more filter, `everything`: every type, every record the role may see, no
    /// limit (the admin's default), so a first sync brings the whole store.
    static func benchPackage() throws -> String {
        var yaml = try DefaultPackage.yaml()
        // A version above the default's, which demo-data publishes first.
        guard let version = yaml.range(of: "\nversion: 1\n") else { throw BenchError("the default package is not version 1") }
        yaml.replaceSubrange(version, with: "\nversion: 2\n")
        let types = try DefaultPackage.load().types.keys.sorted()
        let filter = ["  - name: \(everything)", "    label: Every record (benchmarks)", "    types:"]
            + types.map { "      \($0): {records: visible}" }
        guard let range = yaml.range(of: "\nfilters:\n") else { throw BenchError("the default package has no filters") }
        yaml.insert(contentsOf: filter.joined(separator: "\n") + "\n", at: range.upperBound)
        guard let admin = yaml.range(of: "    admin: true\n") else { throw BenchError("the default package has no admin role") }
        yaml.insert(contentsOf: "    filters: [\(everything), my-records]\n    defaultFilter: \(everything)\n", at: admin.upperBound)
        return yaml
    }
}

/// A benchmark could not run.
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    var milliseconds: Double { seconds * 1000 }
}

/// How many demo users a generated store has by default: the ten named ones and a few hundred more.
enum DemoUsers {
    static let defaultCount = 300
}

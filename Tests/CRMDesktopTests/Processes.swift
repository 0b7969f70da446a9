import CRMTesting
import Foundation
#if canImport(Glibc)
    import Glibc
#endif
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Real `crm-server` and `crm-desktop` processes on loopback, run as a user runs them.
typealias Processes = ProcessRunner

/// A `crm-server serve` process on a free loopback port with demo data, on the store `CRM_TEST_STORE` names (a
/// SQLite file, or a database on the test PostgreSQL cluster: `TestDatabase`).
final class ServerProcess: @unchecked Sendable {
    // Used by one test at a time, from its own task: the process handle changes only in `pause`/`resume`.
    let directory: TemporaryDirectory
    let url: String
    let database: String
    private let testDatabase: TestDatabase
    private var process: ChildProcess
    /// More arguments of `crm-server serve`, kept for `resume`.
    private let serveArguments: [String]
    static let password = "demo-password-1"

    /// - Parameter serve: more arguments of `crm-server serve`.
    init(records: Int, serve: [String] = []) async throws {
        serveArguments = serve
        directory = try TemporaryDirectory(prefix: "crm-server-process")
        testDatabase = try await TestDatabase.make(in: directory)
        database = testDatabase.argument
        let demo = try await Processes.run(
            "crm-server", ["demo-data", "--database", database, "--records", String(records), "--seed", "7",
                "--password-stdin", "--bcrypt-cost", "4"], stdin: Self.password + "\n")
        guard demo.status == 0 else { throw ProcessError.failed("demo-data", demo.error) }
        var started: (ChildProcess, String)?
        for _ in 0..<5 where started == nil {
            let port = try LoopbackPort.free()
            let process = try Processes.start(
                "crm-server", ["serve", "--database", database, "--port", String(port)] + serve)
            let url = "http://127.0.0.1:\(port)"
            if try await Self.healthy(url) { started = (process, url) } else { process.terminate() }
        }
        guard let started else { throw ProcessError.failed("serve", "did not answer /healthz") }
        (process, url) = started
    }

    private static func healthy(_ url: String) async throws -> Bool {
        for _ in 0..<100 {
            try await Task.sleep(for: .milliseconds(100))
            let reply = try? await URLSession.shared.data(from: URL(string: url + "/healthz")!)
            if (reply?.1 as? HTTPURLResponse)?.statusCode == 200 { return true }
        }
        return false
    }

    /// Stops the server, as when it goes away: its port refuses connections until `resume`.
    func pause() {
        process.terminate()
        process.waitUntilExit()
    }

    /// Starts the server again on the same port and database after `pause`.
    func resume() {
        guard !process.isRunning, let port = URL(string: url)?.port else { return }
        let arguments = ["serve", "--database", database, "--port", String(port)] + serveArguments
        if let again = try? Processes.start("crm-server", arguments) {
            process = again
        }
    }

    /// Kills the server with SIGKILL, as a crash or `kill -9` does: no shutdown, no answer finished.
    func crash() {
        process.signal(SIGKILL)
        process.waitUntilExit()
    }

    /// Starts the server again after `pause` or `crash`, and waits until it answers `/healthz`.
    func restart() async throws {
        resume()
        guard try await Self.healthy(url) else { throw ProcessError.failed("serve", "did not answer /healthz again") }
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
        directory.remove()
        testDatabase.remove()
    }
}

enum ProcessError: Error, CustomStringConvertible {
    case failed(String, String)

    var description: String {
        switch self {
        case .failed(let what, let why): "\(what) failed: \(why)"
        }
    }
}

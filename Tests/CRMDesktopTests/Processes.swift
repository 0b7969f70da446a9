import CRMTesting
import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Real `crm-server` and `crm-desktop` processes on loopback, run as a user runs them.
enum Processes {
    /// The folder of the built executables (beside the test bundle).
    static var binaries: URL { URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent() }

    struct Run: Sendable {
        var status: Int32
        var output: String
        var error: String
    }

    /// Runs an executable (one of ours by name, or any by absolute path) to its end with `stdin` as its input.
    static func run(_ name: String, _ arguments: [String], stdin: String? = nil, environment: [String: String]? = nil)
        throws -> Run
    {
        let process = Process()
        process.executableURL = name.hasPrefix("/") ? URL(fileURLWithPath: name) : binaries.appendingPathComponent(name)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let output = Pipe()
        let error = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, output: String(decoding: out, as: UTF8.self),
            error: String(decoding: err, as: UTF8.self))
    }

    /// Starts an executable in the background, its output thrown away.
    static func start(_ name: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = binaries.appendingPathComponent(name)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }
}

/// A `crm-server serve` process on a free loopback port with demo data on a SQLite file.
final class ServerProcess: @unchecked Sendable {
    // Used by one test at a time, from its own task: the process handle changes only in `pause`/`resume`.
    let directory: TemporaryDirectory
    let url: String
    let database: String
    private var process: Process
    static let password = "demo-password-1"

    init(records: Int) async throws {
        directory = try TemporaryDirectory(prefix: "crm-server-process")
        database = "sqlite:" + directory.path("crm.sqlite")
        let demo = try Processes.run(
            "crm-server", ["demo-data", "--database", database, "--records", String(records), "--seed", "7",
                "--password-stdin", "--bcrypt-cost", "4"], stdin: Self.password + "\n")
        guard demo.status == 0 else { throw ProcessError.failed("demo-data", demo.error) }
        var started: (Process, String)?
        for _ in 0..<5 where started == nil {
            let port = Int.random(in: 20_000..<60_000)
            let process = try Processes.start("crm-server", ["serve", "--database", database, "--port", String(port)])
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
        if let again = try? Processes.start("crm-server", ["serve", "--database", database, "--port", String(port)]) {
            process = again
        }
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
        directory.remove()
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

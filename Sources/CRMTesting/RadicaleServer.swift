import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real CalDAV/CardDAV server for tests: Radicale 3.9 from the virtual environment `.venv-radicale` at the
/// package root (or the program in `RADICALE_BIN`), on a free loopback port, with its storage in a temporary
/// folder and Basic auth for one user (`user` / `password`, from a plain htpasswd file).
///
/// `scripts/test.sh` installs Radicale when the environment is missing.
public final class RadicaleServer: Sendable {
    public static let user = "rita"
    public static let password = "radicale-pass"

    /// The server's root, `http://127.0.0.1:PORT/`.
    public let url: URL
    public let directory: TemporaryDirectory
    private let process: ChildProcess
    /// The keeper's standard input: closing it (or the test process dying) ends the server.
    private let input: FileHandle

    private init(url: URL, directory: TemporaryDirectory, process: ChildProcess, input: FileHandle) {
        self.url = url
        self.directory = directory
        self.process = process
        self.input = input
    }

    /// Why the server could not be started.
    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The radicale program: `RADICALE_BIN`, or `.venv-radicale/bin/radicale` at the package root.
    public static var program: String {
        if let path = ProcessInfo.processInfo.environment["RADICALE_BIN"], !path.isEmpty { return path }
        // #filePath is <root>/Sources/CRMTesting/RadicaleServer.swift.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".venv-radicale/bin/radicale").path
    }

    /// Starts a server with an empty storage and waits until it answers.
    public static func start() async throws -> RadicaleServer {
        let program = self.program
        guard FileManager.default.isExecutableFile(atPath: program) else {
            throw StartError(
                description: "Radicale is not installed at \(program): run scripts/test.sh once (it installs "
                    + "radicale==3.9.0 into .venv-radicale), or set RADICALE_BIN")
        }
        var lastFailure = ""
        for _ in 0..<5 {
            let directory = try TemporaryDirectory(prefix: "crm-radicale")
            let port = try LoopbackPort.free()
            try "\(user):\(password)\n".write(toFile: directory.path("users"), atomically: true, encoding: .utf8)
            let configuration = """
                [server]
                hosts = 127.0.0.1:\(port)
                [auth]
                type = htpasswd
                htpasswd_filename = \(directory.path("users"))
                htpasswd_encryption = plain
                [storage]
                filesystem_folder = \(directory.path("collections"))
                [logging]
                level = info
                mask_passwords = True

                """
            try configuration.write(toFile: directory.path("config"), atomically: true, encoding: .utf8)
            // The environment's own Python runs the keeper when there is one beside the program.
            let python = URL(fileURLWithPath: program).deletingLastPathComponent().appendingPathComponent("python3")
                .path
            let keeper = ChildKeeper.script(stopSignal: "SIGTERM")
            let (executable, arguments) =
                FileManager.default.isExecutableFile(atPath: python)
                ? (python, ["-c", keeper, program, "--config", directory.path("config")])
                : ("/usr/bin/env", ["python3", "-c", keeper, program, "--config", directory.path("config")])
            _ = FileManager.default.createFile(atPath: directory.path("log"), contents: nil)
            let (process, pipes) = try ChildProcess.spawn(
                executable, arguments, input: .pipe, output: .null, error: .file(directory.path("log")))
            guard let input = pipes.input else { throw StartError(description: "no pipe to Radicale's keeper") }
            let server = RadicaleServer(
                url: URL(string: "http://127.0.0.1:\(port)/")!, directory: directory, process: process, input: input)
            // Radicale takes about half a second to start; a port taken meanwhile makes it exit.
            for _ in 0..<400 {
                if !process.isRunning { break }
                let log = (try? String(contentsOfFile: directory.path("log"), encoding: .utf8)) ?? ""
                if log.contains("Radicale server ready"), LoopbackPort.canConnect(port) { return server }
                try await Task.sleep(for: .milliseconds(50))
            }
            let log = (try? String(contentsOfFile: directory.path("log"), encoding: .utf8)) ?? ""
            lastFailure = log.split(separator: "\n").suffix(3).joined(separator: "\n")
            server.stop()
        }
        throw StartError(description: "Radicale did not start: \(lastFailure)")
    }

    /// Ends the server and removes its storage.
    public func stop() {
        try? input.close()
        process.waitUntilExit()
        directory.remove()
    }

    deinit {
        try? input.close()
    }
}

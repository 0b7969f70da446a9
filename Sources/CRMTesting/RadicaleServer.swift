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

    /// Runs Radicale as its child and ends it when standard input closes, so no server outlives a test process
    /// that crashed or was killed; ends when Radicale ends (a port taken meanwhile). It also clears the signal
    /// mask: a process started from a Swift test process inherits blocked signals, and Radicale would ignore
    /// SIGTERM. It closes the descriptors it inherits beyond the standard three: a pipe to another server's
    /// keeper, caught while being set up, would keep that server alive after its test closed it.
    private static let keeper = """
        import os, signal, sys, threading
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        os.closerange(3, 65536)
        child = os.fork()
        if child == 0:
            os.execv(sys.argv[1], sys.argv[1:])
        def end(*_):
            try:
                os.kill(child, signal.SIGTERM)
            except ProcessLookupError:
                pass
        def watch():
            sys.stdin.buffer.read()
            end()
        threading.Thread(target=watch, daemon=True).start()
        signal.signal(signal.SIGTERM, end)
        os.waitpid(child, 0)
        """

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
            let port = try freePort()
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
                if log.contains("Radicale server ready"), canConnect(port: port) { return server }
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

    /// A port nobody listens on now (the kernel's choice for port 0).
    #if os(Linux)
    private static let stream = Int32(SOCK_STREAM.rawValue)
    #else
    private static let stream = SOCK_STREAM
    #endif

    private static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, stream, 0)
        guard descriptor >= 0 else { throw StartError(description: "no socket: \(errno)") }
        defer { close(descriptor) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw StartError(description: "cannot bind a loopback port: \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func canConnect(port: Int) -> Bool {
        let descriptor = socket(AF_INET, stream, 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}

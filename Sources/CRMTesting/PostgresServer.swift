import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real PostgreSQL 15 for tests: one cluster per test process, in a temporary data folder, on a free loopback
/// port, trusting local connections; each test takes a database of its own (`database()`), so tests run in
/// parallel without seeing each other's rows.
///
/// `CRM_TEST_POSTGRES=postgres://USER@HOST:PORT` uses a running server instead. Otherwise the binaries come from
/// `PG_BIN` or `/usr/lib/postgresql/15/bin` (Debian's package `postgresql`, which `scripts/test.sh` installs
/// when it is missing). PostgreSQL refuses to run as root, so under root the cluster runs as the `postgres`
/// user. The server is a child of a keeper that stops it when the test process ends, however it ends.
public final class PostgresServer: Sendable {
    /// `postgres://USER@127.0.0.1:PORT` (no database).
    public let baseURL: String
    public let host: String
    public let port: Int
    public let user: String
    /// The running server process and the keeper's input (closing it stops the server); nil while paused.
    private let running: Mutex<(process: ChildProcess, input: FileHandle?)?>
    private let directory: TemporaryDirectory?
    /// The input of the janitor that removes `directory` when this process ends (never closed by hand).
    private let janitor: FileHandle?
    /// The server's self-signed certificate when it was started with TLS (`start(tls: true)`): what a client
    /// trusts as its root (`sslrootcert`).
    public let certificate: String?
    /// The superuser's password when it was started with one (`start(password:)`): TCP connections must give it
    /// (SCRAM); `psql` here goes through the Unix socket, which stays trusted.
    public let password: String?
    /// Where `psql` connects: the host, or the socket folder of a password-protected cluster.
    private let psqlHost: String

    private init(
        host: String, port: Int, user: String, process: ChildProcess?, input: FileHandle?, directory: TemporaryDirectory?,
        certificate: String? = nil, password: String? = nil
    ) {
        self.certificate = certificate
        self.password = password
        self.psqlHost = password == nil ? host : directory?.url.path ?? host
        self.host = host
        self.port = port
        self.user = user
        self.baseURL = "postgres://\(user)@\(host):\(port)"
        self.running = Mutex(process.map { ($0, input) })
        self.directory = directory
        self.janitor = try? directory.flatMap { directory in
            try ChildProcess.spawn(
                "/usr/bin/env", ["python3", "-c", ChildKeeper.janitor(directory: directory.url.path)], input: .pipe
            ).1.input
        }
    }

    /// Why the server could not be started or used.
    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The process's server, started on first use.
    public static func shared() async throws -> PostgresServer {
        try await Holder.instance.server()
    }

    private actor Holder {
        static let instance = Holder()
        var started: Task<PostgresServer, any Error>?

        func server() async throws -> PostgresServer {
            if let started { return try await started.value }
            let task = Task { try await PostgresServer.start() }
            started = task
            return try await task.value
        }
    }

    /// A new, empty database on the server; its URL is `postgres://USER@HOST:PORT/NAME`.
    public func database(prefix: String = "crm_test") async throws -> String {
        let name = "\(prefix)_\(UInt64.random(in: 0...UInt64.max) & 0xFFFF_FFFF_FFFF)"
        let (host, port, user) = (psqlHost, port, user)
        try await ProcessRunner.offPool { try Self.psql("CREATE DATABASE \(name)", host: host, port: port, user: user) }
        return "\(baseURL)/\(name)"
    }

    /// Drops a database made by `database()` (closing its connections first).
    public func drop(_ url: String) {
        guard let name = url.split(separator: "/").last else { return }
        _ = try? psql("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// Runs one SQL statement with `psql` as the cluster's superuser.
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres") throws -> String {
        try Self.psql(sql, host: psqlHost, port: port, user: user, database: database)
    }

    static func psql(_ sql: String, host: String, port: Int, user: String, database: String = "postgres") throws -> String {
        let run = try ProcessRunner.run(
            binary("psql"), ["-h", host, "-p", "\(port)", "-U", user, "-d", database, "-v", "ON_ERROR_STOP=1", "-X", "-q", "-A", "-t", "-c", sql])
        guard run.status == 0 else { throw StartError(description: "psql \(sql): \(run.error)") }
        return run.output
    }

    static var binaries: String {
        ProcessInfo.processInfo.environment["PG_BIN"] ?? "/usr/lib/postgresql/15/bin"
    }

    static func binary(_ name: String) -> String {
        let path = binaries + "/" + name
        return FileManager.default.isExecutableFile(atPath: path) ? path : "/usr/bin/" + name
    }

    /// A cluster of its own (for tests that stop and restart it, or need TLS); `shared()` serves every other test.
    /// With `tls`, the server takes TLS connections with a self-signed certificate for 127.0.0.1 (`certificate`).
    /// With `password`, TCP connections must authenticate with it (SCRAM-SHA-256, as a production server does).
    /// - Parameter certificateName: the certificate's subjectAltName (another name: a certificate that does not
    ///   name the host clients reach it by).
    public static func start(
        tls: Bool = false, certificateName: String = "IP:127.0.0.1", password: String? = nil
    ) async throws -> PostgresServer {
        if let url = ProcessInfo.processInfo.environment["CRM_TEST_POSTGRES"], !url.isEmpty,
            let parsed = URLComponents(string: url), let host = parsed.host, let port = parsed.port
        {
            return PostgresServer(host: host, port: port, user: parsed.user ?? "postgres", process: nil, input: nil, directory: nil)
        }
        let initdb = binaries + "/initdb"
        guard FileManager.default.isExecutableFile(atPath: initdb) else {
            throw StartError(
                description: "PostgreSQL 15 is not installed at \(binaries): run scripts/test.sh once (it installs the "
                    + "Debian package postgresql), or set PG_BIN or CRM_TEST_POSTGRES")
        }
        let directory = try TemporaryDirectory(prefix: "crm-postgres")
        // initdb and the rest run for seconds: on a thread of their own, not the concurrency pool's.
        let certificate = try await ProcessRunner.offPool {
            try initialize(directory, tls: tls, certificateName: certificateName, password: password)
        }
        var lastFailure = ""
        for _ in 0..<5 {
            let port = try LoopbackPort.free()
            do {
                let (process, input) = try await launch(directory: directory, port: port, socket: password != nil)
                return PostgresServer(
                    host: "127.0.0.1", port: port, user: "postgres", process: process, input: input, directory: directory,
                    certificate: certificate, password: password)
            } catch let error as StartError {
                lastFailure = error.description
            }
        }
        throw StartError(description: "PostgreSQL did not start: \(lastFailure)")
    }

    /// A new cluster in `directory` (initdb, owned by the `postgres` user when run as root); returns the path of
    /// its certificate when `tls`.
    private static func initialize(
        _ directory: TemporaryDirectory, tls: Bool, certificateName: String, password: String?
    ) throws -> String? {
        let initdb = binaries + "/initdb"
        let root = geteuid() == 0
        let data = directory.path("data")
        if root {
            _ = try ProcessRunner.run("/bin/chown", ["-R", "postgres", directory.url.path])
            _ = try ProcessRunner.run("/bin/chmod", ["755", directory.url.path])
        }
        var authentication = ["--auth=trust"]
        if let password {
            let file = directory.path("pwfile")
            try Data((password + "\n").utf8).write(to: URL(fileURLWithPath: file))
            chmod(file, 0o644)
            authentication = ["--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile=" + file]
        }
        let (initProgram, initArguments) = asUser(
            [initdb, "-D", data, "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8"] + authentication)
        let initialized = try ProcessRunner.run(initProgram, initArguments)
        guard initialized.status == 0 else { throw StartError(description: "initdb failed: \(initialized.error)") }
        return tls ? try makeCertificate(in: directory, name: certificateName) : nil
    }

    /// Runs `postgres` on the cluster in `directory` on `port` and waits until it answers.
    /// With `socket`, it is asked through its Unix socket (a password-protected cluster trusts only that).
    private static func launch(directory: TemporaryDirectory, port: Int, socket: Bool = false) async throws
        -> (ChildProcess, FileHandle?)
    {
        let log = directory.path("log-\(port)")
        let tls = FileManager.default.fileExists(atPath: directory.path("data/server.crt"))
        let (program, arguments) = asUser([
            binaries + "/postgres", "-D", directory.path("data"), "-p", "\(port)", "-k", directory.url.path,
            "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=1000",
            "-c", "logging_collector=off",
        ] + (tls ? ["-c", "ssl=on"] : []))
        if !FileManager.default.fileExists(atPath: log) { _ = FileManager.default.createFile(atPath: log, contents: nil) }
        // SIGINT is PostgreSQL's fast shutdown: sessions are cut, nothing is left to recover.
        let (process, pipes) = try ChildProcess.spawn(
            "/usr/bin/env", ["python3", "-c", ChildKeeper.script(stopSignal: "SIGINT"), program] + arguments,
            input: .pipe, output: .null, error: .file(log))
        for _ in 0..<600 {
            if !process.isRunning { break }
            let host = socket ? directory.url.path : "127.0.0.1"
            if LoopbackPort.canConnect(port),
                (try? await ProcessRunner.offPool { try psql("SELECT 1", host: host, port: port, user: "postgres") }) != nil
            {
                return (process, pipes.input)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        try? pipes.input?.close()
        process.waitUntilExit()
        let tail = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").suffix(3)
        throw StartError(description: tail.joined(separator: "\n"))
    }

    /// A self-signed certificate and key for 127.0.0.1 in the data folder (where PostgreSQL looks for them with
    /// `ssl=on`), owned by the server's user; returns a copy of the certificate for clients to trust.
    private static func makeCertificate(in directory: TemporaryDirectory, name: String) throws -> String {
        let data = directory.path("data")
        let made = try ProcessRunner.run(
            "/usr/bin/openssl",
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=" + name, "-keyout", data + "/server.key", "-out", data + "/server.crt"])
        guard made.status == 0 else { throw StartError(description: "openssl failed: \(made.error)") }
        chmod(data + "/server.key", 0o600)
        if geteuid() == 0 {
            _ = try ProcessRunner.run("/bin/chown", ["postgres", data + "/server.key", data + "/server.crt"])
        }
        let copy = directory.path("root.crt")
        try FileManager.default.copyItem(atPath: data + "/server.crt", toPath: copy)
        return copy
    }

    /// The program and arguments that run `arguments` as the `postgres` user when this process is root
    /// (setpriv execs it: no process in between to pass the stop signal on).
    private static func asUser(_ arguments: [String]) -> (String, [String]) {
        geteuid() == 0
            ? ("/usr/bin/setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--"] + arguments)
            : (arguments[0], Array(arguments.dropFirst()))
    }

    /// Stops the server as a database restart does (fast shutdown), keeping its data for `resume`.
    public func pause() {
        let stopped = running.withLock { current -> ChildProcess? in
            defer { current = nil }
            try? current?.input?.close()
            return current?.process
        }
        stopped?.waitUntilExit()
    }

    /// Starts the paused server again on the same port and data.
    public func resume() async throws {
        guard let directory else { return }
        let (process, input) = try await Self.launch(directory: directory, port: port, socket: password != nil)
        running.withLock { $0 = (process, input) }
    }

    /// Stops the cluster now (the keeper would at the process's end anyway).
    public func stop() {
        pause()
        directory?.remove()
    }
}

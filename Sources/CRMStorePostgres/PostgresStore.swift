import CRMModel
import CRMStore
import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import Synchronization

/// The server's stores on PostgreSQL: the same protocols as the SQLite store, so that several stateless
/// `crm-server` processes can share one database behind a load balancer (DESIGN section 5).
///
/// One connection pool per process, sized by the configuration. Every store operation is one transaction;
/// what a request needs lives in the database, never only in this process.
public final class PostgresStore: Sendable {
    public let configuration: PostgresConfiguration
    let client: PostgresClient
    let logger: Logger
    private let runner: Task<Void, Never>
    private let leaseLimit: Mutex<Duration>
    /// How many store calls hold or wait for a connection (`poolUse`).
    let usage = PoolCounter()
    /// The global keys of the newest package version writers met (a version never changes, so they stay true).
    let keyCache = Mutex<(version: Int, keys: GlobalKeys)?>(nil)

    /// How long a request waits for a connection before it fails as `unavailable` (the configuration's
    /// `leaseTimeout` at first).
    public var leaseTimeout: Duration {
        get { leaseLimit.withLock { $0 } }
        set { leaseLimit.withLock { $0 = newValue } }
    }

    private init(configuration: PostgresConfiguration, client: PostgresClient, logger: Logger) {
        self.configuration = configuration
        self.client = client
        self.logger = logger
        self.leaseLimit = Mutex(configuration.leaseTimeout)
        runner = Task { await client.run() }
    }

    /// Connects to the database and brings its schema up to date (`migrate: false` only checks that it is,
    /// writing nothing: for a source that is only read, such as `crm-server copy --from`).
    public static func open(
        _ configuration: PostgresConfiguration, migrate: Bool = true, logger: Logger = Logger(label: "crm-server.postgres")
    ) async throws -> PostgresStore {
        let store = try await connect(configuration, logger: logger)
        do {
            if migrate {
                try await store.bringSchemaUpToDate()
            } else {
                try await PostgresSchema.check(store)
            }
        } catch {
            store.close()
            throw error
        }
        return store
    }

    /// Brings the schema up to date (what `crm-server migrate` does) and returns the names of the migrations
    /// it applied, oldest first: empty when the database was up to date already.
    public static func migrate(
        _ configuration: PostgresConfiguration, logger: Logger = Logger(label: "crm-server.postgres")
    ) async throws -> [String] {
        let store = try await connect(configuration, logger: logger)
        defer { store.close() }
        return try await store.bringSchemaUpToDate()
    }

    /// Makes the pool after one connection of its own proved the address and the password: a refused password
    /// is a `PostgresAuthenticationError` at once, where the pool would keep retrying until the lease timeout. A
    /// database not reachable yet (starting, restarting) is tried again for as long as a request waits for a
    /// connection (`leaseTimeout`: 30 s for commands, 5 s for `serve`), as the pool itself would.
    private static func connect(_ configuration: PostgresConfiguration, logger: Logger) async throws -> PostgresStore {
        let deadline = ContinuousClock.now + configuration.leaseTimeout
        do {
            while true {
                do {
                    let probe = try await PostgresConnection.connect(
                        configuration: listenerConfiguration(configuration), id: 0, logger: logger)
                    try? await probe.close()
                    break
                } catch where isUnreachable(error) && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(250))
                }
            }
        } catch let error as PSQLError where ["28P01", "28000"].contains(error.serverInfo?[.sqlState] ?? "") {
            throw PostgresAuthenticationError(
                user: configuration.user, passwordGiven: configuration.password != nil,
                serverMessage: error.serverInfo?[.message] ?? "authentication failed")
        } catch let error as PSQLError where error.code == .authMechanismRequiresPassword {
            throw PostgresAuthenticationError(
                user: configuration.user, passwordGiven: false, serverMessage: "the server asks for a password")
        } catch {
            throw storeError(error)
        }
        var config = PostgresClient.Configuration(
            host: configuration.host, port: configuration.port, username: configuration.user,
            password: configuration.password, database: configuration.database, tls: Self.tls(configuration))
        config.options.maximumConnections = configuration.maxConnections
        config.options.connectTimeout = .seconds(10)
        return PostgresStore(configuration: configuration, client: PostgresClient(configuration: config), logger: logger)
    }

    @discardableResult
    private func bringSchemaUpToDate() async throws -> [String] {
        let applied = try await PostgresSchema.migrate(self)
        // Builds the global-key table when a migration made it or the keys changed (a no-op otherwise).
        try await recordTransaction { _ in }
        return applied
    }

    /// Closes the pool; the store cannot be used afterwards.
    public func close() {
        runner.cancel()
    }

    private static func tls(_ configuration: PostgresConfiguration) -> PostgresClient.Configuration.TLS {
        switch configuration.tls {
        case .disable: .disable
        case .prefer: .prefer(tlsConfiguration(configuration))
        case .require, .verifyCA, .verifyFull: .require(tlsConfiguration(configuration))
        }
    }

    /// The client's TLS settings, as libpq's `sslmode`: verify-full checks the certificate's signer (the
    /// system's roots, or `sslrootcert`) and that it names the host; verify-ca only the signer; prefer and
    /// require check the signer only when `sslrootcert` is given, and otherwise just encrypt.
    static func tlsConfiguration(_ configuration: PostgresConfiguration) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let root = configuration.rootCertificate { tls.trustRoots = .file(root) }
        switch configuration.tls {
        case .verifyFull: tls.certificateVerification = .fullVerification
        case .verifyCA: tls.certificateVerification = .noHostnameVerification
        case .disable, .prefer, .require:
            tls.certificateVerification = configuration.rootCertificate == nil ? .none : .noHostnameVerification
        }
        return tls
    }

    // MARK: - Running statements

    /// Runs `body` on one connection of the pool, outside a transaction (each statement commits by itself).
    func connection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await leased { started in
            try await self.client.withConnection { connection in
                started.store(true, ordering: .relaxed)
                return try await self.usage.holding { try await body(connection) }
            }
        }
    }

    /// Runs `body` in one transaction, committed when it returns and rolled back when it throws. The caller
    /// gets the error the body threw (a `StoreError` such as `notFound`, or the database's own, mapped), not
    /// postgres-nio's wrapper around it.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await leased { started in
            try await self.client.withConnection { connection in
                started.store(true, ordering: .relaxed)
                return try await self.usage.holding {
                    try await connection.transaction(logger: self.logger) { try await body($0) }
                }
            }
        }
    }

    /// Runs one statement on a pooled connection and collects its rows.
    @discardableResult
    func execute(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await connection { connection in try await connection.rows(query, logger: self.logger) }
    }

    /// Runs `operation`, failing with `unavailable` when no connection could be had within the configured
    /// time: while the database is down, the pool keeps trying to connect and a request would otherwise wait
    /// as long. Once `operation` has its connection (it sets `started`), it runs to its end.
    private func leased<T: Sendable>(
        _ operation: @escaping @Sendable (borrowing Atomic<Bool>) async throws -> T
    ) async throws -> T {
        let timeout = leaseTimeout
        usage.leases.wrappingAdd(1, ordering: .relaxed)
        defer { usage.leases.wrappingSubtract(1, ordering: .relaxed) }
        do {
            return try await withThrowingTaskGroup(of: T?.self) { group in
                let started = Box()
                group.addTask { try await operation(started.flag) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    if !started.flag.load(ordering: .relaxed) {
                        throw StoreError.unavailable("no database connection within \(timeout)")
                    }
                    return nil
                }
                while let result = try await group.next() {
                    if let value = result {
                        group.cancelAll()
                        return value
                    }
                }
                throw CancellationError()
            }
        } catch {
            throw Self.storeError(error)
        }
    }

    /// A flag shared by the operation and its timer.
    private final class Box: Sendable {
        let flag = Atomic<Bool>(false)
    }

    /// What an administrator reads when the database refused or dropped a connection: the cause in plain
    /// words, what to do, then the database's own message and its SQLSTATE.
    static func unavailableReason(_ state: String, _ message: String) -> String {
        let reason =
            switch state {
            case "53300": "it has no connection to spare (too many clients: lower --database-pool on the servers "
                + "or raise the database's max_connections)"
            case "57P01": "it is shutting down or an administrator ended the connection"
            case "57P02": "it is restarting after a crash"
            case "57P03": "it is starting up or shutting down and takes no connections yet"
            default: "the connection was lost"
            }
        return "\(reason); retry shortly (\(message), SQLSTATE \(state))"
    }

    /// The store's error for what the database or the driver threw: an unreachable database is `unavailable`
    /// (the server answers 503 and retries later), as is one refusing connections (53300, 57P03) or shutting
    /// down (57P01); a serialization failure or deadlock is `busy`, a unique
    /// violation `alreadyExists`; a `StoreError` thrown by store code passes through.
    /// Whether `error` says nothing answered at the address (refused, reset, timed out), as opposed to a
    /// server that answered and refused (password, TLS, database name).
    static func isUnreachable(_ error: any Error) -> Bool {
        if let error = error as? PSQLError {
            guard error.code == .connectionError, error.serverInfo == nil else { return false }
            return error.underlying.map(isUnreachable) ?? true
        }
        return error is NIOConnectionError || error is IOError || error is ChannelError
    }

    static func storeError(_ error: any Error) -> any Error {
        if error is StoreError || error is CancellationError { return error }
        if let error = error as? PSQLError {
            // A connection the server ended carries the server's last word (57P01 and why) when it sent one.
            switch error.serverInfo?[.sqlState] == nil ? error.code : .server {
            case .server:
                let state = error.serverInfo?[.sqlState] ?? ""
                let message = error.serverInfo?[.message] ?? "\(error)"
                switch state {
                case "40001", "40P01", "55P03": return StoreError.busy
                case "23505": return StoreError.alreadyExists(error.serverInfo?[.constraintName] ?? message)
                case "53300", "57P01", "57P02", "57P03", "08000", "08003", "08006":
                    return StoreError.unavailable(unavailableReason(state, message))
                default: return StoreError.database("\(message) (SQLSTATE \(state))")
                }
            case .connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed, .uncleanShutdown,
                .sslUnsupported, .failedToAddSSLHandler:
                return StoreError.unavailable("the connection was lost or refused; retry shortly (\(error.code))")
            default:
                return StoreError.database("\(error.code): \(error)")
            }
        }
        if error is NIOConnectionError || error is IOError || error is ChannelError {
            return StoreError.unavailable("\(error)")
        }
        return StoreError.database("\(error)")
    }
}

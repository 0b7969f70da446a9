import Foundation

/// Where a PostgreSQL store connects: read from `postgres://USER@HOST:PORT/DATABASE?sslmode=MODE`. The password
/// never travels in the address (it would show in process lists and shell history): it comes from the
/// environment or a file, given separately.
public struct PostgresConfiguration: Sendable, Equatable {
    /// How the connection to the database is protected, read as libpq reads `sslmode`.
    public enum TLSMode: String, Sendable, CaseIterable {
        /// Plain TCP (loopback, or a trusted network).
        case disable
        /// TLS when the server offers it, plain otherwise; the certificate is checked only against `sslrootcert`.
        case prefer
        /// TLS or no connection; the certificate is checked only against `sslrootcert` when one is given
        /// (encryption without it, as libpq does).
        case require
        /// TLS, and the certificate must be signed by `sslrootcert` (or the system's roots).
        case verifyCA = "verify-ca"
        /// As `verifyCA`, and the certificate must name the host the address names.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var password: String?
    public var tls: TLSMode
    /// The most connections one server process opens (the pool's size).
    public var maxConnections: Int
    /// A PEM file of the certificates that sign the server's (`sslrootcert`), for a server whose certificate
    /// the system does not trust (a company's own authority); nil: the system's roots.
    public var rootCertificate: String?
    /// How long a request waits for a connection before it fails as `unavailable` (the database is down).
    public var leaseTimeout: Duration = .seconds(5)

    public init(
        host: String, port: Int = 5432, user: String, database: String, password: String? = nil,
        tls: TLSMode = .disable, maxConnections: Int = 20
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.password = password
        self.tls = tls
        self.maxConnections = maxConnections
    }

    /// Reads `postgres://USER@HOST[:PORT]/DATABASE[?sslmode=MODE&sslrootcert=FILE]` (the modes of libpq:
    /// disable, prefer, require, verify-ca, verify-full); a password inside the
    /// address is refused, naming the way to give it.
    public init(url text: String, password: String? = nil, maxConnections: Int = 20) throws(PostgresConfigurationError) {
        guard let url = URLComponents(string: text), ["postgres", "postgresql"].contains(url.scheme ?? "") else {
            throw PostgresConfigurationError("'\(text)' is not a postgres://USER@HOST:PORT/DATABASE address")
        }
        if url.password != nil {
            throw PostgresConfigurationError(
                "the address holds a password; give it in the environment (CRM_DATABASE_PASSWORD) or a file "
                    + "(--database-password-file) instead")
        }
        guard let host = url.host, !host.isEmpty else { throw PostgresConfigurationError("'\(text)' names no host") }
        guard let user = url.user, !user.isEmpty else {
            throw PostgresConfigurationError("'\(text)' names no user (postgres://USER@HOST/DATABASE)")
        }
        let database = String(url.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw PostgresConfigurationError("'\(text)' names no database (postgres://USER@HOST/DATABASE)")
        }
        var tls = TLSMode.disable
        var rootCertificate: String?
        for item in url.queryItems ?? [] {
            switch item.name {
            case "sslrootcert":
                guard let path = item.value, !path.isEmpty else {
                    throw PostgresConfigurationError("sslrootcert names a PEM file of the certificates to trust")
                }
                rootCertificate = path
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    throw PostgresConfigurationError(
                        "sslmode '\(item.value ?? "")' is not one of: "
                            + TLSMode.allCases.map(\.rawValue).joined(separator: ", "))
                }
                tls = mode
            default:
                throw PostgresConfigurationError(
                    "unknown option '\(item.name)' in the address (known: sslmode, sslrootcert)")
            }
        }
        guard maxConnections >= 1 else { throw PostgresConfigurationError("the pool needs at least one connection") }
        self.init(
            host: host, port: url.port ?? 5432, user: user, database: database, password: password, tls: tls,
            maxConnections: maxConnections)
        self.rootCertificate = rootCertificate
    }

    /// The address without the password, for logs and messages.
    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }
}

/// A database address or setting that cannot be used, saying what to write instead.
public struct PostgresConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

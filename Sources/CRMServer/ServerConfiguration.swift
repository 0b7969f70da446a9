import CRMStore
import Foundation

/// How the CRM server runs. Reading it from flags, the environment or a file is the executable's job.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// How long a login session lasts.
    public var sessionLifetime: TimeInterval
    /// The bcrypt cost of new password hashes (12 takes about 0.2 s a hash on these machines).
    public var bcryptCost: UInt8
    /// The largest request body accepted, in bytes; larger ones get 413.
    public var maxBodyBytes: Int
    /// The most records one list page returns.
    public var maxPageSize: Int
    /// How long a device's refresh token opens new sessions without the password.
    public var refreshTokenLifetime: TimeInterval
    /// Failed logins per user name.
    public var throttle: ThrottlePolicy
    /// Failed logins per client address: looser, since an office behind one address holds many users.
    public var addressThrottle: ThrottlePolicy
    /// Sync sessions: page sizes, push limits, lifetimes, retention.
    public var sync: SyncConfiguration = SyncConfiguration()
    /// Bounds on requests served at once and per-user request rates (503/429 past them); none by default.
    public var load: LoadLimits = LoadLimits()
    /// The certificate and key to answer HTTPS with; nil: plain HTTP (behind a TLS-terminating proxy, or on
    /// loopback).
    public var tls: ServerTLS?
    /// Who may read `GET /metrics` without a session (anyone else needs an admin's); loopback by default.
    /// Behind a proxy the peer is the proxy: allow the Prometheus host directly, not the proxy's address.
    public var metricsNetworks: [NetworkRange] = NetworkRange.loopback

    public init(
        host: String = "127.0.0.1", port: Int = 8080, sessionLifetime: TimeInterval = 8 * 3600,
        bcryptCost: UInt8 = 12, maxBodyBytes: Int = 1 << 20, maxPageSize: Int = 1000,
        throttle: ThrottlePolicy = ThrottlePolicy(),
        addressThrottle: ThrottlePolicy = ThrottlePolicy(maxFailures: 20, window: 900, lock: 30, maxLock: 900),
        refreshTokenLifetime: TimeInterval = 180 * 86400
    ) {
        self.host = host
        self.port = port
        self.sessionLifetime = sessionLifetime
        self.bcryptCost = bcryptCost
        self.maxBodyBytes = maxBodyBytes
        self.maxPageSize = maxPageSize
        self.throttle = throttle
        self.addressThrottle = addressThrottle
        self.refreshTokenLifetime = refreshTokenLifetime
    }
}

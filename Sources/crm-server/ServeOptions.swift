import ArgumentParser
import CRMServer
import Foundation

/// The flags of `serve` (and `config show`): each optional, so that an unset flag leaves its key to the
/// environment, the configuration file or the default (`ServerSettings`).
struct ServeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A configuration file, YAML or JSON (also $CRM_CONFIG).", valueName: "FILE"))
    var config: String?
    @Option(
        help: ArgumentHelp(
            "The database: sqlite:PATH (default sqlite:./crm-data/crm.sqlite) or postgres://USER@HOST:PORT/DATABASE "
                + "(its password from $CRM_DATABASE_PASSWORD or --database-password-file, never in the address).",
            valueName: "DATABASE"))
    var database: String?
    @Option(help: ArgumentHelp("A file whose first line is the PostgreSQL password.", valueName: "FILE"))
    var databasePasswordFile: String?
    @Option(help: "The most PostgreSQL connections this process opens (default 20).") var databasePool: String?
    @Option(help: "The address to listen on (default 127.0.0.1).") var host: String?
    @Option(help: "The port to listen on (default 8080).") var port: String?
    @Option(help: "The bcrypt cost of new password hashes, 4-31 (default 12).") var bcryptCost: String?
    @Option(help: "Hours a login session lasts (default 8).") var sessionHours: String?
    @Option(help: "The largest request body in bytes (default 1 MiB).") var maxBodyBytes: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (default info).") var logLevel: String?
    @Option(help: "Log lines as text, or as one JSON object a line: text or json (default text).") var logFormat: String?
    @Option(help: "Serve the web UI's pages beside the API: true or false (default true).") var web: String?
    @Option(
        help: ArgumentHelp(
            "Networks (CIDR, like 10.0.0.0/8, or one address; several separated by commas) whose hosts may read "
                + "/metrics without a session (default 127.0.0.0/8,::1). Others need an admin's session.",
            valueName: "CIDRS"))
    var metricsAllow: String?
    @Option(help: "Days tombstones, op ids and sync log rows are kept; older desktop cursors get a reset (default 90).")
    var retentionDays: String?
    @Option(help: "The most records one sync pull page may carry (default 5000).") var maxSyncPage: String?
    @Option(help: "The most bytes one sync pull page may carry (default 4 MiB).") var maxSyncPageBytes: String?
    @Option(help: "The most operations one sync push may carry (default 1000).") var maxPushOps: String?
    @Option(
        help: ArgumentHelp(
            "Seconds between a long-poll's own checks for changes nothing announced: writes by admin commands "
                + "(user, package, device, demo-data). Each check costs a read per waiting desktop."))
    var waitRecheck: String?
    @Option(
        help: ArgumentHelp(
            "Answer HTTPS with this certificate chain (a PEM file: the server's certificate, then any "
                + "intermediates). Needs --tls-key.", valueName: "FILE"))
    var tlsCert: String?
    @Option(help: ArgumentHelp("The private key of --tls-cert (a PEM file, not encrypted).", valueName: "FILE"))
    var tlsKey: String?
    @Option(help: "Sync requests (begin, pull, push, end) served at once; past it 503 with Retry-After (default 256; 0: no bound).")
    var maxSyncRequests: String?
    @Option(help: "Other requests served at once; past it 503 with Retry-After (default 1024; 0: no bound; long-polls never count).")
    var maxRequests: String?
    @Option(help: "The Retry-After seconds of a request shed past a bound (default 2).") var busyRetryAfter: String?
    @Option(help: "Requests one user may send per second, sustained; past it 429 with Retry-After (0: no limit).")
    var userRequestsPerSecond: String?
    @Option(help: "Requests one user may send in a burst above that rate (default 100).") var userBurst: String?

    /// The flags given, by setting key.
    var given: [String: String] {
        let pairs: [(String, String?)] = [
            ("database.url", database), ("database.password-file", databasePasswordFile),
            ("database.pool", databasePool), ("server.host", host), ("server.port", port),
            ("server.tls-cert", tlsCert), ("server.tls-key", tlsKey), ("server.max-body-bytes", maxBodyBytes),
            ("auth.bcrypt-cost", bcryptCost), ("auth.session-hours", sessionHours), ("log.level", logLevel),
            ("log.format", logFormat), ("server.web", web), ("metrics.allow", metricsAllow),
            ("sync.retention-days", retentionDays), ("sync.max-page", maxSyncPage),
            ("sync.max-page-bytes", maxSyncPageBytes), ("sync.max-push-ops", maxPushOps),
            ("sync.wait-recheck", waitRecheck), ("load.max-sync-requests", maxSyncRequests),
            ("load.max-requests", maxRequests), ("load.retry-after", busyRetryAfter),
            ("load.user-requests-per-second", userRequestsPerSecond), ("load.user-burst", userBurst),
        ]
        return Dictionary(uniqueKeysWithValues: pairs.compactMap { key, value in value.map { (key, $0) } })
    }

    /// The effective settings: these flags over the environment over the file over the defaults, checked.
    func resolve(environment: [String: String] = ProcessInfo.processInfo.environment, validate: Bool = true)
        async throws -> ServerSettings
    {
        try await ServerSettings.resolve(flags: given, environment: environment, file: config, validate: validate)
    }
}

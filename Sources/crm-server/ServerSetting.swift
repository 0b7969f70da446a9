import CRMServer

/// One setting of `crm-server serve`, readable from a flag, the environment and a configuration file.
///
/// Naming: the key is dotted (`server.port`); in a YAML or JSON file it is the same path (`server:` then
/// `port:`); in the environment it is `CRM_` followed by the key in capitals with dots and dashes as underscores
/// (`CRM_SERVER_PORT`, `CRM_SERVER_TLS_CERT`); the flag keeps its name (`--port`).
struct ServerSetting: Sendable {
    enum Kind: Sendable {
        case string, int, double
    }

    /// The dotted key, such as `server.port`.
    let key: String
    /// The flag of `serve` (nil: none, as for a password, which never goes in an argument).
    let flag: String?
    let kind: Kind
    /// The value when no source gives one (nil: unset).
    let defaultValue: String?
    /// A secret: `config show` prints it masked.
    let secret: Bool

    init(_ key: String, flag: String?, _ kind: Kind, _ defaultValue: String?, secret: Bool = false) {
        self.key = key
        self.flag = flag
        self.kind = kind
        self.defaultValue = defaultValue
        self.secret = secret
    }

    /// The key's path in a configuration file.
    var components: [String] { key.split(separator: ".").map(String.init) }

    /// `CRM_` and the key in capitals, dots and dashes as underscores.
    var environmentName: String {
        "CRM_" + key.uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
    }

    /// Every setting of `serve`, in the order `config show` prints them.
    static let all: [ServerSetting] = [
        ServerSetting("database.url", flag: "--database", .string, "sqlite:./crm-data/crm.sqlite"),
        ServerSetting("database.password", flag: nil, .string, nil, secret: true),
        ServerSetting("database.password-file", flag: "--database-password-file", .string, nil),
        ServerSetting("database.pool", flag: "--database-pool", .int, "20"),
        ServerSetting("server.host", flag: "--host", .string, "127.0.0.1"),
        ServerSetting("server.port", flag: "--port", .int, "8080"),
        ServerSetting("server.tls-cert", flag: "--tls-cert", .string, nil),
        ServerSetting("server.tls-key", flag: "--tls-key", .string, nil),
        ServerSetting("server.max-body-bytes", flag: "--max-body-bytes", .int, String(1 << 20)),
        ServerSetting("auth.bcrypt-cost", flag: "--bcrypt-cost", .int, "12"),
        ServerSetting("auth.session-hours", flag: "--session-hours", .double, "8"),
        ServerSetting("log.level", flag: "--log-level", .string, "info"),
        ServerSetting("log.format", flag: "--log-format", .string, "text"),
        ServerSetting("server.web", flag: "--web", .string, "true"),
        ServerSetting("metrics.allow", flag: "--metrics-allow", .string, "127.0.0.0/8,::1"),
        ServerSetting("sync.retention-days", flag: "--retention-days", .double, "90"),
        ServerSetting("sync.max-page", flag: "--max-sync-page", .int, "5000"),
        ServerSetting("sync.max-page-bytes", flag: "--max-sync-page-bytes", .int, String(4 << 20)),
        ServerSetting("sync.max-push-ops", flag: "--max-push-ops", .int, "1000"),
        ServerSetting("sync.wait-recheck", flag: "--wait-recheck", .double, "\(SyncConfiguration().waitRecheck)"),
        ServerSetting("load.max-sync-requests", flag: "--max-sync-requests", .int, "256"),
        ServerSetting("load.max-requests", flag: "--max-requests", .int, "1024"),
        ServerSetting("load.retry-after", flag: "--busy-retry-after", .int, "2"),
        ServerSetting("load.user-requests-per-second", flag: "--user-requests-per-second", .double, "0"),
        ServerSetting("load.user-burst", flag: "--user-burst", .int, "100"),
    ]

    static func named(_ key: String) -> ServerSetting? { all.first { $0.key == key } }
}

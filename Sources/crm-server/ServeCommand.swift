import ArgumentParser
import CRMServer
import CRMWeb
import Hummingbird
import Logging
import ServiceLifecycle

/// `crm-server serve`: runs the HTTP API and the web UI until SIGINT or SIGTERM, then shuts down gracefully.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the CRM server.")

    @OptionGroup var store: StoreOptions
    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port to listen on.") var port = 8080
    @Option(help: "The bcrypt cost of new password hashes (4-31).") var bcryptCost: UInt8 = 12
    @Option(help: "Hours a login session lasts.") var sessionHours: Double = 8
    @Option(help: "The largest request body in bytes.") var maxBodyBytes = 1 << 20
    @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel: Logger.Level = .info
    @Option(help: "Log lines as text, or as one JSON object a line (json).") var logFormat: LogFormat = .text
    @Option(
        help: ArgumentHelp(
            "A network (CIDR, like 10.0.0.0/8, or one address) whose hosts may read /metrics without a session; "
                + "repeat for several. Default: loopback (127.0.0.0/8 and ::1). Others need an admin's session.",
            valueName: "CIDR"))
    var metricsAllow: [String] = []
    @Option(help: "Days tombstones, op ids and sync log rows are kept; older desktop cursors get a reset.")
    var retentionDays: Double = 90
    @Option(help: "The most records one sync pull page may carry.") var maxSyncPage = 5000
    @Option(help: "The most bytes one sync pull page may carry (a page ends at the record that fills it).")
    var maxSyncPageBytes = 4 << 20
    @Option(help: "The most operations one sync push may carry.") var maxPushOps = 1000
    @Option(
        help: ArgumentHelp(
            "Seconds between a long-poll's own checks for changes nothing announced: writes by admin commands "
                + "(user, package, device, demo-data), on either store (on PostgreSQL the writes of every serve "
                + "process are announced at once). Each check costs a read per waiting desktop."))
    var waitRecheck: Double = SyncConfiguration().waitRecheck
    @Option(
        help: ArgumentHelp(
            "Answer HTTPS with this certificate chain (a PEM file: the server's certificate, then any "
                + "intermediates). Needs --tls-key.", valueName: "FILE"))
    var tlsCert: String?
    @Option(help: ArgumentHelp("The private key of --tls-cert (a PEM file, not encrypted).", valueName: "FILE"))
    var tlsKey: String?
    @Flag(help: "Serve only the API under /api/v1, without the web UI's pages.") var noWeb = false

    func validate() throws {
        guard (4...31).contains(bcryptCost) else { throw ValidationError("--bcrypt-cost is between 4 and 31") }
        guard (1...65535).contains(port) else { throw ValidationError("--port is between 1 and 65535") }
        guard retentionDays >= 1 else { throw ValidationError("--retention-days is at least 1") }
        guard waitRecheck > 0 else { throw ValidationError("--wait-recheck is above 0") }
        guard maxSyncPageBytes >= 1 else { throw ValidationError("--max-sync-page-bytes is at least 1") }
        guard (tlsCert == nil) == (tlsKey == nil) else {
            throw ValidationError("--tls-cert and --tls-key go together: give both for HTTPS, or neither")
        }
        for text in metricsAllow {
            do { _ = try NetworkRange(text) } catch { throw ValidationError("--metrics-allow: \(error)") }
        }
        guard maxSyncPage >= 1, maxPushOps >= 1 else {
            throw ValidationError("--max-sync-page and --max-push-ops are at least 1")
        }
    }

    func run() async throws {
        if logFormat == .json {
            LoggingSystem.bootstrap { label in JSONLogHandler(label: label) }
        }
        var logger = Logger(label: "crm-server")
        logger.logLevel = logLevel
        let database = try await store.open(connectionWait: .seconds(5))
        if try await store.ensurePackage(database) {
            logger.notice("published the default customization package")
        }
        var configuration = ServerConfiguration(
            host: host, port: port, sessionLifetime: sessionHours * 3600, bcryptCost: bcryptCost,
            maxBodyBytes: maxBodyBytes)
        configuration.sync.retention = retentionDays * 86_400
        configuration.sync.maxPageSize = maxSyncPage
        configuration.sync.maxPageBytes = maxSyncPageBytes
        configuration.sync.defaultPageSize = min(configuration.sync.defaultPageSize, maxSyncPage)
        configuration.sync.maxOpsPerPush = maxPushOps
        configuration.sync.waitRecheck = waitRecheck
        if !metricsAllow.isEmpty { configuration.metricsNetworks = try metricsAllow.map(NetworkRange.init) }
        if let tlsCert, let tlsKey { configuration.tls = ServerTLS(certificateFile: tlsCert, keyFile: tlsKey) }
        let app = try CRMApplication.make(
            store: database, configuration: configuration, logger: logger, additions: noWeb ? [] : [try WebUI().addition])
        let group = ServiceGroup(
            configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logger.notice("crm-server listening on \(configuration.tls == nil ? "http" : "https")://\(host):\(port) with \(store.database)")
        try await group.run()
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// How `serve` writes its log: swift-log's text lines, or JSON lines (`JSONLogHandler`).
enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

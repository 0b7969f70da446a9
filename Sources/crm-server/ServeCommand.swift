import ArgumentParser
import CRMServer
import CRMWeb
import Hummingbird
import Logging
import ServiceLifecycle

/// `crm-server serve`: runs the HTTP API and the web UI until SIGINT or SIGTERM, then shuts down gracefully.
/// Every setting also comes from the environment (`CRM_SERVER_PORT`, ...) or a configuration file
/// (`ServerSettings`).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the CRM server.",
        discussion: """
            Every option can also be set in the environment (CRM_ and the setting's key in capitals: \
            CRM_SERVER_PORT, CRM_DATABASE_URL, CRM_LOAD_MAX_SYNC_REQUESTS, ...) or in a YAML or JSON file given \
            with --config (server: port: 8080). Flags win over the environment, the environment over the file, \
            the file over the defaults. `crm-server config show` prints what is in effect and where it came from.
            """)

    @OptionGroup var options: ServeOptions

    func run() async throws {
        let settings = try await options.resolve()
        if settings.logFormat == .json {
            LoggingSystem.bootstrap { label in JSONLogHandler(label: label) }
        }
        var logger = Logger(label: "crm-server")
        logger.logLevel = settings.logLevel
        let store = try settings.storeOptions()
        let database = try await store.open(connectionWait: .seconds(5))
        if try await store.ensurePackage(database) {
            logger.notice("published the default customization package")
        }
        let configuration = try settings.serverConfiguration()
        let app = try CRMApplication.make(
            store: database, configuration: configuration, logger: logger,
            additions: settings.servesWeb ? [try WebUI().addition] : [])
        let indexer = SearchIndexRefresher(store: database, logger: logger)
        let checkpointer = LogCheckpointer(store: database, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [app, indexer, checkpointer], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        let scheme = configuration.tls == nil ? "http" : "https"
        logger.notice(
            "crm-server listening on \(scheme)://\(configuration.host):\(configuration.port) with \(store.database)")
        try await group.run()
    }
}

/// How `serve` writes its log: swift-log's text lines, or JSON lines (`JSONLogHandler`).
enum LogFormat: String, CaseIterable {
    case text, json
}

import ArgumentParser
import CRMServer
import Hummingbird
import Logging
import ServiceLifecycle

/// `crm-server serve`: runs the HTTP API until SIGINT or SIGTERM, then shuts down gracefully.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the CRM server.")

    @OptionGroup var store: StoreOptions
    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port to listen on.") var port = 8080
    @Option(help: "The bcrypt cost of new password hashes (4-31).") var bcryptCost: UInt8 = 12
    @Option(help: "Hours a login session lasts.") var sessionHours: Double = 8
    @Option(help: "The largest request body in bytes.") var maxBodyBytes = 1 << 20
    @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel: Logger.Level = .info

    func validate() throws {
        guard (4...31).contains(bcryptCost) else { throw ValidationError("--bcrypt-cost is between 4 and 31") }
        guard (1...65535).contains(port) else { throw ValidationError("--port is between 1 and 65535") }
    }

    func run() async throws {
        var logger = Logger(label: "crm-server")
        logger.logLevel = logLevel
        let database = try store.open()
        if try await store.ensurePackage(database) {
            logger.notice("published the default customization package")
        }
        let configuration = ServerConfiguration(
            host: host, port: port, sessionLifetime: sessionHours * 3600, bcryptCost: bcryptCost,
            maxBodyBytes: maxBodyBytes)
        let app = CRMApplication.make(store: database, configuration: configuration, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logger.notice("crm-server listening on http://\(host):\(port) with \(store.database)")
        try await group.run()
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

import CRMStore
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import ServiceLifecycle
import Logging

/// Builds the CRM server's HTTP application on a store: the routes of DESIGN section 6 with their middleware.
public enum CRMApplication {
    /// The router with every route; tests and the `serve` command share it. `metrics` is the application's own
    /// registry (`ServerMetrics`), which `GET /metrics` renders; `additions` add routes of layers above (the web
    /// UI) on the same components.
    public static func router(
        store: any ServerStore, configuration: ServerConfiguration, logger: Logger,
        signal: ChangeSignal = ChangeSignal(), metrics: ServerMetrics = ServerMetrics(),
        additions: [CRMRouteAddition] = []
    ) -> Router<CRMRequestContext> {
        let packages = PackageService(store: store)
        let auth = AuthService(
            store: store, packages: packages, configuration: configuration, logger: logger, metrics: metrics)
        let records = RecordService(store: store, configuration: configuration, signal: signal)
        let sync = SyncService(
            store: store, packages: packages, configuration: configuration.sync, signal: signal, logger: logger,
            metrics: metrics)
        let router = Router(context: CRMRequestContext.self)
        router.add(middleware: RequestLogMiddleware(logger: logger, metrics: metrics))
        router.add(middleware: HeadResponseMiddleware())
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: ProtocolVersionMiddleware())
        let api = router.group("api/v1")
        let system = SystemRoutes(store: store, packages: packages)
        system.addOpen(to: router, api: api)
        OperationsRoutes(store: store, auth: auth, metrics: metrics, configuration: configuration).add(to: router)
        let sessions = SessionRoutes(auth: auth, configuration: configuration, metrics: metrics)
        sessions.addLogin(to: api)
        sessions.addLogout(to: api)
        let authenticated = api.group().add(middleware: AuthMiddleware(auth: auth))
            .add(middleware: LoadMiddleware(shedder: LoadShedder(limits: configuration.load)))
        system.addAuthenticated(to: authenticated)
        RecordRoutes(records: records, configuration: configuration).add(to: authenticated)
        CSVRoutes(imports: CSVImport(store: store, signal: signal), exports: CSVExport(store: store))
            .add(to: authenticated)
        SearchRoutes(records: records).add(to: authenticated)
        DeviceRoutes(devices: DeviceService(store: store), configuration: configuration).add(to: authenticated)
        SyncRoutes(sync: sync, configuration: configuration).add(to: authenticated)
        FetchRoutes(sync: sync).add(to: authenticated)
        ConflictRoutes(conflicts: ConflictService(store: store, signal: signal), configuration: configuration)
            .add(to: authenticated)
        AttachmentRoutes(attachments: AttachmentService(store: store)).add(to: authenticated)
        ProfileRoutes().add(to: authenticated)
        let services = CRMServices(
            store: store, configuration: configuration, logger: logger, packages: packages, auth: auth, records: records,
            sync: sync, conflicts: ConflictService(store: store, signal: signal), signal: signal)
        for addition in additions { addition(router, services) }
        return router
    }

    /// The application, ready to run as a service: HTTPS when the configuration names a certificate and key
    /// (their files are read here, so a bad one fails before anything listens), HTTP otherwise. On a store that
    /// broadcasts changes (PostgreSQL), it also listens for the changes every server process commits, so
    /// long-polls wake whichever server wrote.
    public static func make(
        store: any ServerStore, configuration: ServerConfiguration, logger: Logger,
        metrics: ServerMetrics = ServerMetrics(), additions: [CRMRouteAddition] = []
    ) throws -> some ApplicationProtocol {
        let server: HTTPServerBuilder =
            if let tls = configuration.tls { try .tls(.http1(), tlsConfiguration: try tls.configuration()) } else { .http1() }
        let signal = ChangeSignal()
        var services: [any Service] = []
        if let bus = store as? any ChangeBroadcast { services.append(ChangeListener(bus: bus, signal: signal, logger: logger)) }
        return Application(
            router: router(
                store: store, configuration: configuration, logger: logger, signal: signal, metrics: metrics,
                additions: additions),
            server: server,
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "crm-server"),
            services: services,
            logger: logger)
    }
}

import CRMStore
import Hummingbird
import Logging

/// The server components one router is built on, handed to the layers above CRMServer that add routes of their
/// own (the web UI of CRMWeb), so every route of a server shares one package cache, one throttle and one signal.
public struct CRMServices: Sendable {
    public let store: any ServerStore
    public let configuration: ServerConfiguration
    public let logger: Logger
    public let packages: PackageService
    public let auth: AuthService
    public let records: RecordService
    public let sync: SyncService
    public let conflicts: ConflictService
    /// Wakes sync long-polls after writes that do not go through the services above (a CSV import's batches).
    public let signal: ChangeSignal
    /// Adds, changes and disables users with the server's bcrypt cost.
    public var users: UserAdministration { UserAdministration(store: store, bcryptCost: configuration.bcryptCost) }
}

/// Routes a layer above CRMServer adds to the server's router (outside `/api/v1`), given its components.
public typealias CRMRouteAddition = @Sendable (Router<CRMRequestContext>, CRMServices) -> Void

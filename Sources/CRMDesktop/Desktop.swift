import CRMModel
import CRMSyncProtocol
import Foundation

/// A set-up desktop: its home folder, settings, replica and signed-in connection, wired once for every
/// command. `Desktop.open` fails with `.notSetUp` before `setup` and with `.damagedReplica` on a damaged file.
public struct Desktop: Sendable {
    public let home: DesktopHome
    public let settings: DesktopSettings
    public let replica: Replica
    public let connection: ServerConnection

    public static func open(home: DesktopHome, client: ServerClient? = nil) throws -> Desktop {
        let settings = try home.settings()
        let replica = try Replica(path: home.replicaPath)
        return Desktop(
            home: home, settings: settings, replica: replica,
            connection: try ServerConnection(home: home, settings: settings, client: client ?? ServerClient.desktop(settings.server, caFile: settings.caFile)))
    }

    public init(home: DesktopHome, settings: DesktopSettings, replica: Replica, connection: ServerConnection) {
        self.home = home
        self.settings = settings
        self.replica = replica
        self.connection = connection
    }

    public var user: String { settings.user }

    /// The sync engine, with the PIM sync of the chosen target (`force` lets it past its safety stops).
    public func engine(_ configuration: SyncEngine.Configuration = .init(), force: Bool = false) -> SyncEngine {
        var engine = SyncEngine(home: home, replica: replica, connection: connection, configuration: configuration)
        engine.pim = try? pimSync(force: force)
        if tracksMail { engine.mail = { try scanMail() } }
        return engine
    }

    public func editor() throws -> RecordEditor { try RecordEditor(replica: replica, user: settings.user) }

    /// Signs this device in again with the password (after "log in again"); the outbox is kept.
    public func login(password: String) async throws {
        let answer = try await connection.client.login(
            LoginRequest(username: settings.user, password: password, device: settings.device))
        guard let refreshToken = answer.refreshToken else {
            throw DesktopError(.badAnswer, "the server signed the device in without a refresh token")
        }
        try home.saveRefreshToken(refreshToken)
    }

    /// Takes a record off the exclusions list and brings its current copy from the server.
    public func include(type: String, id: String) async throws {
        let copy = try await connection.call { client, token in try await client.record(type: type, id: id, token: token) }
        try replica.include(id: id, copy: copy)
    }

    /// The server's sync log of this user (all devices), newest first.
    public func serverLog(limit: Int = 20) async throws -> [SyncLogEntry] {
        try await connection.call { client, token in try await client.syncSessions(token: token, limit: limit) }.sessions
    }

    /// Moves the replica aside (kept, never deleted) and starts a new one that the next sync fills from the
    /// server. The unsent edits and the exclusions list come along when the old file can still be read.
    public static func rebuild(home: DesktopHome, at time: Date = Date()) throws -> RebuildOutcome {
        let aside = home.replicaPath + ".damaged-\(Timestamp.milliseconds(time))"
        let settings = try home.settings()
        var outcome = RebuildOutcome(aside: aside)
        if FileManager.default.fileExists(atPath: home.replicaPath) {
            for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: home.replicaPath + suffix) {
                try FileManager.default.moveItem(atPath: home.replicaPath + suffix, toPath: aside + suffix)
            }
        }
        let replica = try Replica(path: home.replicaPath)
        try replica.setOwner(user: settings.user, server: settings.server)
        guard FileManager.default.fileExists(atPath: aside) else { return outcome }
        do {
            let carried = try replica.carryOver(from: aside)
            outcome.carriedOps = carried.ops
            outcome.carriedExclusions = carried.exclusions
        } catch {
            outcome.unreadable = "\(error)"
        }
        return outcome
    }
}

/// What `rebuild` did with the old replica.
public struct RebuildOutcome: Sendable {
    /// Where the old file went.
    public var aside: String
    /// Unsent edits and exclusions taken into the new replica.
    public var carriedOps = 0
    public var carriedExclusions = 0
    /// Why the old file's edits could not be read (they stay in it).
    public var unreadable: String?
}

extension ServerClient {
    /// The desktop's client of `server`: it fails at once when the server cannot be reached (no retries of the
    /// connection until the timeout), so offline work is never kept waiting. With `caFile`, a server whose
    /// certificate that certificate authority signed is trusted too (a company's own CA).
    public static func desktop(_ server: String, caFile: String? = nil) throws -> ServerClient? {
        let http = try DesktopHTTP.client(trusting: caFile)
        return URL(string: server).map { ServerClient(baseURL: $0, httpClient: http) }
    }
}

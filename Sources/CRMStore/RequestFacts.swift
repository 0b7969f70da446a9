import CRMSyncProtocol
import Foundation

/// What authenticating one request reads: its session, the session's device and user, the package versions the
/// caller's packages come from and the people who report to the user. Read together (on SQLite in one read
/// transaction: each separate read is a hop to a reader queue and back, about a third of the server's time with
/// a thousand syncing desktops).
public struct RequestFacts: Sendable {
    /// The session of the token; nil when it is unknown or ended (nothing else is read then).
    public var session: Session?
    /// The device the session was opened for, if it was and the device still exists.
    public var device: Device?
    /// The session's user.
    public var user: User?
    /// The newest published package version (the base package).
    public var latestPackageVersion: Int?
    /// The version the user's role uses.
    public var rolePackageVersion: Int?
    /// Everyone who reports to the user, directly or through others; nil when the store left it to be read
    /// only if the role's visibility needs it.
    public var reports: Set<String>?

    public init(
        session: Session? = nil, device: Device? = nil, user: User? = nil, latestPackageVersion: Int? = nil,
        rolePackageVersion: Int? = nil, reports: Set<String>? = nil
    ) {
        self.session = session
        self.device = device
        self.user = user
        self.latestPackageVersion = latestPackageVersion
        self.rolePackageVersion = rolePackageVersion
        self.reports = reports
    }
}

extension ServerStore {
    /// The facts one by one, for a store that has no cheaper way (each read is a round trip anyway); the reports
    /// are left to the caller, who needs them only for a role that sees its team's records.
    public func separateRequestFacts(tokenHash: String) async throws -> RequestFacts {
        guard let session = try await session(tokenHash: tokenHash) else { return RequestFacts() }
        var facts = RequestFacts(session: session)
        if let id = session.device { facts.device = try await device(id: id) }
        facts.user = try await user(named: session.user)
        facts.latestPackageVersion = try await latestPackageVersion()
        if let role = facts.user?.role { facts.rolePackageVersion = try await packageVersion(forRole: role) }
        return facts
    }
}

/// What a pull or a long-poll reads before it builds a page: its sync session, the store's cursor facts and the
/// session's device's sync state, read together (on SQLite in one read transaction).
public struct SyncSessionFacts: Sendable {
    /// The session; nil when there is none of that id (nothing else is read then).
    public var session: SyncSessionRow?
    public var meta: SyncMeta?
    /// The sync state of the session's device.
    public var state: DeviceSyncState?

    public init(session: SyncSessionRow? = nil, meta: SyncMeta? = nil, state: DeviceSyncState? = nil) {
        self.session = session
        self.meta = meta
        self.state = state
    }
}

extension SyncStore {
    /// `pageSent` as two writes, for a store that has no cheaper way.
    public func separatePageSent(
        device: String, delta: ScopeDelta, session: String, counts: SyncCounts, expiresAt: Date
    ) async throws -> Int64 {
        let generation = try await setPending(device: device, delta: delta)
        try await recordActivity(session: session, counts: counts, expiresAt: expiresAt)
        return generation
    }

    /// The facts one by one, for a store that has no cheaper way.
    public func separateSyncSessionFacts(id: String) async throws -> SyncSessionFacts {
        guard let session = try await syncSession(id: id) else { return SyncSessionFacts() }
        return SyncSessionFacts(
            session: session, meta: try await syncMeta(), state: try await syncState(device: session.device))
    }
}

extension SyncStore where Self: DeviceStore {
    /// `beginSyncSession` as separate writes, for a store that has no cheaper way.
    public func separateBeginSyncSession(_ session: SyncSessionRow, state: DeviceSyncState) async throws {
        try await saveSyncState(state)
        let now = session.startedAt
        for open in try await syncSessions(SyncSessionQuery(device: session.device, limit: 20))
        where open.endedAt == nil && open.expiresAt > now {
            try await endSyncSession(
                id: open.id, at: now, clientCounts: open.clientCounts ?? SyncCounts(),
                errors: open.errors + ["superseded by session \(session.id)"])
        }
        try await createSyncSession(session)
        try await touchDevice(id: session.device, at: now)
    }
}

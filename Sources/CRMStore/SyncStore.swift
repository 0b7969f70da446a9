import CRMModel
import CRMSyncProtocol
import Foundation

/// The store-wide facts a sync cursor is signed with and checked against.
public struct SyncMeta: Sendable, Equatable {
    /// New when a store is restored or copied: cursors of another epoch get a reset.
    public var epoch: String
    /// The key cursors are signed with, shared by every server on the store.
    public var cursorKey: Data
    /// The highest sequence number of a tombstone the purge removed (0: none): a cursor below it may have
    /// missed a delete.
    public var purgedSequence: Int64

    public init(epoch: String, cursorKey: Data, purgedSequence: Int64) {
        self.epoch = epoch
        self.cursorKey = cursorKey
        self.purgedSequence = purgedSequence
    }
}

/// Why a device holds a record.
public enum ScopeReason: String, Codable, Sendable {
    /// The device's filter selects it.
    case filter
    /// A record in the filter references it (one hop): it travels read-only, "incomplete".
    case reference
}

/// One record a device holds, at the version it was last sent.
public struct ScopeEntry: Codable, Sendable, Equatable {
    public var id: String
    public var type: String
    public var version: Int
    public var reason: ScopeReason

    public init(id: String, type: String, version: Int, reason: ScopeReason) {
        self.id = id
        self.type = type
        self.version = version
        self.reason = reason
    }
}

/// What a page does to a device's scope, applied only when the device acknowledges the page.
public struct ScopeDelta: Codable, Sendable, Equatable {
    public var upserts: [ScopeEntry]
    public var removes: [String]

    public init(upserts: [ScopeEntry] = [], removes: [String] = []) {
        self.upserts = upserts
        self.removes = removes
    }
}

/// A device's synchronization state on the server.
public struct DeviceSyncState: Codable, Sendable, Equatable {
    public var device: String
    public var user: String
    /// The filter preset and parameters the device chose last.
    public var filter: String?
    public var parameters: [String: String]
    public var timeZone: String
    /// What the device's scope was computed from (filter, parameters, day, role, visible users); a begin that
    /// computes another asks for a re-evaluation.
    public var fingerprint: String
    /// Re-evaluations asked for; a cursor carries how many it has served.
    public var rescanRequested: Int
    /// The package version the device's records were last sent under, and the re-evaluation that must
    /// send every record again whatever its version (the role's view of fields and types changed).
    public var packageVersion: Int?
    public var fullRescan: Int?
    /// The generation of the last page the device acknowledged (0: none), and of the page sent since.
    public var ackedGeneration: Int64
    /// Kept by the store beside the pending page's delta, not in the saved state, so it has one home.
    public var pendingGeneration: Int64?
    public var nextGeneration: Int64
    /// Types whose changes the feed passed over since the device last checked them (their `syncEvery` had not
    /// come round): the session in which one is due again re-evaluates it.
    public var deferredTypes: [String]?
    /// The last re-evaluation that walks every type (nil: every one does), and the types those asked for
    /// after it walk (types due again after a deferral).
    public var allTypesRescan: Int?
    public var rescanTypes: [String]?

    private enum CodingKeys: String, CodingKey {
        case device, user, filter, parameters, timeZone, fingerprint, rescanRequested, packageVersion, fullRescan
        case ackedGeneration, nextGeneration, deferredTypes, allTypesRescan, rescanTypes
    }

    public init(
        device: String, user: String, filter: String? = nil, parameters: [String: String] = [:],
        timeZone: String = "UTC", fingerprint: String = "", rescanRequested: Int = 0, ackedGeneration: Int64 = 0,
        pendingGeneration: Int64? = nil, nextGeneration: Int64 = 1
    ) {
        self.device = device
        self.user = user
        self.filter = filter
        self.parameters = parameters
        self.timeZone = timeZone
        self.fingerprint = fingerprint
        self.rescanRequested = rescanRequested
        self.ackedGeneration = ackedGeneration
        self.pendingGeneration = pendingGeneration
        self.nextGeneration = nextGeneration
    }
}

/// A sync session as the server logs it.
public struct SyncSessionRow: Sendable, Equatable {
    public var id: String
    public var user: String
    public var device: String
    public var startedAt: Date
    public var expiresAt: Date
    public var endedAt: Date?
    /// The resolved filter of the session, as JSON.
    public var filter: Data
    /// The server's counts, and the device's as it reported them at the end.
    public var counts: SyncCounts
    public var clientCounts: SyncCounts?
    public var errors: [String]

    public init(
        id: String, user: String, device: String, startedAt: Date, expiresAt: Date, endedAt: Date? = nil, filter: Data,
        counts: SyncCounts = SyncCounts(), clientCounts: SyncCounts? = nil, errors: [String] = []
    ) {
        self.id = id
        self.user = user
        self.device = device
        self.startedAt = startedAt
        self.expiresAt = expiresAt
        self.endedAt = endedAt
        self.filter = filter
        self.counts = counts
        self.clientCounts = clientCounts
        self.errors = errors
    }
}

/// Which sync sessions to list.
public struct SyncSessionQuery: Sendable, Equatable {
    public var user: String?
    public var device: String?
    public var since: Date?
    public var until: Date?
    /// Only sessions that logged errors.
    public var withErrors: Bool
    public var limit: Int

    public init(
        user: String? = nil, device: String? = nil, since: Date? = nil, until: Date? = nil, withErrors: Bool = false,
        limit: Int = 100
    ) {
        self.user = user
        self.device = device
        self.since = since
        self.until = until
        self.withErrors = withErrors
        self.limit = limit
    }
}

/// The synchronous view of one write transaction that a push runs its ops in: reads see the batch's own
/// writes, and each op runs in a savepoint so that a refused op leaves nothing behind.
public protocol PushTransaction {
    func record(id: String) throws -> Record?
    /// Stores a new record with the next sequence number; every id it references must be live.
    func insert(_ record: Record) throws -> Record
    /// Stores a changed record with the next sequence number.
    func update(_ record: Record) throws -> Record
    /// Deletes a live record following the `onDelete` rules, as `RecordStore.delete` does.
    func delete(_ record: Record, by user: String, at time: Date, rules: (String) -> [ReferenceRule]) throws -> DeleteOutcome
    /// Live records of `type` whose fields equal `values` (text compared without case), at most `limit`.
    func matching(type: String, values: [String: FieldValue], limit: Int) throws -> [Record]
    func opResult(device: String, opId: String) throws -> Data?
    func saveOpResult(device: String, opId: String, result: Data, at time: Date) throws
    /// Runs `body` in a savepoint, rolled back when it throws.
    func savepoint<T>(_ body: () throws -> T) throws -> T
    /// Tells every server process that records of `users` changed, in this transaction: the news goes out
    /// exactly when it commits (and not at all when it rolls back), so it cannot be lost between the commit and
    /// a later statement. False when the store has no such broadcast: the caller announces after the commit.
    func announceAtCommit(users: Set<String>) throws -> Bool
}

extension PushTransaction {
    public func announceAtCommit(users: Set<String>) throws -> Bool { false }
}

/// What the server keeps to run sync sessions: devices' scopes, op results for exactly-once pushes, the
/// sync log, and the secret that signs cursors.
public protocol SyncStore: Sendable {
    /// What cursors are checked against, in one read: the store's epoch, the key, and the purge mark.
    func syncMeta() async throws -> SyncMeta

    func syncState(device: String) async throws -> DeviceSyncState?
    func saveSyncState(_ state: DeviceSyncState) async throws

    /// Records a page as sent, replacing any page sent before it and not acknowledged: its delta waits for
    /// the device's acknowledgement. Returns the page's generation, which its cursor carries.
    func setPending(device: String, delta: ScopeDelta) async throws -> Int64
    /// `setPending` and `recordActivity` of the page's session, where the store can in one write transaction.
    func pageSent(device: String, delta: ScopeDelta, session: String, counts: SyncCounts, expiresAt: Date)
        async throws -> Int64
    /// Applies the pending delta of `generation` to the scope and makes it the acknowledged one; false when
    /// no page of that generation is pending.
    func acknowledge(device: String, generation: Int64) async throws -> Bool
    /// Forgets everything the device holds (it starts again from nothing).
    func clearScope(device: String) async throws

    /// The scope entries among `ids`.
    func scopeEntries(device: String, ids: [String]) async throws -> [String: ScopeEntry]
    /// The scope entries of one type with ids after `after` and up to `through` (nil: to the end), by id.
    func scopeEntries(device: String, type: String, after: String, through: String?) async throws -> [ScopeEntry]
    /// How many records of each type the device holds.
    func scopeCounts(device: String) async throws -> [String: Int]
    /// Whether a record held through the filter references `target`.
    func isReferenced(device: String, target: String) async throws -> Bool
    /// Ids referenced by records held through the filter that the device does not hold.
    func missingReferences(device: String) async throws -> [String]
    /// Records held as references that no record held through the filter references any more.
    func orphanedReferences(device: String) async throws -> [ScopeEntry]

    /// Live records of `type` inside `visibility`, by id, after `after`.
    func liveRecords(type: String, visibility: VisibilityScope, after: String, limit: Int) async throws -> [Record]
    /// The same records as stored, their fields and stamps left as text (the pull path splices them).
    func storedLiveRecords(type: String, visibility: VisibilityScope, after: String, limit: Int) async throws
        -> [StoredRecord]
    /// `changes(after:limit:)` as stored.
    func storedChanges(after seq: Int64, limit: Int) async throws -> [StoredRecord]
    /// `records(ids:)` as stored, in no particular order.
    func storedRecords(ids: [String]) async throws -> [StoredRecord]

    /// How many live records of `type` are inside `visibility` (a preview's count for a filter without
    /// conditions).
    func liveRecordCount(type: String, visibility: VisibilityScope) async throws -> Int

    /// Runs a push batch in one write transaction.
    func push<T: Sendable>(_ body: @escaping @Sendable (any PushTransaction) throws -> T) async throws -> T
    /// Stored answers of ops already applied.
    func opResults(device: String, opIds: [String]) async throws -> [String: Data]

    func createSyncSession(_ session: SyncSessionRow) async throws
    /// What a begin writes, where the store can in one write transaction: the device's sync state
    /// (`saveSyncState`), the end of the device's sessions still open at `session.startedAt` (superseded by
    /// this one, with that noted among their errors), the new session, and the device seen then.
    func beginSyncSession(_ session: SyncSessionRow, state: DeviceSyncState) async throws
    func syncSession(id: String) async throws -> SyncSessionRow?
    /// The session `id` with the cursor facts and its device's sync state (`SyncSessionFacts`), read together
    /// where the store can.
    func syncSessionFacts(id: String) async throws -> SyncSessionFacts
    /// Adds to a session's server counts and moves its expiry.
    func recordActivity(session: String, counts: SyncCounts, expiresAt: Date) async throws
    func endSyncSession(id: String, at time: Date, clientCounts: SyncCounts, errors: [String]) async throws
    func syncSessions(_ query: SyncSessionQuery) async throws -> [SyncSessionRow]

    /// Drops tombstones, op results and sync sessions older than `date`; returns how many rows went.
    func purge(before date: Date) async throws -> Int
}

extension SyncStore {
    /// Counts by walking `liveRecords` page by page: right for any store, and what a store replaces with one
    /// query.
    public func liveRecordCount(type: String, visibility: VisibilityScope) async throws -> Int {
        var after = ""
        var count = 0
        while true {
            let batch = try await liveRecords(type: type, visibility: visibility, after: after, limit: 2000)
            count += batch.count
            guard batch.count == 2000, let last = batch.last else { return count }
            after = last.id
        }
    }
}

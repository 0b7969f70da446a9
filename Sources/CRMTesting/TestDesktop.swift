import CRMModel
import CRMSyncProtocol
import Foundation

/// A minimal desktop for tests: a registered device with a replica in memory that begins sessions, pulls
/// every page (applying upserts and removes), pushes ops and ends sessions over real HTTP, so tests can
/// assert what a device ends up holding.
public struct TestDesktop: Sendable {
    public let api: TestAPI
    public let user: String
    public let token: String
    public let device: Device
    /// The device's replica: record and whether it came only as a reference target ("incomplete").
    public var replica: [String: (record: Record, incomplete: Bool)] = [:]
    public var cursor: String?
    public var session: String?
    public var packageVersion: Int?
    /// Every page pulled, in order.
    public var pages: [SyncPage] = []

    /// Logs in as `user` and registers a device.
    public static func connect(_ api: TestAPI, _ user: String, name: String = "test-desktop") async throws -> TestDesktop {
        let token = try await api.login(user)
        let device = try await api.registerDevice(name, token: token)
        return TestDesktop(api: api, user: user, token: token, device: device)
    }

    public init(api: TestAPI, user: String, token: String, device: Device) {
        self.api = api
        self.user = user
        self.token = token
        self.device = device
    }

    /// Begins a session; returns the answer, or throws when refused.
    @discardableResult
    public mutating func begin(filter: String? = nil, parameters: [String: String]? = nil, timeZone: String = "UTC")
        async throws -> SyncBeginResponse
    {
        let reply = try await beginReply(filter: filter, parameters: parameters, timeZone: timeZone)
        guard reply.status == .created else { throw TestAPIError.refused(reply.status.code, reply.text) }
        let answer = try reply.decode(SyncBeginResponse.self)
        session = answer.session
        if let update = answer.package { packageVersion = update.version }
        return answer
    }

    /// Sends a begin and returns the reply as it is.
    public func beginReply(filter: String? = nil, parameters: [String: String]? = nil, timeZone: String = "UTC")
        async throws -> TestAPI.Reply
    {
        try await api.send(
            .post, "/api/v1/sync/begin", token: token,
            json: SyncBeginRequest(
                device: device.id, packageVersion: packageVersion, filter: filter, parameters: parameters,
                timeZone: timeZone))
    }

    /// Pulls one page after the current cursor and returns the reply as it is (not applied).
    public func pullReply(cursor: String?, limit: Int? = nil) async throws -> TestAPI.Reply {
        try await api.send(
            .post, "/api/v1/sync/pull", token: token,
            json: SyncPullRequest(session: session ?? "", cursor: cursor, limit: limit))
    }

    /// Pulls and applies pages until none remain; returns the pages of this call.
    @discardableResult
    public mutating func pullAll(limit: Int? = nil) async throws -> [SyncPage] {
        var pulled: [SyncPage] = []
        while true {
            let reply = try await pullReply(cursor: cursor, limit: limit)
            guard reply.status == .ok else { throw TestAPIError.refused(reply.status.code, reply.text) }
            let page = try reply.decode(SyncPage.self)
            apply(page)
            pulled.append(page)
            if !page.more { break }
        }
        pages += pulled
        return pulled
    }

    /// Applies a page to the replica and keeps its cursor.
    public mutating func apply(_ page: SyncPage) {
        for remove in page.removes { replica[remove.id] = nil }
        for upsert in page.upserts { replica[upsert.record.id] = (upsert.record, upsert.incomplete) }
        cursor = page.cursor
    }

    /// Pushes ops and returns the per-op answers; throws when the whole push is refused.
    public func push(_ ops: [SyncOp]) async throws -> [SyncOpResult] {
        let reply = try await pushReply(ops)
        guard reply.status == .ok else { throw TestAPIError.refused(reply.status.code, reply.text) }
        return try reply.decode(SyncPushResponse.self).results
    }

    public func pushReply(_ ops: [SyncOp]) async throws -> TestAPI.Reply {
        try await api.send(.post, "/api/v1/sync/push", token: token, json: SyncPushRequest(session: session ?? "", ops: ops))
    }

    /// Ends the session with the given counts.
    @discardableResult
    public mutating func end(_ counts: SyncCounts = SyncCounts(), errors: [String]? = nil) async throws -> SyncLogEntry {
        let reply = try await api.send(
            .post, "/api/v1/sync/end", token: token,
            json: SyncEndRequest(session: session ?? "", counts: counts, errors: errors))
        guard reply.status == .ok else { throw TestAPIError.refused(reply.status.code, reply.text) }
        session = nil
        return try reply.decode(SyncLogEntry.self)
    }

    /// A whole session: begin, pull everything, end.
    public mutating func sync(filter: String? = nil, parameters: [String: String]? = nil, timeZone: String = "UTC")
        async throws
    {
        try await begin(filter: filter, parameters: parameters, timeZone: timeZone)
        let pulled = try await pullAll()
        try await end(SyncCounts(pulled: pulled.reduce(0) { $0 + $1.upserts.count + $1.removes.count }))
    }

    /// The live records of `type` in the replica, complete ones only unless asked.
    public func records(_ type: String, includingIncomplete: Bool = false) -> [Record] {
        replica.values.filter { $0.record.type == type && (includingIncomplete || !$0.incomplete) }.map(\.record)
            .sorted { $0.id < $1.id }
    }

    /// A new op id.
    public static func opID() -> String { UUID().uuidString.lowercased() }
}

import CRMModel
import CRMSyncProtocol
import Foundation
import NIOCore

/// The sync routes (`/api/v1/sync/...`), the sync log and conflicts.
extension ServerClient {
    /// Opens a sync session for the device (`POST /api/v1/sync/begin`); the answer may carry a newer package.
    public func begin(_ request: SyncBeginRequest, token: String) async throws -> SyncBeginResponse {
        try await post("/api/v1/sync/begin", request, token: token)
    }

    /// The next page of records to store and drop after the request's cursor (`POST /api/v1/sync/pull`); a cursor
    /// the server cannot continue throws `.reset`.
    public func pull(_ request: SyncPullRequest, token: String) async throws -> SyncPage {
        try await post("/api/v1/sync/pull", request, token: token)
    }

    /// `pull`'s page read by hand, each record kept as the JSON text the server wrote: the sync engine's path,
    /// where a first sync brings every record the device holds.
    public func pullPage(_ request: SyncPullRequest, token: String) async throws -> PulledPage {
        let answer = try await postAnswer("/api/v1/sync/pull", request, token: token)
        guard answer.isSuccess else { throw answer.refusal() }
        do {
            return try PulledPage(reading: answer.body)
        } catch {
            throw DesktopError(
                .badAnswer,
                "the server's answer to \(answer.route) (\(answer.status)) is not a pull page (\(error)): \(answer.excerpt)",
                status: answer.status)
        }
    }

    /// Sends a batch of outbox ops (`POST /api/v1/sync/push`) and returns one result per op, in order.
    public func push(_ request: SyncPushRequest, token: String) async throws -> SyncPushResponse {
        try await post("/api/v1/sync/push", request, token: token)
    }

    /// Ends the session with the device's counts (`POST /api/v1/sync/end`) and returns the sync log row.
    public func end(_ request: SyncEndRequest, token: String) async throws -> SyncLogEntry {
        try await post("/api/v1/sync/end", request, token: token)
    }

    /// Long-polls for changes after the cursor (`POST /api/v1/sync/wait`); the HTTP timeout is the wait's own
    /// timeout (default 25 s) plus 15 s, so the server's "nothing changed" arrives before the client gives up.
    public func wait(_ request: SyncWaitRequest, token: String) async throws -> SyncWaitResponse {
        let seconds = max(0, request.timeout ?? 25)
        let timeout = TimeAmount.milliseconds(Int64((seconds * 1000).rounded(.up))) + Self.waitGrace
        return try await post("/api/v1/sync/wait", request, token: token, timeout: timeout)
    }

    /// The caller's own sync log, newest first (`GET /api/v1/sync/sessions`); `limit` is 1 to 1,000.
    public func syncSessions(token: String, limit: Int? = nil) async throws -> SyncLogList {
        let query = limit.map { [URLQueryItem(name: "limit", value: String($0))] } ?? []
        return try await get("/api/v1/sync/sessions", query: query, token: token)
    }

    /// The caller's conflict records with that status (`open`, `resolved`, or nil for all), every page of
    /// `GET /api/v1/conflicts` followed to the end.
    public func conflicts(token: String, status: String? = "open") async throws -> [Record] {
        var records: [Record] = []
        var cursor: String?
        var seen: Set<String> = []
        repeat {
            var query: [URLQueryItem] = []
            if let status { query.append(URLQueryItem(name: "status", value: status)) }
            if let cursor { query.append(URLQueryItem(name: "cursor", value: cursor)) }
            let page: RecordList = try await get("/api/v1/conflicts", query: query, token: token)
            records += page.records
            cursor = page.nextCursor
            if let cursor, !seen.insert(cursor).inserted {
                throw DesktopError(.badAnswer, "the server's conflict pages repeat the cursor '\(cursor)'")
            }
        } while cursor != nil
        return records
    }

    /// Settles a conflict on the chosen value (`POST /api/v1/conflicts/{id}/resolve`).
    public func resolveConflict(id: String, _ resolution: ConflictResolution, token: String) async throws
        -> ResolvedConflict
    {
        try await post("/api/v1/conflicts/\(Self.segment(id))/resolve", resolution, token: token)
    }
}

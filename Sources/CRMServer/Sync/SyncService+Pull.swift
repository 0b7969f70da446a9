import CRMModel
import CRMStore
import CRMSyncProtocol
import Foundation
import ServiceLifecycle

extension SyncService {
    /// The next page for the session's device, as JSON bytes. The cursor it carries acknowledges the page
    /// it came with; no cursor means the device holds nothing and starts from scratch.
    public func pull(_ caller: Caller, _ request: SyncPullRequest, now: Date = Timestamp.now()) async throws -> [UInt8] {
        try Self.checkProtocol(request.protocolVersion)
        let (session, filter, meta, state) = try await openSessionFacts(caller, request.session, now: now)
        if let limit = request.limit, limit < 1 {
            throw CRMError(.malformed, "limit is at least 1", field: "limit")
        }
        let limit = min(request.limit ?? configuration.defaultPageSize, configuration.maxPageSize)
        let start = try await startingCursor(request.cursor, device: session.device, meta: meta, state: state, now: now)
        let context = ScopeContext(caller: caller, filter: filter, device: session.device)
        let builder = PageBuilder(store: store, context: context, limit: limit, maxBytes: configuration.maxPageBytes)
        let key = PagePrefetch.Key(session: session.id, limit: limit, start: start)
        let built: PagePrefetch.Built
        let upserts: [UInt8]
        if let ahead = await prefetch.take(device: session.device, key: key), ahead.built.page.count > 0 {
            (built, upserts) = ahead
        } else {
            built = try await builder.page(after: start)
            upserts = SyncPageWriter.upserts(built.page)
        }
        let (page, next, more) = built
        if PagePrefetch.worthBuilding(built) {
            // Built and written while the device applies this page; taken by the request that acknowledges it.
            let ahead = PagePrefetch.Key(session: session.id, limit: limit, start: next)
            await prefetch.start(device: session.device, key: ahead) {
                let built: PagePrefetch.Built = try await builder.page(after: next, rescanOnly: true)
                return (built, SyncPageWriter.upserts(built.page))
            }
        }
        var cursor = next
        cursor.generation = try await metrics.store("pageSent") {
            try await store.pageSent(
                device: session.device, delta: page.delta, session: session.id, counts: SyncCounts(pulled: page.count),
                expiresAt: now.addingTimeInterval(configuration.sessionLifetime))
        }
        metrics.pulled(page.count)
        cursor.issued = Self.millis(now)
        return SyncPageWriter.bytes(
            page, upserts: upserts, cursor: cursor.signed(key: meta.cursorKey), more: more || cursor.phase != .feed)
    }

    /// Answers as soon as the device has something to pull after `cursor`, or after the timeout.
    public func wait(_ caller: Caller, _ request: SyncWaitRequest, now: Date = Timestamp.now()) async throws
        -> SyncWaitResponse
    {
        try Self.checkProtocol(request.protocolVersion)
        let (session, filter, meta, state) = try await openSessionFacts(caller, request.session, now: now)
        if let timeout = request.timeout, !(timeout >= 0) {
            throw CRMError(.malformed, "timeout is a number of seconds, at least 0", field: "timeout")
        }
        let timeout = min(request.timeout ?? configuration.defaultWait, configuration.maxWait)
        // The cursor acknowledges its page as a pull would: the device waits on what it has applied.
        let cursor = try await startingCursor(request.cursor, device: session.device, meta: meta, state: state, now: now)
        if cursor.phase != .feed { return SyncWaitResponse(changed: true) }
        let context = ScopeContext(caller: caller, filter: filter, device: session.device)
        let builder = PageBuilder(
            store: store, context: context, limit: configuration.defaultPageSize, maxBytes: configuration.maxPageBytes)
        let deadline = Date().addingTimeInterval(timeout)
        return try await metrics.waiting { try await waitForChanges(builder, cursor, deadline: deadline, caller) }
    }

    /// The long-poll's loop: re-evaluates the feed after `cursor` until it has something or `deadline` passes.
    private func waitForChanges(_ builder: PageBuilder, _ start: SyncCursor, deadline: Date, _ caller: Caller)
        async throws -> SyncWaitResponse
    {
        var cursor = start
        while true {
            let mark = await signal.mark()
            // Pages are computed without being recorded.
            let (page, next, more) = try await builder.page(after: cursor)
            if page.count > 0 { return SyncWaitResponse(changed: true) }
            cursor = next
            if more { continue }
            let left = deadline.timeIntervalSinceNow
            // A server that shuts down answers its waiters at once instead of holding the shutdown: the graceful
            // shutdown cuts the wait short, and the check here answers.
            if left <= 0 || Task.isShuttingDownGracefully { return SyncWaitResponse(changed: false) }
            let scope = caller.scope
            let within = min(left, configuration.waitRecheck)
            await cancelWhenGracefulShutdown { await signal.next(seeing: scope, since: mark, within: within) }
        }
    }

    /// The cursor a pull continues from, after acknowledging the page it came with.
    /// `state` is the device's sync state as read with the session.
    private func startingCursor(_ text: String?, device: String, meta: SyncMeta, state: DeviceSyncState?, now: Date)
        async throws -> SyncCursor
    {
        guard var state else {
            throw CRMError(.conflict, "begin a sync session first", field: "session")
        }
        guard let text else {
            try await store.clearScope(device: device)
            return SyncCursor(
                epoch: meta.epoch, device: device, generation: 0, rescansServed: state.rescanRequested, phase: .rescan,
                seq: try await store.lastSequence(), type: nil, afterID: nil, issued: Self.millis(now))
        }
        var cursor = try verify(text, device: device, meta: meta, now: now)
        if cursor.generation == state.pendingGeneration {
            _ = try await store.acknowledge(device: device, generation: cursor.generation)
            state.ackedGeneration = cursor.generation
        } else if cursor.generation != state.ackedGeneration {
            throw Self.reset("the cursor is not the device's latest; rebuild from scratch")
        }
        // A re-evaluation asked for since this cursor's began (another session's filter, a new day) starts
        // over, whatever phase the cursor is in.
        if cursor.rescansServed < state.rescanRequested {
            // Only types due again after a deferral, unless a re-evaluation of every type is among those not
            // served yet.
            let walksAll = state.allTypesRescan.map { cursor.rescansServed < $0 } ?? true
            cursor.types = walksAll ? nil : state.rescanTypes
            cursor.phase = .rescan
            cursor.type = nil
            cursor.afterID = nil
            cursor.rescansServed = state.rescanRequested
            cursor.full = state.fullRescan == state.rescanRequested ? true : nil
        }
        return cursor
    }

    /// A cursor this store signed for this device, not older than the retention horizon.
    func verify(_ text: String, device: String, meta: SyncMeta, now: Date) throws -> SyncCursor {
        guard let cursor = SyncCursor.verified(text, key: meta.cursorKey) else {
            throw Self.reset("the cursor was not issued by this server")
        }
        guard cursor.epoch == meta.epoch else {
            throw Self.reset("the server's data was restored or moved since this cursor was issued")
        }
        guard cursor.device == device else { throw Self.reset("the cursor belongs to another device") }
        guard Self.millis(now) - cursor.issued <= Int64(configuration.retention * 1000),
            cursor.seq >= meta.purgedSequence
        else {
            throw Self.reset("the cursor is older than the server keeps deletions")
        }
        return cursor
    }

    static func reset(_ why: String) -> CRMError {
        CRMError(.reset, why + "; pull again without a cursor (unsent changes are kept)", field: "cursor")
    }

    static func millis(_ date: Date) -> Int64 { Timestamp.milliseconds(date) }
}

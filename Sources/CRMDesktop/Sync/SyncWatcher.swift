import CRMModel
import CRMSyncProtocol
import Foundation
import GRDB
import Logging
import ServiceLifecycle

/// `crm-desktop sync --watch SECONDS`: syncs now and every interval, and in between waits on the server's
/// long-poll so that a change made elsewhere arrives within a second, and watches the outbox so that an edit
/// made on this desktop goes out within a second. A service: it stops cleanly on SIGINT or SIGTERM.
///
/// Syncs start at least `minimumGap` apart: changes that keep arriving (a manager's desktop sees every edit of
/// the team) are gathered into one sync instead of one each, which spares the server most of a busy fleet's
/// sessions, while a change after a quiet moment still goes at once.
///
/// Offline, it keeps trying (every interval, at most every 30 s); a revoked device, a sign-in that needs the
/// password again, or a damaged replica stop it with the error.
public struct SyncWatcher: Service {
    public let desktop: Desktop
    public let interval: Duration
    /// The longest one long-poll waits on the server before asking again.
    public var pollTimeout: Double = 25
    /// The least time from the start of one sync to the start of the next.
    public var minimumGap: Duration = Self.defaultMinimumGap
    /// A quarter of a second: a desktop syncs at most four times a second, and a change after a quiet moment
    /// still goes at once.
    public static let defaultMinimumGap: Duration = .milliseconds(250)
    let onReceipt: @Sendable (SyncReceipt) -> Void
    let onError: @Sendable (any Error) -> Void
    let logger: Logger

    public init(
        desktop: Desktop, interval: Duration, logger: Logger = Logger(label: "crm-desktop.watch"),
        onReceipt: @escaping @Sendable (SyncReceipt) -> Void, onError: @escaping @Sendable (any Error) -> Void
    ) {
        self.desktop = desktop
        self.interval = interval
        self.logger = logger
        self.onReceipt = onReceipt
        self.onError = onError
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await loop()
        }
    }

    private func loop() async throws {
        // Types with a `syncEvery` are checked when due, not with every sync.
        let engine = desktop.engine(.init(honourFrequency: true))
        var lastStart: ContinuousClock.Instant?
        // The next whole sync is due then; until then a long-poll woken by the server brings its changes in the
        // long-poll's own session (`woken`), and an edit made here starts a whole sync at once.
        var deadline = ContinuousClock.now
        var woken: LongPoll?
        while !Task.isCancelled {
            if let lastStart, ContinuousClock.now < lastStart + minimumGap {
                do { try await Task.sleep(until: lastStart + minimumGap) } catch { return }
            }
            let started = ContinuousClock.now
            lastStart = started
            do {
                if let poll = woken, ContinuousClock.now < deadline, try !desktop.replica.hasUnsentOps(),
                    let receipt = try await engine.bringChanges(session: poll.session, deferred: poll.deferred)
                {
                    // The next wait goes in the same session.
                    onReceipt(receipt)
                } else {
                    if let poll = woken {
                        woken = nil
                        await end(poll.session)
                    }
                    deadline = ContinuousClock.now + interval
                    onReceipt(try await engine.run())
                    // A type passed over is due before the interval ends: the next sync comes then.
                    if let due = try desktop.replica.syncFrequency().nextDue(after: Date()) {
                        deadline = min(deadline, ContinuousClock.now + .seconds(max(1, due.timeIntervalSinceNow)))
                    }
                }
                woken = try await waitForChanges(until: deadline, session: woken)
            } catch is CancellationError {
                return
            } catch let error as DesktopError {
                onError(error)
                // A whole sync comes next; a session the failure left open is the server's to end.
                woken = nil
                deadline = ContinuousClock.now
                switch error.code {
                case .revoked, .loginRequired, .damagedReplica, .upgradeRequired, .incompatiblePackage: throw error
                case _ where error.isQuietHours:
                    // The server named when this device may sync again: come back then (plus up to a tenth more,
                    // so that desktops do not all return in the same second).
                    let seconds = Double(max(1, error.retryAfter ?? 60))
                    try? await Task.sleep(for: .milliseconds(Int(seconds * Double.random(in: 1...1.1) * 1000)))
                default:
                    let retry = min(ContinuousClock.now.duration(to: started + interval), .seconds(30))
                    try? await Task.sleep(for: max(retry, .seconds(1)))
                }
            } catch {
                onError(error)
                woken = nil
                deadline = ContinuousClock.now
                try? await Task.sleep(for: .seconds(5))
            }
        }
    }

    /// Returns when the server has a change for this device (with the long-poll's session, still open, for
    /// `SyncEngine.bringChanges`), or nil when the outbox has a new op or the deadline passed.
    ///
    /// - Parameter session: a long-poll session kept from the last wake, nil to begin one.
    private func waitForChanges(until deadline: ContinuousClock.Instant, session: LongPoll?) async throws -> LongPoll? {
        let pendingAtStart = try desktop.replica.outboxSignature()
        // An edit made while the sync ran, after its push, goes at once.
        if try desktop.replica.hasUnsentOps() {
            if let session { await end(session.session) }
            return nil
        }
        return try await withThrowingTaskGroup(of: LongPoll?.self) { group in
            group.addTask { try await longPoll(until: deadline, session: session) }
            group.addTask {
                while ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(250))
                    if try desktop.replica.outboxSignature() != pendingAtStart { return nil }
                }
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// Long-polls the server in a session of its own (`session`, or one it begins) until it reports a change,
    /// returning the session still open, or until the deadline passes, ending it.
    private func longPoll(until deadline: ContinuousClock.Instant, session held: LongPoll?) async throws -> LongPoll? {
        guard let cursor = try desktop.replica.cursor() else {
            if let held { await end(held.session) }
            return nil
        }
        let poll: LongPoll
        if let held {
            poll = held
        } else {
            let settings = desktop.settings
            let packageVersion = try desktop.replica.packageVersion()
            // The types the watch's syncs pass over are passed over here too: naming none would make them due,
            // and their changes would wake the wait at once.
            let deferred = try desktop.replica.typesToDefer(at: Date())
            let begin = try await desktop.connection.call { client, token in
                try await client.begin(
                    SyncBeginRequest(
                        device: settings.device, packageVersion: packageVersion,
                        timeZone: settings.timeZone ?? TimeZone.current.identifier, preview: false,
                        deferTypes: deferred),
                    token: token)
            }
            poll = LongPoll(session: begin.session, deferred: deferred)
            // A newer package or a re-evaluation of the filter: a whole sync settles it, now.
            if begin.package != nil || begin.rescan {
                await end(poll.session)
                return nil
            }
        }
        let session = poll.session
        do {
            if try await waitOnServer(session: session, cursor: cursor, until: deadline) { return poll }
        } catch let error as DesktopError where error.code == .refused || error.code == .reset {
            // Another sync of this home took the device's session, or the cursor needs a rebuild: the next
            // sync sorts it out (after a pause, so a server that keeps refusing is not asked in a loop).
            logger.debug("long-poll ended: \(error.message)")
            await end(session)
            try await Task.sleep(for: .seconds(1))
            return nil
        } catch {
            await end(session)
            throw error
        }
        await end(session)
        return nil
    }

    /// Waits on the server until it reports a change after `cursor` (true) or the deadline passes (false).
    private func waitOnServer(session: String, cursor: String, until deadline: ContinuousClock.Instant) async throws
        -> Bool
    {
        while ContinuousClock.now < deadline {
            let left = ContinuousClock.now.duration(to: deadline)
            let seconds = min(pollTimeout, max(1, Double(left.components.seconds)))
            let answer = try await desktop.connection.call { client, token in
                try await client.wait(SyncWaitRequest(session: session, cursor: cursor, timeout: seconds), token: token)
            }
            if answer.changed { return true }
        }
        return false
    }

    /// A long-poll's session, kept open from one wake to the next wait, and the types its begin passed over.
    struct LongPoll {
        var session: String
        var deferred: [String]?
    }

    /// Ends a long-poll session; a failure is left to the server, which ends a device's open sessions at its
    /// next begin.
    private func end(_ session: String) async {
        _ = try? await desktop.connection.call { client, token in
            try await client.end(SyncEndRequest(session: session, counts: SyncCounts()), token: token)
        }
    }
}

extension Replica {
    /// Whether the outbox holds pending ops that no push has carried yet.
    func hasUnsentOps() throws -> Bool {
        try read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM outbox WHERE state = 'pending' AND sent = 0)") ?? false
        }
    }

    /// Changes whenever an op is added to or changed in the outbox, by this process or another (an edit made
    /// while `--watch` runs).
    func outboxSignature() throws -> String {
        try read { db in
            let row = try Row.fetchOne(db, sql: "SELECT COUNT(*), IFNULL(MAX(seq), 0), IFNULL(SUM(sent), 0), IFNULL(SUM(length(json)), 0) FROM outbox")
            return "\(row?[0] as Int? ?? 0)/\(row?[1] as Int64? ?? 0)/\(row?[2] as Int? ?? 0)/\(row?[3] as Int? ?? 0)"
        }
    }
}

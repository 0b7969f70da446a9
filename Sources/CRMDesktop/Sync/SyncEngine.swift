import CRMModel
import CRMSyncProtocol
import Foundation
import Logging

/// The desktop's synchronization engine: begin, install a newer package and migrate the outbox, push the
/// outbox, pull pages until done, end (DESIGN section 3).
///
/// Every step commits before the next goes out: ops are marked sent before a push and leave the outbox only
/// with the server's answer; each page is applied with its cursor in one transaction. So a kill at any moment
/// loses nothing, and the next sync repeats nothing (the server answers a repeated op id with its first answer,
/// and a repeated cursor with the same page).
public struct SyncEngine: Sendable {
    public let home: DesktopHome
    public let replica: Replica
    public let connection: ServerConnection
    public var configuration: Configuration
    /// The two-way PIM sync run around the CRM sync (nil: no PIM chosen).
    public var pim: PIMSync?
    /// Mail tracking's scan, run once the server is reached (nil: no folder tracked).
    public var mail: (@Sendable () throws -> MailScanReport)?
    let logger: Logger

    /// Sizes of one sync's requests.
    public struct Configuration: Sendable {
        /// Records per pulled page (the server caps it).
        public var pageSize: Int
        /// Ops per push (the server caps it; one record's ops never split over two pushes).
        public var pushBatch: Int
        /// Send the outbox and pull nothing (`sync --push-only`, for a slow connection): no pages, no attachment
        /// downloads, no PIM writes; a pending filter change waits for a full sync. The receipt says whether the
        /// server holds changes for the next full sync.
        public var pushOnly: Bool
        /// Pass over the types whose `syncEvery` has not come round (`sync --watch`, the scheduled service); a
        /// sync the user asks for checks every type.
        public var honourFrequency: Bool

        public init(pageSize: Int = 2500, pushBatch: Int = 500, pushOnly: Bool = false, honourFrequency: Bool = false) {
            self.pageSize = pageSize
            self.pushBatch = pushBatch
            self.pushOnly = pushOnly
            self.honourFrequency = honourFrequency
        }
    }

    public init(
        home: DesktopHome, replica: Replica, connection: ServerConnection, configuration: Configuration = .init(),
        logger: Logger = Logger(label: "crm-desktop.sync")
    ) {
        self.home = home
        self.replica = replica
        self.connection = connection
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs one whole sync under the home folder's lock and keeps its receipt.
    ///
    /// Returns the receipt of a sync that ran to its end (`success`, or `partial` when ops conflicted or were
    /// refused); throws when it could not (offline, signed out, revoked, ...), after keeping a `failed` receipt.
    ///
    /// - Parameter confirm: asked with the begin's preview (records per type the filter brings) before anything
    ///   is pushed or pulled; answering false ends the session and throws `.declined`.
    public func run(
        progress: (@Sendable (SyncProgress) -> Void)? = nil,
        confirm: (@Sendable ([String: Int]) async throws -> Bool)? = nil
    ) async throws -> SyncReceipt {
        let lock = try SyncLock(path: home.lockPath)
        defer { withExtendedLifetime(lock) {} }
        var state = SyncState(startedAt: Date())
        do {
            if let pim { try await runPIM(&state) { try await pim.inbound() } }
            if configuration.pushOnly {
                try await pushOnly(&state, progress: progress)
            } else {
                try await sendAndBring(&state, progress: progress, confirm: confirm)
            }
            let waiting = state.counts.conflicts + state.counts.rejected + (state.pim?.problems ?? 0)
                + (state.pim?.stopped.count ?? 0) + (state.mail?.failed ?? 0) + state.files.failed.count
            let receipt = state.receipt(outcome: waiting > 0 ? .partial : .success)
            try replica.log(receipt)
            return receipt
        } catch {
            try await fail(&state, error)
        }
    }

    /// The steps of a whole sync between the PIM's inbound pass and the receipt.
    private func sendAndBring(
        _ state: inout SyncState, progress: (@Sendable (SyncProgress) -> Void)?,
        confirm: (@Sendable ([String: Int]) async throws -> Bool)?
    ) async throws {
        // The preview is shown before a first sync or asked for by `confirm`; otherwise it is not counted.
        try await begin(&state, preview: confirm != nil || replica.cursor() == nil)
        if let confirm, try await !confirm(state.preview) {
            try await end(&state)
            throw DesktopError(.declined, "nothing was synced: the filter's records were not wanted")
        }
        try await refreshProfile()
        if let mail { scanMail(&state, mail) }
        try await pushOutbox(&state, progress: progress)
        try await pullAll(&state, progress: progress)
        await downloadAttachments(&state)
        try await end(&state)
        let frequency = try replica.syncFrequency()
        try replica.setChecked(
            frequency.entries.map(\.type).filter { !(state.deferred ?? []).contains($0) }, at: state.startedAt)
        if let pim { try await runPIM(&state) { try await pim.outbound() } }
    }

    /// Keeps a failed receipt, ends the server session with the error, and turns "revoked" into a wiped
    /// replica; then throws the error for the caller to report.
    func fail(_ state: inout SyncState, _ error: any Error) async throws -> Never {
        let message = (error as? DesktopError)?.message ?? String(describing: error)
        if let session = state.session {
            let counts = state.counts
            _ = try? await connection.call { client, token in
                try await client.end(SyncEndRequest(session: session, counts: counts, errors: [message]), token: token)
            }
            state.session = nil
        }
        if let error = error as? DesktopError, error.code == .revoked {
            throw try RevokedDevice(home: home, replica: replica).wipe(after: error)
        }
        try? replica.log(state.receipt(outcome: .failed, message: message))
        throw error
    }

    // MARK: - Steps

    /// A step of the PIM sync: its report joins the receipt; a PIM that cannot be reached or refuses does not stop
    /// the CRM sync (it is reported, and the next sync tries again), but the replica's own failures do.
    func runPIM(_ state: inout SyncState, _ step: () async throws -> PIMReport) async throws {
        do {
            state.pim = (state.pim ?? PIMReport()) + (try await step())
        } catch let error as DesktopError {
            throw error
        } catch {
            logger.warning("PIM sync failed: \(error)")
            var report = state.pim ?? PIMReport()
            report.stopped.append("\(error)")
            state.pim = report
        }
    }

    /// Opens a session; installs a newer package (migrating the outbox) before anything is pushed. With
    /// `sendFilter` false a filter chosen here and not yet sent stays pending (a session that pulls nothing must
    /// not move the server's idea of what the device holds).
    func begin(_ state: inout SyncState, preview: Bool = true, sendFilter: Bool = true) async throws {
        var filter = try replica.filter()
        let keepPending = filter.pending && !sendFilter
        if keepPending { filter.pending = false }
        if configuration.honourFrequency { state.deferred = try replica.typesToDefer(at: state.startedAt) }
        let request = SyncBeginRequest(
            device: connection.settings.device, packageVersion: try replica.packageVersion(),
            filter: filter.pending ? filter.name : nil, parameters: filter.pending ? filter.parameters : nil,
            timeZone: connection.settings.timeZone ?? TimeZone.current.identifier, preview: preview ? nil : false,
            deferTypes: state.deferred)
        let answer = try await connection.call { client, token in try await client.begin(request, token: token) }
        state.session = answer.session
        state.preview = answer.preview
        if let update = answer.package {
            let failed = try replica.install(update)
            state.installedPackage = update.version
            if !failed.isEmpty {
                logger.warning("\(failed.count) unsent changes no longer fit package \(update.version)")
            }
        }
        if !keepPending { try replica.confirmFilter(name: answer.filter, parameters: answer.parameters) }
    }

    /// Pushes the outbox in batches and applies each answer in one transaction.
    func pushOutbox(_ state: inout SyncState, progress: (@Sendable (SyncProgress) -> Void)?) async throws {
        guard let session = state.session else { return }
        var pushed = Set<Int64>()
        var done = 0
        while true {
            let batch = try replica.nextBatch(limit: configuration.pushBatch)
            // An op the server did not answer stays pending; it goes with the next sync, not in a loop.
            guard !batch.isEmpty, !batch.allSatisfy({ pushed.contains($0.seq) }) else { break }
            try await uploadAttachments(of: batch, &state)
            try replica.markSent(batch)
            let request = SyncPushRequest(session: session, ops: batch.map(\.op))
            let answer = try await connection.call { client, token in try await client.push(request, token: token) }
            state.counts = state.counts + (try replica.apply(results: answer.results, for: batch))
            pushed.formUnion(batch.map(\.seq))
            done += batch.count
            progress?(SyncProgress(phase: .pushing, done: done, total: nil))
        }
    }

    /// Pulls and applies pages until the server has no more; a "reset" answer rebuilds the replica (the
    /// outbox stays) and pulls from nothing.
    func pullAll(_ state: inout SyncState, progress: (@Sendable (SyncProgress) -> Void)?) async throws {
        guard let session = state.session else { return }
        var cursor = try replica.cursor()
        var total = cursor == nil ? state.preview.values.reduce(0, +) : nil
        var done = 0
        var rebuilt = false
        while true {
            let request = SyncPullRequest(session: session, cursor: cursor, limit: configuration.pageSize)
            let page: PulledPage
            do {
                page = try await connection.call { client, token in try await client.pullPage(request, token: token) }
            } catch let error as DesktopError where error.code == .reset && !rebuilt {
                logger.notice("the server asked for a rebuild: \(error.message)")
                try replica.startRebuild()
                rebuilt = true
                cursor = nil
                total = state.preview.values.reduce(0, +)
                continue
            }
            state.counts.pulled += try replica.apply(page)
            state.pulledAttachments = state.pulledAttachments || page.mentionsAttachments
            cursor = page.cursor
            state.cursor = page.cursor
            done += page.count
            progress?(SyncProgress(phase: .pulling, done: done, total: total.map { max($0, done) }))
            if !page.more { break }
        }
        try replica.dropUnconfirmedCopies()
    }

    /// Ends the session with this side's counts; the server keeps them in the sync log.
    func end(_ state: inout SyncState) async throws {
        guard let session = state.session else { return }
        let counts = state.counts
        _ = try await connection.call { client, token in
            try await client.end(SyncEndRequest(session: session, counts: counts), token: token)
        }
        state.session = nil
    }
}

/// What one sync has done so far.
struct SyncState: Sendable {
    var startedAt: Date
    var session: String?
    var preview: [String: Int] = [:]
    var counts = SyncCounts()
    var cursor: String?
    var installedPackage: Int?
    var pim: PIMReport?
    var mail: MailScanReport?
    var files = FileTransfers()
    /// A pulled record names an attachment, whose file may have to be fetched.
    var pulledAttachments = false
    /// After a push-only sync: what waits for a full one.
    var leftForFullSync: String?
    /// Types this sync passed over (their `syncEvery` had not come round).
    var deferred: [String]?

    func receipt(outcome: SyncReceipt.Outcome, message: String? = nil) -> SyncReceipt {
        var text = message
        if text == nil, outcome == .partial {
            var waiting: [String] = []
            if counts.conflicts > 0 { waiting.append("\(counts.conflicts) conflicts") }
            if counts.rejected > 0 { waiting.append("\(counts.rejected) refused changes") }
            if let pim, pim.problems > 0 { waiting.append("\(pim.problems) unreadable PIM items") }
            if let pim, !pim.stopped.isEmpty { waiting.append("a stopped PIM sync") }
            if let mail, mail.failed > 0 { waiting.append("\(mail.failed) unreadable emails") }
            if !files.failed.isEmpty { waiting.append("\(files.failed.count) files not moved") }
            text = waiting.joined(separator: ", ") + " wait for you (`crm-desktop status`)"
        }
        return SyncReceipt(
            startedAt: startedAt, endedAt: Date(), outcome: outcome, counts: counts, session: session,
            message: text, installedPackage: installedPackage, pim: pim, mailShared: mail?.shared,
            mailUnreadable: mail?.failed, files: files.isEmpty ? nil : files, leftForFullSync: leftForFullSync,
            deferred: deferred)
    }
}

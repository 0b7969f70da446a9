import CRMModel
import CRMStore
import CRMSyncProtocol
import Foundation

extension SyncService {
    /// Applies a batch of the device's ops in one transaction; see `PushApplier`.
    public func push(_ caller: Caller, _ request: SyncPushRequest, now: Date = Timestamp.now()) async throws
        -> SyncPushResponse
    {
        SyncPushResponse(results: try await answer(caller, request, now: now).map(\.result))
    }

    /// The push's answer body: each op's answer as stored under its op id, so a retry gets the same bytes.
    public func pushBody(_ caller: Caller, _ request: SyncPushRequest, now: Date = Timestamp.now()) async throws
        -> [UInt8]
    {
        SyncPushResponse.body(results: try await answer(caller, request, now: now).map(\.json))
    }

    private func answer(_ caller: Caller, _ request: SyncPushRequest, now: Date) async throws -> [PushApplier.Answer] {
        try Self.checkProtocol(request.protocolVersion)
        let (session, _) = try await openSession(caller, request.session, now: now)
        guard request.ops.count <= configuration.maxOpsPerPush else {
            throw CRMError(
                .tooLarge, "a push carries at most \(configuration.maxOpsPerPush) ops; this one has \(request.ops.count): "
                    + "send them in smaller batches", field: "ops")
        }
        var seen = Set<String>()
        for (index, op) in request.ops.enumerated() {
            guard !op.opId.isEmpty, op.opId.count <= 100 else {
                throw CRMError(.malformed, "ops[\(index)].opId must be 1 to 100 characters", field: "ops[\(index)].opId")
            }
            guard seen.insert(op.opId).inserted else {
                throw CRMError(.malformed, "ops[\(index)].opId '\(op.opId)' appears twice in the batch", field: "ops[\(index)].opId")
            }
        }
        var names = Set(request.ops.flatMap { [$0.owner].compactMap { $0 } + ($0.team ?? []) })
        names.insert(caller.user.name)
        var enabled = Set<String>()
        for name in names.sorted() {
            if let user = try await store.user(named: name), user.enabled { enabled.insert(name) }
        }
        let attachments = try await AttachmentCheck.lookUp(
            AttachmentCheck.hashes(in: request.ops, base: caller.base), for: caller, in: store)
        let applier = PushApplier(
            caller: caller, device: session.device, now: now, enabledUsers: enabled, attachments: attachments)
        let ops = request.ops
        let (answers, touched, announced) = try await metrics.store("push") {
            try await store.push { transaction in
                let tx = AudienceRecordingTransaction(transaction)
                let answers = try applier.apply(ops, in: tx)
                return (answers, tx.touched, try tx.announceAtCommit())
            }
        }
        await ChangeAnnouncer(store: store, signal: signal).announce(touched, announcedAtCommit: announced)
        var counts = SyncCounts(pushed: answers.count)
        for result in answers.map(\.result) {
            switch result.status {
            case .applied: counts.applied += 1
            case .merged: counts.merged += 1
            case .conflict: counts.conflicts += 1
            case .rejected, .held: counts.rejected += 1
            }
        }
        metrics.pushed(
            ["applied": counts.applied, "merged": counts.merged, "conflict": counts.conflicts,
                "rejected": counts.rejected], total: counts.pushed)
        try await store.recordActivity(
            session: session.id, counts: counts, expiresAt: now.addingTimeInterval(configuration.sessionLifetime))
        return answers
    }
}

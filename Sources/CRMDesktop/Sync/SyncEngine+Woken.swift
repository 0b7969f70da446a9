import CRMModel
import CRMSyncProtocol
import Foundation

extension SyncEngine {
    /// Brings the changes a long-poll was woken for, in the long-poll's own session: pulls and applies pages
    /// until the server has no more, fetches the files they name, and writes the PIM; the session stays open
    /// for the next wait. Nothing is pushed: an edit made here goes with a whole sync (`run`), and so do a newer
    /// package, a filter change and everything else a session's begin settles.
    ///
    /// A woken desktop so costs the server one pull (and the wait it sends next) instead of ending the wait's
    /// session, beginning another, pulling, ending it and beginning the next wait's. Keeps its receipt; on a
    /// failure ends the session with the error, as `run` does.
    ///
    /// - Parameter deferred: the types the long-poll's session passes over (as its begin named them).
    /// - Returns: nil when the session is no longer the device's (another sync of this device began one, or it
    ///   expired): a whole sync is the way on, and nothing failed.
    public func bringChanges(session: String, deferred: [String]?) async throws -> SyncReceipt? {
        let lock = try SyncLock(path: home.lockPath)
        defer { withExtendedLifetime(lock) {} }
        var state = SyncState(startedAt: Date())
        state.session = session
        state.deferred = deferred
        do {
            try await pullAll(&state, progress: nil)
            await downloadAttachments(&state)
            if let pim { try await runPIM(&state) { try await pim.outbound() } }
            let waiting = (state.pim?.problems ?? 0) + (state.pim?.stopped.count ?? 0) + state.files.failed.count
            let receipt = state.receipt(outcome: waiting > 0 ? .partial : .success)
            try replica.log(receipt)
            return receipt
        } catch let error as DesktopError where error.code == .refused && error.field == "session" {
            logger.debug("the long-poll's session is gone: \(error.message)")
            return nil
        } catch {
            try await fail(&state, error)
        }
    }
}

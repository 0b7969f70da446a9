import CRMSyncProtocol
import Foundation

extension SyncEngine {
    /// `sync --push-only`, for a slow connection: the local changes go and nothing comes. The PIM's edits were
    /// gathered before (the inbound pass), tracked mail is scanned, attachment files go before the ops that list
    /// them; no page is pulled, no file downloaded, nothing written to the PIM, and a filter chosen here waits
    /// for a full sync. The server is asked, without waiting, whether changes wait for this device, and the
    /// receipt says what the next full sync will do.
    func pushOnly(_ state: inout SyncState, progress: (@Sendable (SyncProgress) -> Void)?) async throws {
        let pendingFilter = try replica.filter()
        try await begin(&state, preview: false, sendFilter: false)
        if let mail { scanMail(&state, mail) }
        try await pushOutbox(&state, progress: progress)
        var left: [String] = []
        if let cursor = try replica.cursor() {
            left.append(try await serverHoldsChanges(state, cursor: cursor)
                ? "the server holds changes for this desktop" : "nothing new waits on the server")
        } else {
            left.append("no first sync yet: the filter's records come with a full sync")
        }
        if pendingFilter.pending { left.append("the filter \(pendingFilter.name ?? "default") waits") }
        let unsent = try replica.outbox().count
        if unsent > 0 { left.append("\(unsent) \(unsent == 1 ? "edit is" : "edits are") still queued") }
        state.leftForFullSync = left.joined(separator: "; ") + "; run `crm-desktop sync` for a full sync"
        try await end(&state)
    }

    /// Whether the server has something this desktop would pull after `cursor`: a wait that does not wait.
    private func serverHoldsChanges(_ state: SyncState, cursor: String) async throws -> Bool {
        guard let session = state.session else { return false }
        let request = SyncWaitRequest(session: session, cursor: cursor, timeout: 0)
        return try await connection.call { client, token in try await client.wait(request, token: token) }.changed
    }
}

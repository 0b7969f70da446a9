import CRMSyncProtocol
import CRMTesting
import Foundation

/// A sync session through the real API: a device registered, begin, end with the given errors; what the sync
/// log, the receipts and the monitor then show.
enum SyncSessionFixture {
    /// Returns the session's id.
    static func syncOnce(_ api: TestAPI, user: String, errors: [String]) async throws -> String {
        let token = try await api.login(user)
        let device = try await api.registerDevice("\(user)'s laptop", token: token)
        let begin = try await api.send(
            .post, "/api/v1/sync/begin", token: token, json: SyncBeginRequest(device: device.id, timeZone: "UTC"))
        guard begin.status == .created else { throw TestAPIError.refused(begin.status.code, begin.text) }
        let session = try begin.decode(SyncBeginResponse.self).session
        let end = try await api.send(
            .post, "/api/v1/sync/end", token: token,
            json: SyncEndRequest(session: session, counts: SyncCounts(pulled: 3), errors: errors))
        guard end.status == .ok else { throw TestAPIError.refused(end.status.code, end.text) }
        return session
    }
}
